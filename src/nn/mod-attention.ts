/**
 * Code-conditioned multi-head attention, the attention of propagator and read-out layers
 * (KMDPA, spec §1.5 step 5). Queries and the output projection are ModFCs conditioned on the
 * receiver's code; keys and values on the sender's code. An optional additive bias (log K̃ from the
 * signature kernel, [Ur, Us] or per example [B, Ur, Us]) modulates the scores before the softmax:
 *   A^h = softmax_v(q^h_u·k^h_v/√d_h + log K̃_uv),   m_u = γ ⊙ ModFC_O(concat_h Σ_v A^h_uv v^h_v; c_u)
 * Pre-LN: one LN shared by receivers and senders (propagators) or separate LNs (read-out).
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { LayerNorm } from './layer-norm.js';
import { ModFC, type ModFCOptions } from './modfc.js';
import { LayerScale } from './layer-scale.js';
import type { Rng } from '../util/rng.js';
import { noteAttention, recordingAttention } from './attention-probe.js';
import { fusedAttention } from '../engine/kernels/attention-simd.js';
import { recordingGradients } from './eval-cache.js';

export interface ModAttentionOptions {
  dim: number;
  codeDim: number;
  heads: number;
  headDim: number;
  qkvBias: boolean;
  layerScale: number | null;
  /** One LayerNorm for receivers and senders (true) or one each (false). */
  sharedNorm: boolean;
  modfc: Omit<ModFCOptions, 'bias'>;
}

/** [B, U, H·dh] → [B, H, U, dh]. */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [B, U, D] = x.shape as [number, number, number];
  return x.reshape([B, U, heads, D / heads]).transpose([0, 2, 1, 3]);
}

/** [B, H, U, dh] → [B, U, H·dh]. */
export function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [B, H, U, dh] = x.shape as [number, number, number, number];
  return x.transpose([0, 2, 1, 3]).reshape([B, U, H * dh]);
}

export class ModAttention extends Module {
  readonly receiverNorm: LayerNorm;
  readonly senderNorm: LayerNorm | null;
  readonly query: ModFC;
  readonly key: ModFC;
  readonly value: ModFC;
  readonly output: ModFC;
  readonly layerScale: LayerScale;

  constructor(
    readonly opts: ModAttentionOptions,
    rng: Rng,
  ) {
    super();
    const { dim, codeDim, heads, headDim } = opts;
    const inner = heads * headDim;
    const qkv = { ...opts.modfc, bias: opts.qkvBias };
    this.receiverNorm = this.addChild('receiverNorm', new LayerNorm(dim));
    this.senderNorm = opts.sharedNorm ? null : this.addChild('senderNorm', new LayerNorm(dim));
    this.query = this.addChild('query', new ModFC(dim, inner, codeDim, rng, qkv));
    this.key = this.addChild('key', new ModFC(dim, inner, codeDim, rng, qkv));
    this.value = this.addChild('value', new ModFC(dim, inner, codeDim, rng, qkv));
    this.output = this.addChild('output', new ModFC(inner, dim, codeDim, rng, { ...opts.modfc, bias: true }));
    this.layerScale = this.addChild('layerScale', new LayerScale(dim, opts.layerScale));
  }

  /**
   * The attention branch γ ⊙ ModFC_O(...) for receivers [B, Ur, d] and senders [B, Us, d] with
   * codes [Ur, d_code] / [Us, d_code] and an optional bias [Ur, Us] or [B, Ur, Us]. Returns [B, Ur, d];
   * with `residual` (shaped like the result), residual + the branch (the residual connection, fused
   * with the output projection where the backend can). `receiverRows`: the receivers are the senders'
   * rows [receiverRows, receiverRows + Ur) (lets a shared norm run once in eval).
   */
  branch(
    receivers: tf.Tensor,
    senders: tf.Tensor,
    receiverCodes: tf.Tensor,
    senderCodes: tf.Tensor,
    bias: tf.Tensor | null,
    residual: tf.Tensor | null = null,
    receiverRows: number | null = null,
  ): tf.Tensor {
    return tf.tidy(() => {
      const H = this.opts.heads;
      const scale = 1 / Math.sqrt(this.opts.headDim);
      const sn = (this.senderNorm ?? this.receiverNorm).forward(senders);
      // In eval with a shared norm, receivers that are rows of the senders take their normalised rows
      // from sn (layer norm is per row: the same values) instead of a second layer norm.
      const [B, Ur, D] = receivers.shape as [number, number, number];
      const reuse = this.senderNorm == null && receiverRows != null && !this.training && !recordingGradients();
      const rn = reuse ? sn.slice([0, receiverRows, 0], [B, Ur, D]) : this.receiverNorm.forward(receivers);
      const q = this.query.forward(rn, receiverCodes);
      const k = this.key.forward(sn, senderCodes);
      const v = this.value.forward(sn, senderCodes);
      // One fused kernel where the backend has it (eval on wasm), unless attention weights are recorded.
      let mixed = recordingAttention() ? null : fusedAttention(q, k, v, bias, H, scale);
      if (mixed == null) {
        let scores = tf.matMul(splitHeads(q, H), splitHeads(k, H), false, true).mul(scale);
        if (bias) scores = scores.add(bias.rank === 3 ? bias.expandDims(1) : bias);
        const attn = tf.softmax(scores, -1);
        noteAttention(attn);
        mixed = mergeHeads(tf.matMul(attn, splitHeads(v, H)));
      }
      if (residual != null) return this.output.forward(mixed, receiverCodes, { gain: this.layerScale.gamma, residual });
      return this.layerScale.forward(this.output.forward(mixed, receiverCodes));
    });
  }
}
