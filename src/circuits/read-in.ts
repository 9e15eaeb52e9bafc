/**
 * The read-in layer (spec §1.6): read-in modules cross-attend to the input tokens. Unlike a
 * Perceiver cross-attention, keys and values are ModFCs conditioned on the *receiving* module's code:
 *   q_u = ModFC_Q(LN_r(θ_u); c_u),  k_uv = ModFC_K(LN_s(x_v); c_u),  val_uv = ModFC_V(LN_s(x_v); c_u)
 *   θ_u ← θ_u + γ ⊙ ModFC_O(concat_h Σ_v softmax_v(q_u·k_uv/√d_h) val_uv; c_u),  then a ModFFN.
 * No signature kernel here (dense). Computed without materialising the B×U×V×d keys, using
 *   q^h_u·k^h_uv = ((W_K^h q^h_u) ⊙ m^K_u)·x_v   and   Σ_v a_uv val^h_uv = W_V^hᵀ(m^V_u ⊙ Σ_v a_uv x_v),
 * where m_u = 1 + α·LN(W_c c_u) is the ModFC modulation: exact algebra, O(B·H·U·V·d_in).
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { ModFC, type ModFCOptions } from '../nn/modfc.js';
import { LayerScale } from '../nn/layer-scale.js';
import { ModFFN } from '../nn/mod-ffn.js';
import { dropPath } from '../nn/drop-path.js';
import { mergeHeads, splitHeads } from '../nn/mod-attention.js';
import { repeatBatch } from '../nn/repeat-batch.js';
import type { Rng } from '../util/rng.js';

export interface ReadInOptions {
  tokenDim: number;
  dim: number;
  codeDim: number;
  heads: number;
  headDim: number;
  qkvBias: boolean;
  layerScale: number | null;
  residual: boolean;
  dropPath: number;
  ffnHidden: number;
  ffnLayerScale: number | null;
  geglu: boolean;
  modfc: Omit<ModFCOptions, 'bias'>;
}

export class ReadInAttention extends Module {
  readonly receiverNorm: LayerNorm;
  readonly senderNorm: LayerNorm;
  readonly query: ModFC;
  readonly key: ModFC;
  readonly value: ModFC;
  readonly output: ModFC;
  readonly layerScale: LayerScale;

  constructor(
    private readonly opts: ReadInOptions,
    rng: Rng,
  ) {
    super();
    const { tokenDim, dim, codeDim, heads, headDim } = opts;
    const inner = heads * headDim;
    const qkv = { ...opts.modfc, bias: opts.qkvBias };
    this.receiverNorm = this.addChild('receiverNorm', new LayerNorm(dim));
    this.senderNorm = this.addChild('senderNorm', new LayerNorm(tokenDim));
    this.query = this.addChild('query', new ModFC(dim, inner, codeDim, rng, qkv));
    this.key = this.addChild('key', new ModFC(tokenDim, inner, codeDim, rng, qkv));
    this.value = this.addChild('value', new ModFC(tokenDim, inner, codeDim, rng, qkv));
    this.output = this.addChild('output', new ModFC(inner, dim, codeDim, rng, { ...opts.modfc, bias: true }));
    this.layerScale = this.addChild('layerScale', new LayerScale(dim, opts.layerScale));
  }

  /** The queries with W_K folded in, q'[b,h,u,:] = W_K^h q[b,h,u,:] ⊙ m^K_u, for states [B, U, d] → [B, H·U, d_in]. */
  private foldedQueries(states: tf.Tensor, codes: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { heads: H, headDim: dh, tokenDim: din } = this.opts;
      const [B, U] = states.shape as [number, number, number];
      const q = splitHeads(this.query.forward(this.receiverNorm.forward(states), codes), H); // [B, H, U, dh]
      const wk = this.key.weight.reshape([din, H, dh]).transpose([1, 2, 0]); // [H, dh, din]
      const qh = q.transpose([1, 0, 2, 3]).reshape([H, B * U, dh]);
      const qk = tf.matMul(qh, wk).reshape([H, B, U, din]).transpose([1, 0, 2, 3]).mul(this.key.modulation(codes));
      return qk.reshape([B, H * U, din]);
    });
  }

  /**
   * Attention branch γ ⊙ ModFC_O(...): states [B, U, d], tokens [B, V, d_in], codes [U, d_code] → [B, U, d].
   * `template` [U, d] (eval): every example's states equal it, so the folded queries are computed once.
   */
  branch(states: tf.Tensor, tokens: tf.Tensor, codes: tf.Tensor, template?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { heads: H, headDim: dh, tokenDim: din } = this.opts;
      const [B, U] = states.shape as [number, number, number];
      const x = this.senderNorm.forward(tokens); // [B, V, din]
      const qk =
        template == null
          ? this.foldedQueries(states, codes)
          : repeatBatch(
              this.evalCached('templateQueries', [template, codes, ...this.namedParameters().values()], () =>
                this.foldedQueries(template.expandDims(0), codes).squeeze([0]),
              ),
              B,
            );
      let scores = tf.matMul(qk, x, false, true); // [B, H·U, V]
      // A key bias b_K would add q^h_u·b^h_K, constant over v: it cancels in the softmax.
      scores = scores.mul(1 / Math.sqrt(dh));
      const attn = tf.softmax(scores, -1);
      const pooled = tf.matMul(attn, x).reshape([B, H, U, din]).mul(this.value.modulation(codes)); // [B, H, U, din]
      const wv = this.value.weight.reshape([din, H, dh]).transpose([1, 0, 2]); // [H, din, dh]
      let vals = tf.matMul(pooled.transpose([1, 0, 2, 3]).reshape([H, B * U, din]), wv); // [H, B·U, dh]
      vals = vals.reshape([H, B, U, dh]).transpose([1, 0, 2, 3]); // [B, H, U, dh]
      let mixed = mergeHeads(vals); // [B, U, H·dh]
      if (this.value.bias) mixed = mixed.add(this.value.bias);
      return this.layerScale.forward(this.output.forward(mixed, codes));
    });
  }
}

export class ReadIn extends Module {
  readonly attention: ReadInAttention;
  readonly ffn: ModFFN;

  constructor(
    private readonly opts: ReadInOptions,
    rng: Rng,
  ) {
    super();
    this.attention = this.addChild('attention', new ReadInAttention(opts, rng));
    this.ffn = this.addChild(
      'ffn',
      new ModFFN(
        {
          dim: opts.dim,
          hidden: opts.ffnHidden,
          codeDim: opts.codeDim,
          geglu: opts.geglu,
          layerScale: opts.ffnLayerScale,
          dropPath: opts.dropPath,
          modfc: opts.modfc,
        },
        rng,
      ),
    );
  }

  /** Seed states [B, U, d] + tokens [B, V, d_in] → read-in states [B, U, d]; `template`: see ReadInAttention.branch. */
  forward(seeds: tf.Tensor, tokens: tf.Tensor, codes: tf.Tensor, rng: Rng, template?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let m = dropPath(this.attention.branch(seeds, tokens, codes, template), this.opts.dropPath, this.training, rng);
      if (this.opts.residual) m = seeds.add(m);
      return this.ffn.forward(m, codes, rng);
    });
  }
}
