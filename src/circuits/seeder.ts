/**
 * The latent seeder (spec §1.3, mode a): each module's initial state θ⁽⁰⁾ from its code,
 *   θ⁽⁰⁾ = W_μ LN(c̃) + b_μ + exp(½(W_σ LN(c̃) + b_σ)) ⊙ ε,   ε ~ N(0, I) per example,
 * with an affine LN and b_σ initialised to −5. Shared by all module groups. In eval mode the state is
 * its mean (no noise), which makes evaluation deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { normalNoise } from '../engine/random.js';
import { repeatBatch } from '../nn/repeat-batch.js';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import type { Rng } from '../util/rng.js';
import { codeNoise } from './code-noise.js';

export class LatentSeeder extends Module {
  readonly norm: LayerNorm;
  readonly mean: Linear;
  readonly logVar: Linear;

  constructor(
    codeDim: number,
    readonly stateDim: number,
    rng: Rng,
    private readonly noise: { codeNoise: number; logVarBias: number },
  ) {
    super();
    this.norm = this.addChild('norm', new LayerNorm(codeDim));
    this.mean = this.addChild('mean', new Linear(codeDim, stateDim, rng));
    this.logVar = this.addChild('logVar', new Linear(codeDim, stateDim, rng));
    tf.tidy(() => this.logVar.bias?.assign(tf.fill([stateDim], noise.logVarBias)));
  }

  /**
   * Eval mode: the state [U, d] every example starts from (the mean), computed once per set of codes and
   * parameters (../nn/eval-cache.ts; owned by the cache, not to be disposed). Training mode: null (the
   * states are sampled per example).
   */
  evalState(codes: tf.Tensor): tf.Tensor | null {
    if (this.training) return null;
    return this.evalCached('mean', [codes, ...this.namedParameters().values()], () => this.mean.forward(this.norm.forward(codes)));
  }

  /** Codes [U, d_code] → states [B, U, d]. */
  forward(codes: tf.Tensor, batch: number, rng: Rng): tf.Tensor {
    const mu = this.evalState(codes);
    if (mu != null) return tf.tidy(() => repeatBatch(mu, batch));
    return tf.tidy(() => {
      const c = this.norm.forward(codeNoise(codes, this.noise.codeNoise, this.training, rng));
      const mu = this.mean.forward(c);
      const [U, d] = mu.shape as [number, number];
      const std = tf.exp(this.logVar.forward(c).mul(0.5));
      const eps = normalNoise([batch, U, d], rng.seed());
      return mu.expandDims(0).add(std.expandDims(0).mul(eps));
    });
  }
}
