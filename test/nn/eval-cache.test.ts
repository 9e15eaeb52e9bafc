// The eval cache (src/nn/eval-cache.ts): a NAC in eval mode generates its circuit once, reuses it
// bit-for-bit, never returns a stale value after a parameter write, holds a fixed number of tensors,
// frees them on train(), and stays out of the way of gradients.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { EvalCache, evalCacheEnabled } from '../../src/nn/eval-cache.js';
import { quadrantBatch } from '../helpers/synthetic.js';

const logitsOf = (model: NAC, x: tf.Tensor): Float32Array => {
  const y = model.forward(x);
  const v = y.dataSync() as Float32Array;
  y.dispose();
  return v.slice();
};

describe('EvalCache', () => {
  it('computes once per distinct input data and keeps the last few sets per site', () => {
    const cache = new EvalCache();
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor1d([3, 4]);
    let calls = 0;
    const twice = (t: tf.Tensor) => cache.get('site', [t], () => (calls++, t.mul(2)));
    const first = twice(a);
    expect(twice(a)).toBe(first);
    expect(Array.from(twice(b).dataSync())).toEqual([6, 8]);
    expect(twice(a)).toBe(first);
    expect(calls).toBe(2);
    expect([cache.hits, cache.misses, cache.size]).toEqual([2, 2, 2]);
    // A tf.tidy around a lookup does not free the cached value.
    tf.tidy(() => twice(a).add(1));
    expect(first.isDisposed).toBe(false);
    const n = tf.memory().numTensors;
    cache.clear();
    expect(tf.memory().numTensors).toBe(n - 2);
    tf.dispose([a, b]);
  });
});

describe('NAC eval forward with the circuit cached', () => {
  // The cache's own behaviour: skipped when NAC_EVAL_CACHE=0 turns it off (bench A/B runs).
  it.skipIf(!evalCacheEnabled)('gives bit-identical logits, reuses the circuit and holds a fixed number of tensors', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 3 }).eval();
    const { x } = quadrantBatch(5, 1);
    const first = logitsOf(model, x);
    const held = tf.memory().numTensors;
    const stats0 = model.evalCacheStats();
    expect(stats0.size).toBeGreaterThan(10);
    const second = logitsOf(model, x);
    const third = logitsOf(model, x);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(tf.memory().numTensors).toBe(held);
    const stats = model.evalCacheStats();
    expect(stats.misses).toBe(stats0.misses);
    expect(stats.hits).toBeGreaterThanOrEqual(2 * stats0.misses);
    // The same logits with every cached value recomputed.
    model.clearEvalCaches();
    expect(logitsOf(model, x)).toEqual(first);
    // train() frees the cached values.
    model.train();
    expect(tf.memory().numTensors).toBe(held - stats.size);
    expect(model.evalCacheStats().size).toBe(0);
    x.dispose();
    model.dispose();
  });

  it('never serves a stale circuit: a parameter write changes the eval output as a fresh model would', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 4 }).eval();
    const fresh = new NAC(nacPreset('cpu-tiny'), { seed: 4 }).eval();
    const { x } = quadrantBatch(4, 2);
    const before = logitsOf(model, x);
    const params = model.namedParameters();
    const changed = new Map<string, tf.Tensor>();
    for (const name of ['circuit.latents.propagator.codes', 'circuit.latents.propagator.signatures']) {
      const p = params.get(name);
      if (!p) throw new Error(`no parameter ${name}`);
      changed.set(
        name,
        tf.tidy(() => p.add(tf.randomNormal(p.shape, 0, 0.5, 'float32', 9))),
      );
    }
    for (const [name, t] of changed) (params.get(name) as tf.Variable).assign(t);
    fresh.loadParameters(model.namedParameters());
    const after = logitsOf(model, x);
    expect(after).not.toEqual(before);
    expect(after).toEqual(logitsOf(fresh, x));
    tf.dispose([x, ...changed.values()]);
    model.dispose();
    fresh.dispose();
  });

  it('does not cut gradients: eval-mode gradients w.r.t. codes equal those with a cold cache', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 5 }).eval();
    const { x } = quadrantBatch(4, 3);
    const codes = model.namedParameters().get('circuit.latents.propagator.codes') as tf.Variable;
    const gradOfCodes = (): Float32Array =>
      tf
        .tidy(() => {
          const { grads } = tf.variableGrads(() => model.forward(x).square().sum() as tf.Scalar, [codes]);
          return (grads[codes.name] as tf.Tensor).dataSync() as Float32Array;
        })
        .slice();
    const cold = gradOfCodes();
    logitsOf(model, x); // fills the cache
    const warm = gradOfCodes();
    expect(warm).toEqual(cold);
    expect(Math.max(...Array.from(warm, Math.abs))).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });
});
