/**
 * Multiplicative code noise (the reference's VectorScaleNoise), training only:
 * c ← c + U(−σ|c|, σ|c|) elementwise. One draw per call, shared across the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { uniformNoise } from '../engine/random.js';
import type { Rng } from '../util/rng.js';

export function codeNoise(codes: tf.Tensor, sigma: number, training: boolean, rng: Rng): tf.Tensor {
  if (!training || sigma <= 0) return codes;
  return tf.tidy(() => {
    const u = uniformNoise(codes.shape, -1, 1, rng.seed());
    return codes.add(codes.abs().mul(u).mul(sigma));
  });
}
