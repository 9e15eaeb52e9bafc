/**
 * Pre-norm residual branches of the Perceiver IO baseline. Each returns the branch output only; the
 * caller adds the residual (the decoder's cross-attention has none):
 *
 * - {@link PreNormCrossAttention}: Attn(LN(x), context = LN_ctx(context)), separate LNs for x and context;
 * - {@link PreNormSelfAttention}: Attn(LN(x));
 * - {@link PreNormFeedForward}: Linear(mult·d→d)(GEGLU(Linear(d→2·mult·d)(LN(x)))).
 *
 * LayerNorms are affine with PyTorch's eps 1e-5.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import { gegluAffine } from '../nn/activations.js';
import type { Rng } from '../util/rng.js';
import { MultiHeadAttention } from './attention.js';

/** Cross-attention branch. Parameters: `norm.*`, `contextNorm.*`, `attention.*`. */
export class PreNormCrossAttention extends Module {
  readonly norm: LayerNorm;
  readonly contextNorm: LayerNorm;
  readonly attention: MultiHeadAttention;

  constructor(queryDim: number, contextDim: number, heads: number, dimHead: number, rng: Rng) {
    super();
    this.norm = this.addChild('norm', new LayerNorm(queryDim));
    this.contextNorm = this.addChild('contextNorm', new LayerNorm(contextDim));
    this.attention = this.addChild('attention', new MultiHeadAttention({ queryDim, contextDim, heads, dimHead }, rng));
  }

  /** x: [B, N, queryDim], context: [B, M, contextDim] → [B, N, queryDim]. */
  forward(x: tf.Tensor, context: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.attention.forward(this.norm.forward(x), this.contextNorm.forward(context)));
  }
}

/** Self-attention branch. Parameters: `norm.*`, `attention.*`. */
export class PreNormSelfAttention extends Module {
  readonly norm: LayerNorm;
  readonly attention: MultiHeadAttention;

  constructor(dim: number, heads: number, dimHead: number, rng: Rng) {
    super();
    this.norm = this.addChild('norm', new LayerNorm(dim));
    this.attention = this.addChild('attention', new MultiHeadAttention({ queryDim: dim, heads, dimHead }, rng));
  }

  /** x: [B, N, dim] → [B, N, dim]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = this.norm.forward(x);
      return this.attention.forward(h, h);
    });
  }
}

/** GEGLU feed-forward branch. Parameters: `norm.*`, `proj.*` [d, 2·mult·d], `out.*` [mult·d, d]. */
export class PreNormFeedForward extends Module {
  readonly norm: LayerNorm;
  readonly proj: Linear;
  readonly out: Linear;

  constructor(dim: number, mult: number, rng: Rng) {
    super();
    this.norm = this.addChild('norm', new LayerNorm(dim));
    this.proj = this.addChild('proj', new Linear(dim, 2 * mult * dim, rng));
    this.out = this.addChild('out', new Linear(mult * dim, dim, rng));
  }

  /** x: [B, N, dim] → [B, N, dim]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.out.forward(gegluAffine(this.norm.forward(x), this.proj.weight, this.proj.bias)));
  }
}
