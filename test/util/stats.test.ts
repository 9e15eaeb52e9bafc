// meanCI against hand-computed values and the t table's known entries.
import { describe, expect, it } from 'vitest';
import { formatMeanCI, meanCI, tQuantile95 } from '../../src/util/stats.js';

describe('meanCI', () => {
  it('matches a hand computation for n = 3', () => {
    // values 1, 2, 6: mean 3, sample variance ((4 + 1 + 9) / 2) = 7, t(2) = 4.303.
    const m = meanCI([1, 2, 6]);
    expect(m.mean).toBeCloseTo(3, 12);
    expect(m.std).toBeCloseTo(Math.sqrt(7), 12);
    expect(m.ci95).toBeCloseTo((4.303 * Math.sqrt(7)) / Math.sqrt(3), 12);
    expect(formatMeanCI(m, 2)).toBe('3.00 ± 6.57');
    expect(formatMeanCI(meanCI([0.5, 0.5]), 1, 100)).toBe('50.0 ± 0.0');
  });
  it('has no interval for one value and refuses empty or non-finite samples', () => {
    expect(formatMeanCI(meanCI([0.25]), 1, 100)).toBe('25.0');
    expect(() => meanCI([])).toThrow(/empty/);
    expect(() => meanCI([1, Number.NaN])).toThrow(/non-finite/);
    expect(tQuantile95(9)).toBe(2.262);
    expect(() => tQuantile95(0)).toThrow(/degrees of freedom/);
  });
});
