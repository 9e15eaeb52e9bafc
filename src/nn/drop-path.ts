/**
 * DropPath (stochastic depth), per sample: in training each example's residual branch is zeroed with
 * probability p and otherwise scaled by 1/(1 − p); identity in eval mode or when p = 0.
 */
import * as tf from '@tensorflow/tfjs';
import { uniformNoise } from '../engine/random.js';
import type { Rng } from '../util/rng.js';

/** Applies DropPath to a branch output x [B, ...]; `rng` makes the draw reproducible. */
export function dropPath(x: tf.Tensor, p: number, training: boolean, rng: Rng): tf.Tensor {
  if (!training || p <= 0) return x;
  return tf.tidy(() => {
    const keep = 1 - p;
    const maskShape = [x.shape[0] as number, ...x.shape.slice(1).map(() => 1)];
    const mask = uniformNoise(maskShape, 0, 1, rng.seed()).less(keep).toFloat();
    return x.mul(mask).div(keep);
  });
}
