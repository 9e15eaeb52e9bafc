// Learning-rate schedule: linear warmup then cosine to minLr, clamped outside [0, totalSteps].
import { describe, expect, it } from 'vitest';
import { learningRateAt, type ScheduleOptions } from '../../src/train/schedule.js';

const o: ScheduleOptions = { baseLr: 1e-3, minLr: 1e-5, warmupSteps: 10, totalSteps: 110, warmupStartLr: 0 };

describe('learningRateAt', () => {
  it('warms up linearly from warmupStartLr to baseLr', () => {
    expect(learningRateAt(0, o)).toBe(0);
    expect(learningRateAt(5, o)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(9, o)).toBeCloseTo(9e-4, 12);
    expect(learningRateAt(10, o)).toBeCloseTo(1e-3, 12); // end of warmup = start of the cosine
    expect(learningRateAt(2, { ...o, warmupStartLr: 1e-4 })).toBeCloseTo(1e-4 + 0.2 * 9e-4, 12);
  });

  it('follows a half cosine to minLr and stays there', () => {
    expect(learningRateAt(60, o)).toBeCloseTo((1e-3 + 1e-5) / 2, 12); // midpoint of the cosine
    expect(learningRateAt(35, o)).toBeCloseTo(1e-5 + 0.5 * (1e-3 - 1e-5) * (1 + Math.cos(Math.PI / 4)), 12);
    expect(learningRateAt(110, o)).toBe(1e-5);
    expect(learningRateAt(500, o)).toBe(1e-5);
    expect(learningRateAt(-3, o)).toBe(0);
    for (let s = 10; s < 110; s++) expect(learningRateAt(s + 1, o)).toBeLessThanOrEqual(learningRateAt(s, o));
  });

  it('has sensible defaults and edge cases', () => {
    expect(learningRateAt(0, { baseLr: 1e-3, warmupSteps: 5, totalSteps: 10 })).toBe(1e-6); // timm warmup_lr
    expect(learningRateAt(10, { baseLr: 1e-3, warmupSteps: 5, totalSteps: 10 })).toBe(0); // minLr defaults to 0
    expect(learningRateAt(0, { baseLr: 2e-3, warmupSteps: 0, totalSteps: 4 })).toBe(2e-3); // no warmup
    expect(learningRateAt(3, { baseLr: 2e-3, minLr: 1e-4, warmupSteps: 3, totalSteps: 3 })).toBe(1e-4);
    expect(() => learningRateAt(0, { baseLr: 1e-3, warmupSteps: 20, totalSteps: 10 })).toThrow(/totalSteps = 10 is invalid/);
    expect(() => learningRateAt(0, { baseLr: Number.NaN, warmupSteps: 0, totalSteps: 10 })).toThrow(/baseLr = NaN/);
  });
});
