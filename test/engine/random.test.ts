/**
 * Counter-hash training noise (src/engine/random.ts): the hash against an independent BigInt
 * implementation, determinism and independence of draws, ranges and moments, and equality across the
 * cpu and wasm backends, the wasm draws coming from the SIMD module's kernel (uniform) bit for bit
 * (webgpu computes the same function in WGSL; checked by bench/parity-backends.mjs).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { hash32, hashNoiseArray, noiseKey, normalNoise, uniformNoise } from '../../src/engine/random.js';
import { HASH_NOISE_KERNEL } from '../../src/engine/kernels/hash-noise-webgpu.js';
import { quietTfjs } from './helpers.js';

quietTfjs();
afterAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** lowbias32 with BigInt arithmetic mod 2³², written independently of Math.imul. */
function referenceHash(x: number): number {
  const M = 0xffffffffn;
  let v = BigInt(x >>> 0);
  v ^= v >> 16n;
  v = (v * 0x7feb352dn) & M;
  v ^= v >> 15n;
  v = (v * 0x846ca68bn) & M;
  v ^= v >> 16n;
  return Number(v);
}

function moments(a: Float32Array): { mean: number; variance: number } {
  let s = 0;
  let q = 0;
  for (const v of a) {
    s += v;
    q += v * v;
  }
  const mean = s / a.length;
  return { mean, variance: q / a.length - mean * mean };
}

describe('hash noise', () => {
  it('hash32 is lowbias32 (matches a BigInt reference on edge and random inputs)', () => {
    const inputs = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x9e3779b9, 123456789];
    for (let i = 0; i < 200; i++) inputs.push(Math.floor(Math.random() * 2 ** 32));
    for (const x of inputs) expect(hash32(x)).toBe(referenceHash(x));
  });

  it('a draw is a function of (seed, index): same seed same values, other seeds and streams differ', () => {
    const attrs = (seed: number) => ({ normal: false, lo: 0, hi: 1, key1: noiseKey(seed), key2: 0 });
    const a = hashNoiseArray(1000, attrs(5));
    expect(hashNoiseArray(1000, attrs(5))).toEqual(a);
    // A longer draw starts with the shorter one (counter-based: element i depends only on i).
    expect(hashNoiseArray(1500, attrs(5)).slice(0, 1000)).toEqual(a);
    const b = hashNoiseArray(1000, attrs(6));
    let same = 0;
    for (let i = 0; i < 1000; i++) if (a[i] === b[i]) same++;
    expect(same).toBeLessThan(5);
    expect(noiseKey(5, 1)).not.toBe(noiseKey(5));
  });

  it('uniform noise lies in [lo, hi) with the moments of U(lo, hi)', () => {
    const n = 200_000;
    const a = hashNoiseArray(n, { normal: false, lo: -1, hi: 3, key1: noiseKey(11), key2: 0 });
    expect(Math.min(...a.subarray(0, 50_000))).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a.subarray(0, 50_000))).toBeLessThan(3);
    const { mean, variance } = moments(a);
    // U(-1, 3): mean 1, variance 16/12; 5 standard errors.
    expect(Math.abs(mean - 1)).toBeLessThan(5 * Math.sqrt(16 / 12 / n));
    expect(Math.abs(variance - 16 / 12)).toBeLessThan(0.02);
    // Deciles are equally filled (χ² with 9 degrees of freedom, far below its 0.1 % quantile 27.9).
    const counts = new Array(10).fill(0) as number[];
    for (const v of a) counts[Math.floor(((v + 1) / 4) * 10)]!++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('normal noise has mean 0, variance 1, normal tails and no infinities', () => {
    const n = 200_000;
    const a = hashNoiseArray(n, { normal: true, lo: 0, hi: 1, key1: noiseKey(3), key2: noiseKey(3, 1) });
    const { mean, variance } = moments(a);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    let beyond2 = 0;
    for (const v of a) {
      expect(Number.isFinite(v)).toBe(true);
      if (Math.abs(v) > 2) beyond2++;
    }
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.003); // P(|Z| > 2) = 4.55 %
  });

  it('the tensors are equal on cpu and wasm and have the requested shape', async () => {
    const out: Record<string, [Float32Array, Float32Array]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend({ backend, quiet: true });
      const before = tf.memory().numTensors;
      const u = uniformNoise([3, 4, 5], 0.25, 0.75, 42);
      const z = normalNoise([7, 9], 42);
      expect(u.shape).toEqual([3, 4, 5]);
      expect(z.shape).toEqual([7, 9]);
      out[backend] = [(await u.data()) as Float32Array, (await z.data()) as Float32Array];
      tf.dispose([u, z]);
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(out['wasm']![0]).toEqual(out['cpu']![0]);
    // Normals: float32 polynomials on wasm, float64 log and cos on cpu: within a few float32 ulp.
    expectNormalsClose(out['wasm']![1], out['cpu']![1]);
    expect(() => uniformNoise([2], 1, 1, 0)).toThrow(/hi must exceed lo/);
  });

  it("wasm draws through the SIMD module's kernel: uniforms equal hashNoiseArray bit for bit, normals within 4 ulp, at every size", async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    expect(tf.getKernel(HASH_NOISE_KERNEL, 'wasm')).toBeDefined();
    const prof = await tf.profile(() => uniformNoise([5], 0, 1, 1).dispose());
    expect(prof.kernels.map((k) => k.name)).toEqual([HASH_NOISE_KERNEL]);
    for (const n of [1, 3, 4, 5, 8, 1001, 65_537]) {
      for (const [lo, hi, seed] of [
        [0, 1, 7],
        [1e-6, 1 - 1e-6, 8],
        [-1, 1, -3],
        [0.25, 0.75, 2 ** 40 + 5],
      ] as const) {
        const u = uniformNoise([n], lo, hi, seed);
        expect(await u.data(), `uniform n=${n} [${lo}, ${hi}) seed ${seed}`).toEqual(
          hashNoiseArray(n, { normal: false, lo, hi, key1: noiseKey(seed), key2: 0 }),
        );
        u.dispose();
      }
      const z = normalNoise([n], 9);
      expectNormalsClose(
        (await z.data()) as Float32Array,
        hashNoiseArray(n, { normal: true, lo: 0, hi: 1, key1: noiseKey(9), key2: noiseKey(9, 1) }),
        `normal n=${n}`,
      );
      z.dispose();
    }
  });
});

/** Normal draws agree within 4 float32 ulp of the larger of |want| and 1e-3 (the float32 polynomials against float64 log and cos). */
function expectNormalsClose(got: Float32Array, want: Float32Array, label = 'normal'): void {
  expect(got.length, label).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const ulps = Math.abs((got[i] as number) - (want[i] as number)) / (Math.max(Math.abs(want[i] as number), 1e-3) * 2 ** -23);
    worst = Math.max(worst, ulps);
  }
  expect(worst, `${label}: largest difference in ulps`).toBeLessThanOrEqual(4);
}
