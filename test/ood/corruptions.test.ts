// The corruption suite: determinism under a seed, shape and range, a change at every severity that
// grows with the severity, hand-computed values for the simple corruptions, and named errors.
import { describe, expect, it } from 'vitest';
import {
  CORRUPTIONS,
  CORRUPTION_NAMES,
  corruptImage,
  exampleRng,
  parseCorruptionList,
  parseSeverityList,
} from '../../src/ood/corruptions.js';
import { checkOodSuite } from '../../src/ood/suite-data.js';
import { Rng } from '../../src/util/rng.js';
import { garment, meanAbsDiff, SIZE } from './images.js';

const IMAGES = Array.from({ length: 8 }, (_, k) => garment(k));

describe('corruption suite', () => {
  it('has at least 12 corruption types with 5 increasing parameter levels each', () => {
    expect(CORRUPTIONS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(CORRUPTION_NAMES).size).toBe(CORRUPTIONS.length);
    for (const c of CORRUPTIONS) expect(c.levels).toHaveLength(5);
  });

  for (const spec of CORRUPTIONS) {
    describe(spec.name, () => {
      it('is a pure function of (image, severity, rng): same seed → identical, input untouched', () => {
        const img = IMAGES[0]!;
        const copy = img.slice();
        for (const s of [1, 3, 5]) {
          const a = corruptImage(spec.name, img, SIZE, s, new Rng(7));
          const b = corruptImage(spec.name, img, SIZE, s, new Rng(7));
          expect(Array.from(a)).toEqual(Array.from(b));
          // Other seeds: some different image for a random corruption (rotate and shear only draw a sign
          // and an axis, so one other seed may agree), the very same image for a deterministic one.
          const others = [8, 9, 10, 11, 12, 13].map((seed) => corruptImage(spec.name, img, SIZE, s, new Rng(seed)));
          const differing = others.filter((o) => meanAbsDiff(a, o) > 0).length;
          expect(differing).toBe(spec.random ? (['rotate', 'shear'].includes(spec.name) ? differing : 6) : 0);
          if (spec.random) expect(differing).toBeGreaterThan(0);
        }
        expect(Array.from(img)).toEqual(Array.from(copy));
      });

      it('keeps shape and the [0, 1] range and changes every image at every severity', () => {
        IMAGES.forEach((img, id) => {
          for (let s = 1; s <= 5; s++) {
            const out = corruptImage(spec.name, img, SIZE, s, exampleRng(0, spec.name, id));
            expect(out).toBeInstanceOf(Float32Array);
            expect(out.length).toBe(28 * 28);
            expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
            expect(Math.max(...out)).toBeLessThanOrEqual(1);
            expect(meanAbsDiff(out, img), `${spec.name} s${s} image ${id}`).toBeGreaterThan(0);
          }
        });
      });

      it('changes the image more as the severity grows (mean |Δ| over 8 images non-decreasing, s5 > s1)', () => {
        const diffs = [1, 2, 3, 4, 5].map((s) => {
          let sum = 0;
          IMAGES.forEach((img, id) => (sum += meanAbsDiff(corruptImage(spec.name, img, SIZE, s, exampleRng(0, spec.name, id)), img)));
          return sum / IMAGES.length;
        });
        for (let s = 1; s < 5; s++)
          expect(diffs[s]!, `${spec.name}: ${diffs.map((d) => d.toFixed(4)).join(' ')}`).toBeGreaterThanOrEqual(diffs[s - 1]!);
        expect(diffs[4]!).toBeGreaterThan(diffs[0]! * 1.2);
      });
    });
  }
});

describe('hand-computed corruptions', () => {
  const img = IMAGES[1]!;
  it('brightness adds 0.35 at severity 5 and clips at 1', () => {
    const out = corruptImage('brightness', img, SIZE, 5, new Rng(0));
    expect(img.some((v) => v + 0.35 > 1)).toBe(true);
    img.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.min(1, v + 0.35), 6));
  });

  it('contrast pulls every pixel towards the image mean by the factor 0.5 at severity 4', () => {
    const m = img.reduce((a, b) => a + b, 0) / img.length;
    const out = corruptImage('contrast', img, SIZE, 4, new Rng(0));
    img.forEach((v, i) => expect(out[i]).toBeCloseTo((v - m) * 0.5 + m, 5));
  });

  it('gaussian noise adds 0.18 × the rng normals at severity 3, clipped', () => {
    const rng = new Rng(11);
    const out = corruptImage('gaussian-noise', img, SIZE, 3, new Rng(11));
    img.forEach((v, i) => expect(out[i]).toBeCloseTo(Math.min(1, Math.max(0, v + 0.18 * rng.normal())), 5));
  });

  it('impulse noise replaces about 27 % of the pixels with 0 or 1 at severity 5', () => {
    const flat = new Float32Array(28 * 28).fill(0.5);
    const out = corruptImage('impulse-noise', flat, SIZE, 5, new Rng(3));
    const hit = out.filter((v) => v !== 0.5);
    expect(hit.every((v) => v === 0 || v === 1)).toBe(true);
    expect(hit.length / out.length).toBeGreaterThan(0.22);
    expect(hit.length / out.length).toBeLessThan(0.32);
  });

  it('scale keeps the centre pixel of an odd-sized image and shrinks a bright square', () => {
    const size = { height: 9, width: 9 };
    const sq = new Float32Array(81);
    for (let y = 2; y <= 6; y++) for (let x = 2; x <= 6; x++) sq[y * 9 + x] = 1;
    const out = corruptImage('scale', sq, size, 5, new Rng(0)); // factor 0.45
    expect(out[4 * 9 + 4]).toBeCloseTo(1, 6);
    // (2, 2) maps back to 4 − 2/0.45 ≈ −0.44 (outside the square); the bright mass shrinks by ≈ 0.45².
    expect(out[2 * 9 + 2]).toBe(0);
    const mass = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(mass(out) / mass(sq)).toBeGreaterThan(0.15);
    expect(mass(out) / mass(sq)).toBeLessThan(0.3);
  });
});

describe('errors name the allowed values', () => {
  it('rejects an unknown corruption', () => {
    expect(() => corruptImage('snow', IMAGES[0]!, SIZE, 1, new Rng(0))).toThrow(/'snow' is unknown; allowed: gaussian-noise, shot-noise/);
    expect(() => parseCorruptionList('fog,snow')).toThrow(/--corruptions 'snow' is unknown; allowed: .*zigzag/);
    expect(() => parseCorruptionList('fog,fog')).toThrow(/twice/);
  });

  it('rejects severities outside 1…5', () => {
    for (const s of [0, 6, 2.5, -1])
      expect(() => corruptImage('fog', IMAGES[0]!, SIZE, s, new Rng(0))).toThrow(/1…5 \(allowed: 1, 2, 3, 4, 5\)/);
    expect(() => parseSeverityList('1,6')).toThrow(/--severities must list integers in 1…5 \(allowed: 1, 2, 3, 4, 5\), got '6'/);
    expect(() => parseSeverityList('x')).toThrow(/got 'x'/);
  });

  it('rejects an unknown suite and a wrong image size', () => {
    expect(() => checkOodSuite('imagenet-c')).toThrow(/--ood 'imagenet-c' is unknown; allowed: corruptions, optdigits/);
    expect(() => corruptImage('fog', new Float32Array(10), SIZE, 1, new Rng(0))).toThrow(/10 values, expected 28×28/);
  });

  it('parses lists', () => {
    expect(parseCorruptionList(undefined)).toEqual(CORRUPTION_NAMES);
    expect(parseCorruptionList('all')).toEqual(CORRUPTION_NAMES);
    expect(parseCorruptionList(' fog , rotate')).toEqual(['fog', 'rotate']);
    expect(parseSeverityList('5,1')).toEqual([5, 1]);
    expect(parseSeverityList(undefined)).toEqual([1, 2, 3, 4, 5]);
  });
});
