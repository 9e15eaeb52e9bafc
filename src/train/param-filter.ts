/**
 * Which parameters the optimizer updates and which of them get weight decay.
 *
 * The rule follows the official NAC templates' `no_weight_decay_filter` (spec §2.1): no decay on
 * parameters with at most one dimension, on biases and norms, on the module codes and signatures and
 * on positional grids/embeddings. (The m2mKD configs decay everything; pass `decay: () => true` to
 * AdamW for that.)
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';

/**
 * Dotted-name segments whose parameters are never decayed, whatever their shape:
 * - `codes`, `signatures`: the circuit generator's per-module codes and signatures (`circuit.latents.<g>.*`);
 * - `latents`: anything under `circuit.latents`, and the Perceiver IO latent array `latents`;
 * - `classificationQuery`: the Perceiver IO decoder query (a learned token, like a ViT class token);
 * - `positional*`: `tokenizer.positionalGrid` (ConvNeXt) and `tokenizer.positionalEmbedding` (patch);
 * - `bias`, `gain`, `gamma`, `bandwidth` and any `*norm`/`*Norm` module (LayerNorm weight and bias).
 * The last group is 0-d or 1-d in every model here, so the dimension rule already covers it; the
 * names are listed so that the rule also holds for a future layer that stores them with more dims.
 */
export const NO_DECAY_SEGMENT =
  /(^|\.)(codes|signatures|latents|classificationQuery|positional[A-Za-z]*|grid|bias|gain|gamma|bandwidth|[A-Za-z]*[Nn]orm)(\.|$)/;

/**
 * The default weight-decay filter: true (decay) only for parameters with two or more dimensions whose
 * dotted name has no segment matching {@link NO_DECAY_SEGMENT}. So in a NAC the decayed parameters are
 * the ModFC `weight` and `codeProj` matrices, the seeder's `mean`/`logVar` weights, the pooling
 * `scorer`/`classifier` weights and the tokenizer's projection/convolution filters; biases, LayerNorm
 * weights, ModFC gains, LayerScale gammas, kernel bandwidths, codes, signatures and positional
 * grids/embeddings are not decayed.
 */
export function noDecayDefault(name: string, shape: readonly number[]): boolean {
  if (shape.length <= 1) return false;
  return !NO_DECAY_SEGMENT.test(name);
}

/** The trainable parameters of a module keyed by dotted name, in registration order (what AdamW takes). */
export function trainableNamedParameters(model: Module): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [name, v] of model.namedParameters()) if (v.trainable) out.set(name, v);
  return out;
}

/** Counts of tensors and scalars in the decayed and non-decayed groups, for logs. */
export function decaySplit(
  params: ReadonlyMap<string, tf.Variable>,
  decay: (name: string, shape: readonly number[]) => boolean = noDecayDefault,
): { decay: { tensors: number; scalars: number }; noDecay: { tensors: number; scalars: number } } {
  const out = { decay: { tensors: 0, scalars: 0 }, noDecay: { tensors: 0, scalars: 0 } };
  for (const [name, v] of params) {
    const g = decay(name, v.shape) ? out.decay : out.noDecay;
    g.tensors++;
    g.scalars += v.size;
  }
  return out;
}
