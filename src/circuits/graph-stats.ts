/**
 * Statistics of a circuit's learned connectivity: the kernel graph among propagator modules
 * (pairs u ≠ v with non-zero kernel, i.e. cosine distance ≤ τ), its density and mean degree.
 */
import * as tf from '@tensorflow/tfjs';
import type { Circuit } from './circuit.js';
import { cosineDistance } from './kernel.js';

export interface GraphStats {
  /** Number of propagator modules. */
  modules: number;
  /** Truncation τ used (null: none, every pair connected). */
  truncation: number | null;
  /** Fraction of ordered pairs u ≠ v with d_uv ≤ τ. */
  density: number;
  /** Mean number of propagator neighbours per propagator module. */
  meanDegree: number;
}

/** Density of the propagator-to-propagator kernel graph (eval, expected kernel). */
export function propagatorGraphStats(circuit: Circuit): GraphStats {
  const s = circuit.latents.propagator.signatures;
  const n = s.shape[0] as number;
  const tau = circuit.cfg.kernel.truncation;
  const edges = tf.tidy(() => {
    const d = cosineDistance(s, s);
    const within = tau === null ? tf.onesLike(d) : d.lessEqual(tau).toFloat();
    return (within.sum().dataSync()[0] as number) - n; // drop self-pairs (d = 0 ≤ τ)
  });
  const pairs = n * (n - 1);
  return { modules: n, truncation: tau, density: pairs ? edges / pairs : 0, meanDegree: n ? edges / n : 0 };
}
