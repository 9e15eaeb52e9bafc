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
import { fusedLinearTakesParts } from '../engine/kernels/linear-simd.js';
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

/** What ModAttention.branch's steps share. */
interface BranchInput {
  receivers: tf.Tensor;
  receiverCodes: tf.Tensor;
  senderCodes: tf.Tensor;
  receiverTemplate: tf.Tensor | null;
  senderTemplate: tf.Tensor | null;
  /** Eval mode and no gradient recorded: the eval shortcuts apply. */
  evalMode: boolean;
  /** The senders' parts without the template rows, and their normalised rows. */
  parts: tf.Tensor[];
  normalised: tf.Tensor[];
  /** What the key and value products read: the normalised parts, or them joined once where the linear kernel cannot take parts. */
  projected: tf.Tensor[];
  /** All senders, and the template rows among them. */
  Us: number;
  Ut: number;
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
      const evalMode = !this.training && !recordingGradients();
      const input: BranchInput = {
        receivers,
        receiverCodes,
        senderCodes,
        receiverTemplate,
        senderTemplate,
        evalMode,
        ...this.senderRows(senders, senderTemplate, evalMode),
      };
      const { dim, heads, headDim } = this.opts;
      const Ur = receivers.shape[1] as number;
      const fold = evalMode && input.Ut === 0 && !recordingAttention() && foldingPays(Ur, input.Us, dim, heads, headDim);
      const mixed = fold ? this.foldedMix(input, bias) : this.projectedMix(input, bias);
      if (residual != null) return this.output.forward(mixed, receiverCodes, { gain: this.layerScale.gamma, residual });
      return this.layerScale.forward(this.output.forward(mixed, receiverCodes));
    });
  }

  /**
   * The senders as parts, and their normalised rows: in eval the parts stay apart (the fused kernels
   * read them without joining them), otherwise they are joined; rows equal to senderTemplate (the last
   * Ut) are left out of the parts.
   */
  private senderRows(senders: tf.Tensor | readonly tf.Tensor[], template: tf.Tensor | null, evalMode: boolean) {
    let parts: tf.Tensor[] = Array.isArray(senders) ? [...(senders as tf.Tensor[])] : [senders as tf.Tensor];
    if (!evalMode && parts.length > 1) parts = [tf.concat(parts, 1)];
    const Us = parts.reduce((n, p) => n + (p.shape[1] as number), 0);
    const Ut = template?.shape[0] ?? 0;
    if (Ut > 0) {
      const last = parts[parts.length - 1] as tf.Tensor;
      const [B, U, D] = last.shape as [number, number, number];
      if (U === Ut) parts.pop();
      else if (parts.length === 1) parts = [last.slice([0, 0, 0], [B, U - Ut, D])];
      else throw new Error(`ModAttention: senderTemplate has ${Ut} rows; it must cover the last sender part (${U} rows)`);
    }
    const norm = this.senderNorm ?? this.receiverNorm;
    const normalised = parts.map((p) => norm.forward(p));
    const projected = normalised.length > 1 && !fusedLinearTakesParts() ? [tf.concat(normalised, 1)] : normalised;
    return { parts, normalised, projected, Us, Ut };
  }

  private params(): tf.Tensor[] {
    return [...this.namedParameters().values()];
  }

  /** The receivers' queries [B, Ur, H·dh]; from the cached template query where there is one. */
  private queries(input: BranchInput): tf.Tensor {
    const { receivers, receiverCodes, receiverTemplate, parts, normalised, evalMode } = input;
    if (receiverTemplate != null) return repeatBatch(this.templateQuery(receiverTemplate, receiverCodes), receivers.shape[0] as number);
    // In eval with a shared norm, receivers that are one of the sender parts take its normalised rows
    // (the same values) instead of a second layer norm.
    const part = this.senderNorm == null && evalMode ? parts.indexOf(receivers) : -1;
    return this.query.forward(part >= 0 ? (normalised[part] as tf.Tensor) : this.receiverNorm.forward(receivers), receiverCodes);
  }

  /** The query [Ur, H·dh] of receivers equal to `template` in every example, computed once per parameters. */
  private templateQuery(template: tf.Tensor, codes: tf.Tensor): tf.Tensor {
    return this.evalCached('templateQuery', [template, codes, ...this.params()], () =>
      this.query.forward(this.receiverNorm.forward(template), codes),
    );
  }

  /** Keys or values [B, Us, H·dh] of the senders; those of the template rows computed once per parameters. */
  private keysOrValues(fc: ModFC, site: string, input: BranchInput): tf.Tensor {
    const { senderCodes, senderTemplate, projected, Us, Ut } = input;
    if (Ut === 0) return fc.forward(projected, senderCodes);
    const Uv = Us - Ut;
    const constant = this.evalCached(site, [senderTemplate as tf.Tensor, senderCodes, ...this.params()], () =>
      fc.forward(
        (this.senderNorm ?? this.receiverNorm).forward(senderTemplate as tf.Tensor),
        this.codeRows('templateSenderCodes', senderCodes, Uv, Ut),
      ),
    );
    const repeated = repeatBatch(constant, input.receivers.shape[0] as number);
    if (projected.length === 0) return repeated;
    return tf.concat([fc.forward(projected, this.codeRows('varyingSenderCodes', senderCodes, 0, Uv)), repeated], 1);
  }

  /** softmax(q·kᵀ/√dh + bias)·v merged over heads, [B, Ur, H·dh], from projected keys and values. */
  private projectedMix(input: BranchInput, bias: tf.Tensor | null): tf.Tensor {
    const H = this.opts.heads;
    const scale = 1 / Math.sqrt(this.opts.headDim);
    const q = this.queries(input);
    const k = this.keysOrValues(this.key, 'templateKeys', input);
    const v = this.keysOrValues(this.value, 'templateValues', input);
    // One fused kernel where the backend has it (eval on wasm), unless attention weights are recorded.
    const fused = recordingAttention() ? null : fusedAttention(q, k, v, bias, H, scale);
    if (fused != null) return fused;
    let scores = tf.matMul(splitHeads(q, H), splitHeads(k, H), false, true).mul(scale);
    if (bias) scores = scores.add(bias.rank === 3 ? bias.expandDims(1) : bias);
    const attn = tf.softmax(scores, -1);
    noteAttention(attn);
    return mergeHeads(tf.matMul(attn, splitHeads(v, H)));
  }

  /** The same as projectedMix with W_K and W_V folded into the queries and the output (./folded-attention.ts). */
  private foldedMix(input: BranchInput, bias: tf.Tensor | null): tf.Tensor {
    const H = this.opts.heads;
    const { receiverTemplate, receiverCodes, senderCodes, projected } = input;
    const qf =
      receiverTemplate != null
        ? this.evalCached('foldedTemplateQuery', [receiverTemplate, receiverCodes, ...this.params()], () =>
            foldQueries(this.templateQuery(receiverTemplate, receiverCodes), this.key.weight, H),
          )
        : foldQueries(this.queries(input), this.key.weight, H);
    const projections = {
      keyModulation: this.key.modulation(senderCodes),
      valueModulation: this.value.modulation(senderCodes),
      valueWeight: this.value.weight,
      valueBias: this.value.bias,
    };
    const senders = projected.length === 1 ? (projected[0] as tf.Tensor) : tf.concat(projected, 1);
    return foldedAttention(qf, senders, projections, bias, H, 1 / Math.sqrt(this.opts.headDim));
  }

  /** Rows [start, start + n) of codes [U, d_code], held by the eval cache so that ModFC's modulation cache keeps hitting. */
  private codeRows(site: string, codes: tf.Tensor, start: number, n: number): tf.Tensor {
    return this.evalCached(site, [codes], () => codes.slice([start, 0], [n, codes.shape[1] as number]));
  }
}
