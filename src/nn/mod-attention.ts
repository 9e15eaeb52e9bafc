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
import { repeatBatch } from './repeat-batch.js';
import { foldedAttention, foldingPays, foldQueries } from './folded-attention.js';

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

/** Eval-time shortcuts and the fused residual of ModAttention.branch; each gives the same values as without it. */
export interface AttentionBranchOptions {
  /** Shaped like the result: residual + the branch is returned (fused with the output projection where the backend can). */
  residual?: tf.Tensor | null;
  /**
   * [Ur, d]: every example's receivers equal these rows (seeded states in eval). Their queries are
   * computed once per set of parameters (eval cache) and repeated over the batch.
   */
  receiverTemplate?: tf.Tensor | null;
  /**
   * [Ut, d]: every example's last Ut senders (the last sender part, when the senders come in parts)
   * equal these rows; their keys and values are computed once.
   */
  senderTemplate?: tf.Tensor | null;
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
   * the options add eval-time shortcuts (see AttentionBranchOptions) and the fused residual. The
   * senders may come as parts [B, U_i, d] along the module axis (read-in states, then the receivers'
   * own states): in eval each is normalised once, and receivers that are one of them reuse its rows.
   */
  branch(
    receivers: tf.Tensor,
    senders: tf.Tensor | readonly tf.Tensor[],
    receiverCodes: tf.Tensor,
    senderCodes: tf.Tensor,
    bias: tf.Tensor | null,
    options: AttentionBranchOptions = {},
  ): tf.Tensor {
    return tf.tidy(() => {
      const { residual = null, receiverTemplate = null, senderTemplate = null } = options;
      const H = this.opts.heads;
      const scale = 1 / Math.sqrt(this.opts.headDim);
      const B = receivers.shape[0] as number;
      const evalMode = !this.training && !recordingGradients();
      // In eval the sender parts are normalised and projected as they are (the fused kernels read them
      // without joining them); otherwise they are joined first.
      let parts: tf.Tensor[] = Array.isArray(senders) ? [...(senders as tf.Tensor[])] : [senders as tf.Tensor];
      if (!evalMode && parts.length > 1) parts = [tf.concat(parts, 1)];
      const Us = parts.reduce((n, p) => n + (p.shape[1] as number), 0);
      // Sender rows [Uv, Us) equal senderTemplate in every example: their keys and values are computed once.
      const Ut = senderTemplate?.shape[0] ?? 0;
      const Uv = Us - Ut;
      if (Ut > 0) {
        const last = parts[parts.length - 1] as tf.Tensor;
        const [, U, D] = last.shape as [number, number, number];
        if (U === Ut) parts.pop();
        else if (parts.length === 1) parts = [last.slice([0, 0, 0], [B, U - Ut, D])];
        else throw new Error(`ModAttention: senderTemplate has ${Ut} rows; it must cover the last sender part (${U} rows)`);
      }
      const senderNorm = this.senderNorm ?? this.receiverNorm;
      const sn = parts.map((p) => senderNorm.forward(p));
      const params = (): tf.Tensor[] => [...this.namedParameters().values()];
      const keysOrValues = (fc: ModFC, site: string): tf.Tensor => {
        const varyingCodes = Ut === 0 ? senderCodes : this.codeRows('varyingSenderCodes', senderCodes, 0, Uv);
        const varying = sn.length === 0 ? null : fc.forward(sn, varyingCodes);
        if (Ut === 0) return varying as tf.Tensor;
        const constant = this.evalCached(site, [senderTemplate as tf.Tensor, senderCodes, ...params()], () =>
          fc.forward(senderNorm.forward(senderTemplate as tf.Tensor), this.codeRows('templateSenderCodes', senderCodes, Uv, Ut)),
        );
        const repeated = repeatBatch(constant, B);
        return varying == null ? repeated : tf.concat([varying, repeated], 1);
      };
      const templateQuery = (): tf.Tensor =>
        this.evalCached('templateQuery', [receiverTemplate as tf.Tensor, receiverCodes, ...params()], () =>
          this.query.forward(this.receiverNorm.forward(receiverTemplate as tf.Tensor), receiverCodes),
        );
      const queries = (): tf.Tensor => {
        if (receiverTemplate != null) return repeatBatch(templateQuery(), B);
        // In eval with a shared norm, receivers that are one of the sender parts take its normalised
        // rows (the same values) instead of a second layer norm.
        const part = this.senderNorm == null && evalMode ? parts.indexOf(receivers) : -1;
        return this.query.forward(part >= 0 ? (sn[part] as tf.Tensor) : this.receiverNorm.forward(receivers), receiverCodes);
      };
      const { dim, heads, headDim } = this.opts;
      const Ur = receivers.shape[1] as number;
      let mixed: tf.Tensor | null = null;
      if (evalMode && Ut === 0 && !recordingAttention() && foldingPays(Ur, Us, dim, heads, headDim)) {
        // Few receivers, many senders (the read-out): W_K and W_V folded into the queries and the output.
        const qf =
          receiverTemplate != null
            ? this.evalCached('foldedTemplateQuery', [receiverTemplate, receiverCodes, ...params()], () =>
                foldQueries(templateQuery(), this.key.weight, H),
              )
            : foldQueries(queries(), this.key.weight, H);
        const projections = {
          keyModulation: this.key.modulation(senderCodes),
          valueModulation: this.value.modulation(senderCodes),
          valueWeight: this.value.weight,
          valueBias: this.value.bias,
        };
        mixed = foldedAttention(qf, sn.length === 1 ? (sn[0] as tf.Tensor) : tf.concat(sn, 1), projections, bias, H, scale);
      } else {
        const q = queries();
        const k = keysOrValues(this.key, 'templateKeys');
        const v = keysOrValues(this.value, 'templateValues');
        // One fused kernel where the backend has it (eval on wasm), unless attention weights are recorded.
        mixed = recordingAttention() ? null : fusedAttention(q, k, v, bias, H, scale);
        if (mixed == null) {
          let scores = tf.matMul(splitHeads(q, H), splitHeads(k, H), false, true).mul(scale);
          if (bias) scores = scores.add(bias.rank === 3 ? bias.expandDims(1) : bias);
          const attn = tf.softmax(scores, -1);
          noteAttention(attn);
          mixed = mergeHeads(tf.matMul(attn, splitHeads(v, H)));
        }
      }
      if (residual != null) return this.output.forward(mixed, receiverCodes, { gain: this.layerScale.gamma, residual });
      return this.layerScale.forward(this.output.forward(mixed, receiverCodes));
    });
  }

  /** Rows [start, start + n) of codes [U, d_code], held by the eval cache so that ModFC's modulation cache keeps hitting. */
  private codeRows(site: string, codes: tf.Tensor, start: number, n: number): tf.Tensor {
    return this.evalCached(site, [codes], () => codes.slice([start, 0], [n, codes.shape[1] as number]));
  }
}
