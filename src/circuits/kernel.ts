/**
 * The signature kernel of SKMDPA (spec §1.5): who talks to whom.
 *
 *   d_uv = 1 − ŝ_u·ŝ_v                 (cosine distance of signatures, in [0, 2])
 *   K_uv = exp(−d_uv/ε)  if d_uv ≤ τ, else 0     (straight-through truncation: the backward pass
 *                                                 uses the gradient of exp(−d/ε) everywhere)
 * Training with `stochastic`: per example (shared across heads), K̃ ~ RelaxedBernoulli(K, T),
 *   K̃ = σ((logit K + log U − log(1−U)) / T),  then pairs beyond τ are set back to exactly 0.
 * Eval: the expected kernel K. The attention uses log K̃ (−∞ for zero pairs) as an additive bias.
 */
import * as tf from '@tensorflow/tfjs';
import { uniformNoise } from '../engine/random.js';
import { Module } from '../nn/module.js';
import { stopGradient, straightThrough } from '../nn/gradients.js';
import type { KernelConfig } from '../config/nac-config.js';

/** Probability clamp used before the logit, as torch's relaxed Bernoulli (float32 eps). */
const PROB_EPS = 1.1920928955078125e-7;

/** Cosine distance matrix between row sets a [U, s] and b [V, s] → [U, V]. */
export function cosineDistance(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const an = a.div(tf.norm(a, 2, -1, true).maximum(1e-12));
    const bn = b.div(tf.norm(b, 2, -1, true).maximum(1e-12));
    return tf.scalar(1).sub(tf.matMul(an, bn, false, true));
  });
}

export class SignatureKernel extends Module {
  /** ε, the learnable (or fixed) bandwidth. */
  readonly bandwidth: tf.Variable;

  constructor(readonly cfg: KernelConfig) {
    super();
    this.bandwidth = this.addParam('bandwidth', tf.scalar(cfg.bandwidth), cfg.learnableBandwidth);
  }

  /** The truncation mask (1 keep, 0 cut) for a distance matrix; all ones without truncation. */
  mask(distance: tf.Tensor): tf.Tensor {
    const tau = this.cfg.truncation;
    return tau === null ? tf.onesLike(distance) : distance.lessEqual(tau).toFloat();
  }

  /** The (unsampled) truncated kernel K with straight-through truncation gradient. [U, V]. */
  kernel(receivers: tf.Tensor, senders: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const d = cosineDistance(receivers, senders);
      const k = tf.exp(d.neg().div(this.bandwidth));
      if (this.cfg.truncation === null) return k;
      return straightThrough(k.mul(stopGradient(this.mask(d))), k);
    });
  }

  /**
   * The additive attention bias log K̃: [U, V] in eval or without sampling, [B, U, V] when sampling
   * in training (one draw per example, shared across heads). Cut pairs are exactly −∞.
   */
  logKernel(receivers: tf.Tensor, senders: tf.Tensor, batch: number, training: boolean, seed: number): tf.Tensor {
    if (!(training && this.cfg.stochastic)) {
      // Parameter-only: generated once per set of signatures in eval mode (../nn/eval-cache.ts).
      return this.evalCached('logKernel', [receivers, senders, this.bandwidth], () =>
        this.logKernelSampled(receivers, senders, 0, false, 0),
      );
    }
    return this.logKernelSampled(receivers, senders, batch, true, seed);
  }

  private logKernelSampled(receivers: tf.Tensor, senders: tf.Tensor, batch: number, sample: boolean, seed: number): tf.Tensor {
    return tf.tidy(() => {
      const d = cosineDistance(receivers, senders);
      const logK = d.neg().div(this.bandwidth);
      const cut = stopGradient(tf.where(this.mask(d).greater(0), tf.zerosLike(d), tf.fill(d.shape, -Infinity)));
      if (!sample) return this.cfg.truncation === null ? logK : logK.add(cut);
      const k = straightThrough(tf.exp(logK).clipByValue(PROB_EPS, 1 - PROB_EPS), tf.exp(logK));
      const logits = tf.log(k).sub(tf.log1p(k.neg())); // logit K
      const [U, V] = d.shape as [number, number];
      const u = uniformNoise([batch, U, V], PROB_EPS, 1 - PROB_EPS, seed);
      const noise = tf.log(u).sub(tf.log1p(u.neg()));
      const z = logits.expandDims(0).add(noise).div(this.cfg.temperature);
      // log K̃ = log σ(z) = −softplus(−z). (tf.logSigmoid's gradient reads a tensor that tidy has freed.)
      const logSample = tf.softplus(z.neg()).neg();
      return this.cfg.truncation === null ? logSample : logSample.add(cut.expandDims(0));
    });
  }
}
