// Augmentation: determinism, pad-crop as a shifted copy, flips, Mixup/CutMix semantics, Beta sampling, point clouds.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { augmentImages, augmentPoints, mixBatch, sampleBeta, sampleGamma, type MixOptions } from '../../src/train/augment.js';
import { smoothedTargetsArray } from '../../src/train/loss.js';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => (i + 1) / n);

describe('augmentImages', () => {
  const shape: [number, number, number, number] = [3, 6, 5, 2];
  const x = ramp(3 * 6 * 5 * 2);

  it('is deterministic for a seed and leaves the input untouched', () => {
    const copy = x.slice();
    const a = augmentImages(x, shape, { padCrop: 2, hflip: true }, new Rng(7));
    const b = augmentImages(x, shape, { padCrop: 2, hflip: true }, new Rng(7));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(x)).toEqual(Array.from(copy));
    expect(Array.from(augmentImages(x, shape, {}, new Rng(7)))).toEqual(Array.from(x));
  });

  it('pad-crop gives the image shifted by (dy, dx) with zeros shifted in', () => {
    const [B, H, W, C] = shape;
    const out = augmentImages(x, shape, { padCrop: 2 }, new Rng(3));
    let shifted = 0;
    for (let b = 0; b < B; b++) {
      // Find the shift that explains the output: every pixel is a copy of (y+dy, x+dx) or 0 outside.
      const at = (arr: Float32Array, y: number, xx: number, c: number) => arr[((b * H + y) * W + xx) * C + c]!;
      const fits = (dy: number, dx: number) => {
        for (let y = 0; y < H; y++)
          for (let xx = 0; xx < W; xx++)
            for (let c = 0; c < C; c++) {
              const [sy, sx] = [y + dy, xx + dx];
              const want = sy >= 0 && sy < H && sx >= 0 && sx < W ? at(x, sy, sx, c) : 0;
              if (at(out, y, xx, c) !== want) return false;
            }
        return true;
      };
      const found = [];
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) if (fits(dy, dx)) found.push([dy, dx]);
      expect(found).toHaveLength(1);
      if (found[0]![0] !== 0 || found[0]![1] !== 0) shifted++;
    }
    expect(shifted).toBeGreaterThan(0);
  });

  it('hflip mirrors whole images left–right (about half of them)', () => {
    const [B, H, W, C] = [40, 2, 3, 1];
    const imgs = ramp(B * H * W * C);
    const out = augmentImages(imgs, [B, H, W, C], { hflip: true }, new Rng(11));
    let flipped = 0;
    for (let b = 0; b < B; b++) {
      const o = Array.from(out.subarray(b * 6, b * 6 + 6));
      const i = Array.from(imgs.subarray(b * 6, b * 6 + 6));
      const mirror = [i[2], i[1], i[0], i[5], i[4], i[3]];
      expect(o.join() === i.join() || o.join() === mirror.join()).toBe(true);
      if (o.join() === mirror.join()) flipped++;
    }
    expect(flipped).toBeGreaterThan(8);
    expect(flipped).toBeLessThan(32);
  });
});

describe('mixBatch', () => {
  const shape: [number, number, number, number] = [4, 8, 8, 1];
  const x = new Float32Array(4 * 64);
  for (let b = 0; b < 4; b++) x.fill(b + 1, b * 64, (b + 1) * 64); // image b is constant b + 1
  const targets = smoothedTargetsArray(Int32Array.from([0, 1, 2, 3]), 5, 0.1);
  const opts: MixOptions = { mixupAlpha: 0.8, cutmixAlpha: 1.0, prob: 1, switchProb: 0.5 };

  it('mixup: pixels are λ·x_i + (1−λ)·x_{B−1−i}, targets likewise, rows sum to 1', () => {
    const r = mixBatch(x, shape, targets, 5, { ...opts, cutmixAlpha: 0 }, new Rng(1));
    expect(r.mode).toBe('mixup');
    expect(r.lambda).toBeGreaterThan(0);
    expect(r.lambda).toBeLessThan(1);
    for (let b = 0; b < 4; b++) {
      const want = r.lambda * (b + 1) + (1 - r.lambda) * (4 - b);
      expect(r.x[b * 64 + 17]).toBeCloseTo(want, 5);
      const row = Array.from(r.targets.subarray(b * 5, b * 5 + 5));
      expect(row.reduce((a, c) => a + c)).toBeCloseTo(1, 5);
      expect(row[b]).toBeCloseTo(r.lambda * 0.92 + (1 - r.lambda) * 0.02, 5);
    }
  });

  it('cutmix: one box comes from the reversed batch and λ = 1 − box area', () => {
    let seen = 0;
    for (let seed = 0; seed < 6; seed++) {
      const r = mixBatch(x, shape, targets, 5, { ...opts, mixupAlpha: 0 }, new Rng(seed));
      expect(r.mode).toBe('cutmix');
      for (let b = 0; b < 4; b++) {
        const pasted = Array.from(r.x.subarray(b * 64, b * 64 + 64)).filter((v) => v === 4 - b).length;
        const kept = Array.from(r.x.subarray(b * 64, b * 64 + 64)).filter((v) => v === b + 1).length;
        expect(pasted + kept).toBe(64);
        expect(r.lambda).toBeCloseTo(1 - pasted / 64, 6);
        const row = Array.from(r.targets.subarray(b * 5, b * 5 + 5));
        expect(row.reduce((a, c) => a + c)).toBeCloseTo(1, 5);
      }
      if (r.lambda < 1) seen++;
    }
    expect(seen).toBeGreaterThan(2);
  });

  it('is deterministic, switches modes and respects prob = 0', () => {
    const a = mixBatch(x, shape, targets, 5, opts, new Rng(5));
    const b = mixBatch(x, shape, targets, 5, opts, new Rng(5));
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    const modes = new Set(Array.from({ length: 20 }, (_, s) => mixBatch(x, shape, targets, 5, opts, new Rng(s)).mode));
    expect(modes).toEqual(new Set(['mixup', 'cutmix']));
    const none = mixBatch(x, shape, targets, 5, { ...opts, prob: 0 }, new Rng(5));
    expect(none.mode).toBe('none');
    expect(none.lambda).toBe(1);
    expect(Array.from(none.targets)).toEqual(Array.from(targets));
  });
});

describe('Gamma and Beta sampling', () => {
  it('matches the moments of Gamma(a) and Beta(a, a), a < 1 and a ≥ 1', () => {
    const rng = new Rng(42);
    const n = 20000;
    for (const a of [0.8, 2.5]) {
      const g = Array.from({ length: n }, () => sampleGamma(a, rng));
      expect(g.reduce((s, v) => s + v) / n).toBeCloseTo(a, 1);
      const beta = Array.from({ length: n }, () => sampleBeta(a, a, rng));
      const mean = beta.reduce((s, v) => s + v) / n;
      const variance = beta.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      expect(mean).toBeCloseTo(0.5, 1);
      expect(variance).toBeCloseTo(1 / (4 * (2 * a + 1)), 2);
    }
    expect(() => sampleGamma(0, rng)).toThrow(/positive/);
  });
});

describe('augmentPoints', () => {
  it('rotates 3-D clouds about z (norms in xy and z kept), scales, jitters deterministically', () => {
    const x = Float32Array.from([1, 0, 0.5, 0, 2, -1]);
    const r = augmentPoints(x, [1, 2, 3], { rotate: true }, new Rng(2));
    expect(Math.hypot(r[0]!, r[1]!)).toBeCloseTo(1, 5);
    expect(r[2]).toBeCloseTo(0.5, 6);
    expect(Math.hypot(r[3]!, r[4]!)).toBeCloseTo(2, 5);
    expect(r[0]).not.toBeCloseTo(1, 3);
    const s = augmentPoints(x, [1, 2, 3], { scale: [2, 2] }, new Rng(2));
    expect(Array.from(s)).toEqual(Array.from(x).map((v) => 2 * v));
    const j1 = augmentPoints(x, [1, 2, 3], { jitter: 0.01, rotate: true, scale: [0.8, 1.2] }, new Rng(9));
    const j2 = augmentPoints(x, [1, 2, 3], { jitter: 0.01, rotate: true, scale: [0.8, 1.2] }, new Rng(9));
    expect(Array.from(j1)).toEqual(Array.from(j2));
  });

  it('2-D rotations stay within maxAngle; bad shapes are refused', () => {
    const x = Float32Array.from({ length: 50 * 2 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const r = augmentPoints(x, [50, 1, 2], { rotate: true, maxAngle: 0.2 }, new Rng(4));
    for (let b = 0; b < 50; b++) expect(Math.abs(Math.atan2(r[2 * b + 1]!, r[2 * b]!))).toBeLessThanOrEqual(0.2 + 1e-6);
    expect(() => augmentPoints(new Float32Array(4), [1, 1, 4], { rotate: true }, new Rng(0))).toThrow(/2-D or 3-D/);
    expect(() => augmentPoints(new Float32Array(5), [1, 2, 3], {}, new Rng(0))).toThrow(/needs 6/);
  });
});
