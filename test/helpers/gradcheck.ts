// Finite-difference gradient checks: compares tf.grads against central differences on sampled coordinates.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/util/rng.js';

export interface GradCheckResult {
  maxAbsError: number;
  maxRelError: number;
  checked: number;
}

/**
 * Checks d f / d vars at `samples` random coordinates of each variable. `f` must return a scalar and
 * be deterministic. Uses central differences with step `eps` (float32: keep eps around 1e-2..1e-3).
 */
export function gradCheck(
  f: () => tf.Scalar,
  vars: tf.Variable[],
  opts: { eps?: number; samples?: number; seed?: number } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-2;
  const samples = opts.samples ?? 6;
  const rng = new Rng(opts.seed ?? 1);
  const { grads } = tf.variableGrads(f, vars);
  let maxAbsError = 0;
  let maxRelError = 0;
  let checked = 0;
  for (const v of vars) {
    const g = (grads[v.name] as tf.Tensor).dataSync();
    const base = v.dataSync().slice();
    for (let s = 0; s < Math.min(samples, base.length); s++) {
      const i = rng.int(base.length);
      const at = (delta: number): number => {
        const copy = base.slice();
        copy[i] = (copy[i] as number) + delta;
        v.assign(tf.tensor(copy, v.shape));
        return tf.tidy(() => f().dataSync()[0] as number);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      const an = g[i] as number;
      const abs = Math.abs(fd - an);
      maxAbsError = Math.max(maxAbsError, abs);
      maxRelError = Math.max(maxRelError, abs / Math.max(1e-2, Math.abs(fd), Math.abs(an)));
      checked++;
    }
  }
  for (const g of Object.values(grads)) g.dispose();
  return { maxAbsError, maxRelError, checked };
}

/** A fixed random projection so a tensor-valued output becomes a scalar with a non-trivial gradient. */
export function randomProjection(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  return tf.tensor(rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}
