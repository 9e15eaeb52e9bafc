/**
 * Multi-head softmax attention for the Perceiver IO baseline: queries from x, keys and values from a
 * context (x itself for self-attention). q and kv projections have no bias, the output projection
 * does. Scores are scaled by 1/√dimHead. Linear layers use PyTorch's default initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import type { Rng } from '../util/rng.js';

/** Shape options of {@link MultiHeadAttention}. */
export interface AttentionOptions {
  /** Width of the query input x (and of the output). */
  queryDim: number;
  /** Width of the context; defaults to queryDim (self-attention). */
  contextDim?: number;
  heads: number;
  dimHead: number;
}

/**
 * Attention(x, context) = Linear_out(concat_h softmax(q_h k_hᵀ/√d_h) v_h), with q = x·W_q and
 * [k, v] = context·W_kv (first half keys, second half values). Parameters: `toQ.weight`
 * [queryDim, h·d_h], `toKV.weight` [contextDim, 2·h·d_h], `toOut.weight` [h·d_h, queryDim], `toOut.bias`.
 */
export class MultiHeadAttention extends Module {
  readonly heads: number;
  readonly dimHead: number;
  readonly toQ: Linear;
  readonly toKV: Linear;
  readonly toOut: Linear;

  constructor(opts: AttentionOptions, rng: Rng) {
    super();
    this.heads = opts.heads;
    this.dimHead = opts.dimHead;
    const inner = opts.heads * opts.dimHead;
    this.toQ = this.addChild('toQ', new Linear(opts.queryDim, inner, rng, { bias: false }));
    this.toKV = this.addChild('toKV', new Linear(opts.contextDim ?? opts.queryDim, 2 * inner, rng, { bias: false }));
    this.toOut = this.addChild('toOut', new Linear(inner, opts.queryDim, rng));
  }

  /** [B, N, h·d] → [B, h, N, d]. */
  private splitHeads(t: tf.Tensor): tf.Tensor {
    const [b, n] = t.shape as [number, number, number];
    return t.reshape([b, n, this.heads, this.dimHead]).transpose([0, 2, 1, 3]);
  }

  /** Attention weights [B, heads, N, M] (useful for inspection). */
  attentionWeights(x: tf.Tensor, context: tf.Tensor = x): tf.Tensor {
    return tf.tidy(() => {
      const q = this.splitHeads(this.toQ.forward(x));
      const k = this.toKV.forwardColumns(context, 0, this.heads * this.dimHead);
      return tf.softmax(tf.matMul(q, this.splitHeads(k), false, true).mul(1 / Math.sqrt(this.dimHead)));
    });
  }

  /** x: [B, N, queryDim], context: [B, M, contextDim] → [B, N, queryDim]. */
  forward(x: tf.Tensor, context: tf.Tensor = x): tf.Tensor {
    return tf.tidy(() => {
      const [b, n] = x.shape as [number, number, number];
      const q = this.splitHeads(this.toQ.forward(x));
      // Keys and values from their own halves of W_kv: no split of the [B, M, 2·h·d] projection (slow on wasm).
      const inner = this.heads * this.dimHead;
      const k = this.toKV.forwardColumns(context, 0, inner);
      const v = this.toKV.forwardColumns(context, inner, inner);
      const scores = tf.matMul(q, this.splitHeads(k), false, true).mul(1 / Math.sqrt(this.dimHead));
      const out = tf.matMul(tf.softmax(scores), this.splitHeads(v)); // [B, h, N, d]
      return this.toOut.forward(out.transpose([0, 2, 1, 3]).reshape([b, n, this.heads * this.dimHead]));
    });
  }
}
