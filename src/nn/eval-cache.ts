/**
 * Reuse of parameter-only results across eval-mode forwards: the circuit is generated once.
 *
 * A NAC's circuit generator (module codes → ModFC modulations, signatures → attention kernels, codes →
 * seeded states) depends on the parameters only, not on the input. In training it is recomputed each
 * step (the parameters change and the noise is fresh); in eval mode it is the same for every batch, yet
 * a forward recomputed it: for the paper-tiny NAC, 1,098 of its 1,804 non-trivial kernels. On a GPU,
 * where each kernel costs tens of microseconds of host time, that was most of the forward.
 *
 * An EvalCache keeps, per call site, the last value and the data identities of the tensors it was
 * computed from. Every write to a tf.Variable (optimizer step, assign, loadParameters) gives it a new
 * data identity, so a stale value is never returned. Nothing is cached while gradients are being
 * recorded (a cached value would cut the gradient path to the parameters) or in training mode.
 */
import * as tf from '@tensorflow/tfjs';
import { envSwitch } from '../engine/environment.js';

interface Entry {
  keys: object[];
  value: tf.Tensor;
}

/** False when the environment sets NAC_EVAL_CACHE=0 (for A/B timing in bench/); read once. */
export const evalCacheEnabled = envSwitch('NAC_EVAL_CACHE');

/** Whether tfjs is recording operations for a gradient (inside tf.grad / variableGrads / customGrad). */
export function recordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 0) > 0;
}

/** Values kept per call site (a site may see a few distinct inputs per forward, e.g. two code sets). */
const PER_SITE = 4;

/** Per-site memo of parameter-only values (see the file comment). */
export class EvalCache {
  private readonly sites = new Map<string, Entry[]>();
  /** Lookups answered from the cache, and computations stored (for tests and benches). */
  hits = 0;
  misses = 0;

  /**
   * The value of `compute()` for these inputs: computed at most once per distinct set of input data
   * (the last few sets per site are kept). The returned tensor belongs to the cache (it survives
   * tf.tidy); callers must not dispose it.
   */
  get(site: string, inputs: readonly tf.Tensor[], compute: () => tf.Tensor): tf.Tensor {
    const keys = inputs.map((t) => t.dataId);
    let entries = this.sites.get(site);
    if (entries === undefined) {
      entries = [];
      this.sites.set(site, entries);
    }
    const hit = entries.find((e) => !e.value.isDisposed && e.keys.length === keys.length && e.keys.every((k, i) => k === keys[i]));
    if (hit) {
      this.hits++;
      return hit.value;
    }
    if (entries.length >= PER_SITE) entries.shift()?.value.dispose();
    const value = tf.keep(compute());
    entries.push({ keys, value });
    this.misses++;
    return value;
  }

  /** Number of values held. */
  get size(): number {
    let n = 0;
    for (const e of this.sites.values()) n += e.length;
    return n;
  }

  /** Frees every held value. */
  clear(): void {
    for (const entries of this.sites.values()) for (const e of entries) e.value.dispose();
    this.sites.clear();
  }
}
