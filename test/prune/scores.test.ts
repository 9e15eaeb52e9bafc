// The pruning scores on constructed cases: an isolated module (its signature beyond the truncation τ
// of everyone else's) ranks last under every graph rule; degree matches a hand computation; code-norm,
// attention on read-out modules and the seeded random control behave as defined.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rulesForGroup, scoreModules, topIndices } from '../../src/prune/scores.js';
import { images, splitNAC } from './helpers.js';

/** Cosine distance of two rows of a row-major [n, 8] array. */
function cosDist(a: Float32Array, i: number, b: Float32Array, j: number): number {
  let [dot, na, nb] = [0, 0, 0];
  for (let k = 0; k < 8; k++) {
    dot += a[i * 8 + k]! * b[j * 8 + k]!;
    na += a[i * 8 + k]! ** 2;
    nb += b[j * 8 + k]! ** 2;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

const argmin = (s: ArrayLike<number>) => Array.from(s).indexOf(Math.min(...Array.from(s)));

describe('pruning scores', () => {
  it('an isolated propagator scores lowest (exactly 0) under degree, centrality and attention', () => {
    const model = splitNAC([], [5]);
    const calibration = images(6, 4);
    for (const rule of ['degree', 'centrality', 'attention'] as const) {
      const s = scoreModules(model, rule, 'propagator', { calibration, chunkSize: 4 });
      expect(s.length, rule).toBe(8);
      expect(s[5], rule).toBe(0);
      expect(Math.min(...Array.from(s).filter((_, u) => u !== 5)), rule).toBeGreaterThan(0);
      expect(topIndices(s, 7), rule).toEqual([0, 1, 2, 3, 4, 6, 7]);
    }
    calibration.dispose();
    model.dispose();
  });

  it('an isolated read-in module scores lowest under degree, centrality and attention', () => {
    const model = splitNAC([2], []);
    const calibration = images(3, 8);
    for (const rule of ['degree', 'centrality', 'attention'] as const) {
      const s = scoreModules(model, rule, 'readIn', { calibration });
      expect(s[2], rule).toBe(0);
      expect(argmin(s), rule).toBe(2);
      expect(Math.min(s[0]!, s[1]!, s[3]!), rule).toBeGreaterThan(0);
    }
    calibration.dispose();
    model.dispose();
  });

  it('degree is the kernel weight sent to other receivers, summed over propagator layers and the read-out', () => {
    const model = splitNAC([], [1, 3]);
    const { latents } = model.circuit;
    const sp = latents.propagator.signatures.dataSync() as Float32Array;
    const so = latents.readOut.signatures.dataSync() as Float32Array;
    // Bandwidth ε = 1 in every layer (untrained), τ = 0.9 everywhere: K = exp(−d) if d ≤ 0.9.
    const k = (d: number) => (d <= 0.9 ? Math.exp(-d) : 0);
    const u = 4;
    let expected = 0;
    for (let r = 0; r < 8; r++) if (r !== u) expected += 2 * k(cosDist(sp, r, sp, u)); // 2 propagator layers
    for (let o = 0; o < 2; o++) expected += k(cosDist(so, o, sp, u));
    const s = scoreModules(model, 'degree', 'propagator');
    expect(s[u]).toBeCloseTo(expected, 5);
    // Modules 1 and 3 only reach each other: 2 layers × exp(−d13).
    expect(s[1]).toBeCloseTo(2 * k(cosDist(sp, 1, sp, 3)), 5);
    model.dispose();
  });

  it('code-norm ranks a zero code last and a scaled-up code first', () => {
    const model = splitNAC([], []);
    const codes = model.circuit.latents.propagator.codes;
    const mask = tf.tensor2d(
      Array.from({ length: 8 }, (_, u) => (u === 3 ? 0 : u === 6 ? 10 : 1)),
      [8, 1],
    );
    codes.assign(codes.mul(mask));
    mask.dispose();
    const s = scoreModules(model, 'code-norm', 'propagator');
    expect(s[3]).toBe(0);
    expect(topIndices(s, 1)).toEqual([6]);
    model.dispose();
  });

  it('read-out attention is the mean pooling weight: it sums to 1, and a flat scorer gives equal weights', () => {
    const model = splitNAC([], []);
    const calibration = images(5, 1);
    const s = scoreModules(model, 'attention', 'readOut', { calibration, chunkSize: 2 });
    expect(s[0]! + s[1]!).toBeCloseTo(1, 6);
    model.pooling.scorer.weight.assign(tf.zerosLike(model.pooling.scorer.weight));
    const flat = scoreModules(model, 'attention', 'readOut', { calibration });
    expect(flat[0]).toBeCloseTo(0.5, 6);
    expect(flat[1]).toBeCloseTo(0.5, 6);
    expect(rulesForGroup('readOut')).not.toContain('centrality');
    calibration.dispose();
    model.dispose();
  });

  it('random is reproducible from its seed and differs between seeds', () => {
    const model = splitNAC([], []);
    const a = scoreModules(model, 'random', 'propagator', { seed: 4 });
    const b = scoreModules(model, 'random', 'propagator', { seed: 4 });
    const c = scoreModules(model, 'random', 'propagator', { seed: 5 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a).every((v) => v >= 0 && v < 1)).toBe(true);
    model.dispose();
  });
});
