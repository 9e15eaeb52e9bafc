// Shared fixtures of the pruning tests: a cpu-tiny NAC whose kept and removed modules live in
// orthogonal signature subspaces, so that no kernel (propagator or read-out) links them.
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import type { NACConfig } from '../../src/config/nac-config.js';
import { Rng } from '../../src/util/rng.js';

/** cpu-tiny (4 read-in, 8 propagators, 2 read-out, d_sig 8, τ 0.9) with a truncated read-out kernel too. */
export function tinyConfig(): NACConfig {
  const cfg = nacPreset('cpu-tiny');
  return { ...cfg, readOutKernel: { ...cfg.readOutKernel, truncation: 0.9 } };
}

/**
 * Signatures [n, 8]: rows in `far` point into dims 4…7, the others into dims 0…3, all entries of the
 * used half in [0.5, 1] (so near rows have cosine distance < 0.2, and near vs far exactly 1 > τ).
 */
export function splitSignatures(n: number, far: number[], seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const v = new Float32Array(n * 8);
  for (let u = 0; u < n; u++) {
    const off = far.includes(u) ? 4 : 0;
    for (let k = 0; k < 4; k++) v[u * 8 + off + k] = 0.5 + 0.5 * rng.uniform();
  }
  return tf.tensor2d(v, [n, 8]);
}

/** A tiny NAC (eval mode) with the given far read-in and propagator modules; read-outs are all near. */
export function splitNAC(farReadIn: number[], farPropagators: number[], cfg = tinyConfig()): NAC {
  const model = new NAC(cfg, { seed: 3, skipPriorFit: true }).eval();
  const { latents } = model.circuit;
  const set = (v: tf.Variable, t: tf.Tensor) => {
    v.assign(t);
    t.dispose();
  };
  set(latents.readIn.signatures, splitSignatures(cfg.numReadIn, farReadIn, 1));
  set(latents.propagator.signatures, splitSignatures(cfg.numPropagators, farPropagators, 2));
  set(latents.readOut.signatures, splitSignatures(cfg.numReadOut, [], 3));
  return model;
}

/** Random 8×8 grey images [n, 8, 8, 1]. */
export function images(n: number, seed: number): tf.Tensor4D {
  return tf.tensor4d(new Rng(seed).uniformArray(n * 64, 0, 1), [n, 8, 8, 1]);
}

/** Largest absolute difference of two tensors. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number);
}
