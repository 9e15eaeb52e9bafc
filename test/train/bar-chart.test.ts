// Grouped bar chart: one <rect class="bar"> per finite value, heights proportional to values, error
// bars where given, and a clear error for a series of the wrong length.
import { describe, expect, it } from 'vitest';
import { barChartSVG } from '../../src/train/bar-chart.js';

describe('barChartSVG', () => {
  it('draws one bar per finite value with heights proportional to the values', () => {
    const svg = barChartSVG({
      title: 'acc',
      yLabel: 'top-1',
      groups: ['a', 'b'],
      series: [
        { name: 'NAC', values: [0.5, 1], errors: [0.1, 0] },
        { name: 'PIO', values: [0.25, Number.NaN] },
      ],
      yRange: [0, 1],
      height: 400,
    });
    const bars = [...svg.matchAll(/class="bar" data-series="([^"]+)" data-group="([^"]+)"[^>]*height="([\d.]+)"/g)];
    expect(bars.map((b) => `${b[1]}/${b[2]}`)).toEqual(['NAC/a', 'PIO/a', 'NAC/b']);
    const h = bars.map((b) => Number(b[3]));
    // plot height = 400 − 32 − 56 = 312 px for the range [0, 1]
    expect(h[0]).toBeCloseTo(156, 0);
    expect(h[1]).toBeCloseTo(78, 0);
    expect(h[2]).toBeCloseTo(312, 0);
    expect(svg.match(/stroke="black"/g)).toHaveLength(1); // one error bar: only 0.1 is > 0
  });
  it('refuses a series whose length differs from the groups', () => {
    expect(() => barChartSVG({ title: 't', yLabel: 'y', groups: ['a', 'b'], series: [{ name: 's', values: [1] }] })).toThrow(
      /needs 2 values/,
    );
  });
});
