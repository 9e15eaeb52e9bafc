/**
 * Parameter initialisers, all drawn from the project's seeded {@link Rng} so that a seed fixes
 * every weight on every backend. They follow PyTorch's defaults, which the reference uses.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';

/** PyTorch nn.Linear default (kaiming_uniform with a = √5): U(−1/√fanIn, 1/√fanIn). */
export function linearWeight(rng: Rng, fanIn: number, shape: number[]): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.tensor(rng.uniformArray(sizeOf(shape), -bound, bound), shape);
}

/** Normal(mean, std²) of the given shape. */
export function normal(rng: Rng, shape: number[], std = 1, mean = 0): tf.Tensor {
  return tf.tensor(rng.normalArray(sizeOf(shape), std, mean), shape);
}

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, shape: number[], lo: number, hi: number): tf.Tensor {
  return tf.tensor(rng.uniformArray(sizeOf(shape), lo, hi), shape);
}

/** Truncated normal as timm's trunc_normal_ (std, cut at ±2). */
export function truncNormal(rng: Rng, shape: number[], std: number): tf.Tensor {
  const n = sizeOf(shape);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = rng.normal();
    while (Math.abs(z * std) > 2) z = rng.normal();
    out[i] = z * std;
  }
  return tf.tensor(out, shape);
}

/** Number of elements in a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
