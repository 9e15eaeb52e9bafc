// SKMDPA kernel: eval properties, exact sparsity after sampling, sampling statistics and straight-through gradients.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { SignatureKernel, cosineDistance } from '../../src/circuits/kernel.js';
import type { KernelConfig } from '../../src/config/nac-config.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';

const cfg = (over: Partial<KernelConfig> = {}): KernelConfig => ({
  truncation: 0.9,
  bandwidth: 0.7,
  learnableBandwidth: true,
  stochastic: true,
  temperature: 0.5,
  ...over,
});

describe('SignatureKernel', () => {
  it('eval: self-pairs weigh exactly 1 and pairs beyond τ exactly 0; K = exp(−d/ε) inside', () => {
    const k = new SignatureKernel(cfg());
    const s = randomProjection([12, 6], 1);
    const K = k.kernel(s, s).arraySync() as number[][];
    const d = cosineDistance(s, s).arraySync() as number[][];
    const logK = k.logKernel(s, s, 3, false, 0).arraySync() as number[][];
    let cut = 0;
    for (let u = 0; u < 12; u++) {
      expect(K[u]![u]).toBeCloseTo(1, 6);
      expect(logK[u]![u]).toBeCloseTo(0, 6);
      for (let v = 0; v < 12; v++) {
        if (d[u]![v]! > 0.9) {
          cut++;
          expect(K[u]![v]).toBe(0);
          expect(logK[u]![v]).toBe(-Infinity);
        } else {
          expect(K[u]![v]).toBeCloseTo(Math.exp(-d[u]![v]! / 0.7), 5);
        }
      }
    }
    expect(cut).toBeGreaterThan(10); // the test data really exercises the truncation
    k.dispose();
  });

  it('training samples: one [B, U, V] draw per example, exact zeros beyond τ', () => {
    const k = new SignatureKernel(cfg());
    const s = randomProjection([10, 6], 2);
    const d = cosineDistance(s, s).arraySync() as number[][];
    const samples = tf.exp(k.logKernel(s, s, 4, true, 123));
    expect(samples.shape).toEqual([4, 10, 10]);
    const v = samples.arraySync() as number[][][];
    for (let b = 0; b < 4; b++)
      for (let i = 0; i < 10; i++)
        for (let j = 0; j < 10; j++) {
          if (d[i]![j]! > 0.9) expect(v[b]![i]![j]).toBe(0);
          else expect(v[b]![i]![j]).toBeGreaterThan(0);
        }
    // Examples get different draws.
    expect(
      tf
        .abs(samples.slice([0], [1]).sub(samples.slice([1], [1])))
        .max()
        .dataSync()[0],
    ).toBeGreaterThan(1e-3);
    k.dispose();
  });

  it('relaxed-Bernoulli statistics: P(K̃ > ½) = K, and the mean → K as T → 0', () => {
    const s = randomProjection([6, 4], 3);
    for (const T of [0.5, 0.1]) {
      const k = new SignatureKernel(cfg({ truncation: null, temperature: T }));
      const K = k.kernel(s, s);
      const draws = tf.exp(k.logKernel(s, s, 16000, true, 7)); // σ of a frequency ≤ 0.004: the bounds are ≥ 5σ
      const mean = draws.mean(0);
      const above = draws.greater(0.5).toFloat().mean(0);
      const errAbove = tf.abs(above.sub(K)).max().dataSync()[0] as number;
      const errMean = tf.abs(mean.sub(K)).max().dataSync()[0] as number;
      console.log(`T=${T}: max |P(K̃>½) − K| = ${errAbove.toFixed(4)}, max |E K̃ − K| = ${errMean.toFixed(4)}`);
      expect(errAbove).toBeLessThan(0.03);
      expect(errMean).toBeLessThan(T === 0.1 ? 0.02 : 0.05);
      k.dispose();
    }
  });

  it('straight-through truncation: gradients equal those of the untruncated exp(−d/ε)', () => {
    const k = new SignatureKernel(cfg({ truncation: 0.5 }));
    const r = tf.variable(randomProjection([5, 4], 4));
    const snd = tf.variable(randomProjection([7, 4], 5));
    const w = randomProjection([5, 7], 6);
    const truncated = () => tf.tidy(() => k.kernel(r, snd).mul(w).sum() as tf.Scalar);
    const dense = () => tf.tidy(() => tf.exp(cosineDistance(r, snd).neg().div(k.bandwidth)).mul(w).sum() as tf.Scalar);
    // The forward really truncates some pairs...
    const zeros = tf.tidy(() => k.kernel(r, snd).equal(0).sum().dataSync()[0] as number);
    expect(zeros).toBeGreaterThan(3);
    // ...but the gradient is the dense one, which finite differences of the dense function confirm.
    const gT = tf.variableGrads(truncated, [r, snd, k.bandwidth]).grads;
    const gD = tf.variableGrads(dense, [r, snd, k.bandwidth]).grads;
    for (const name of Object.keys(gD)) {
      expect(
        tf
          .abs((gT[name] as tf.Tensor).sub(gD[name] as tf.Tensor))
          .max()
          .dataSync()[0],
      ).toBeLessThan(1e-5);
    }
    const res = gradCheck(dense, [r, snd, k.bandwidth], { eps: 1e-2, samples: 6 });
    expect(res.maxRelError).toBeLessThan(2e-2);
    k.dispose();
  });

  it('log-kernel gradients (eval, and sampled with a fixed seed) match finite differences', () => {
    const k = new SignatureKernel(cfg({ truncation: null }));
    const r = tf.variable(randomProjection([4, 3], 8));
    const w = randomProjection([2, 4, 4], 9);
    const evalF = () =>
      tf.tidy(
        () =>
          k
            .logKernel(r, r, 2, false, 0)
            .mul(w.slice([0], [1]).squeeze([0]))
            .sum() as tf.Scalar,
      );
    const sampled = () =>
      tf.tidy(
        () =>
          tf
            .exp(k.logKernel(r, r, 2, true, 42))
            .mul(w)
            .sum() as tf.Scalar,
      );
    expect(gradCheck(evalF, [r, k.bandwidth], { eps: 1e-2 }).maxRelError).toBeLessThan(2e-2);
    expect(gradCheck(sampled, [r, k.bandwidth], { eps: 1e-3 }).maxRelError).toBeLessThan(5e-2);
    k.dispose();
  });
});
