// Metric accumulation on a hand-made batch: top-1, top-5 (and top-C for C < 5), per-class accuracy, confusion, loss.
import { describe, expect, it } from 'vitest';
import { MetricAccumulator } from '../../src/train/metrics.js';

describe('MetricAccumulator', () => {
  it('computes top-1, top-5, per-class accuracy, confusion and mean loss over two batches', () => {
    const m = new MetricAccumulator(6);
    // Label 0: correct. Label 1: ranked 2nd. Label 2: ranked 6th (last).
    m.add(Float32Array.from([9, 1, 2, 3, 4, 5, 0, 5, 6, 1, 1, 1, 6, 5, 0, 4, 3, 2]), [3, 6], Int32Array.from([0, 1, 2]), 3 * 0.5);
    // Label 2: correct by a tie won by the lower index; label 5: ranked 6th.
    m.add(Float32Array.from([1, 1, 7, 7, 0, 0, 9, 8, 7, 6, 5, 4]), [2, 6], Int32Array.from([2, 5]), 2 * 2);
    const r = m.result();
    expect(r.count).toBe(5);
    expect(r.top1).toBeCloseTo(2 / 5);
    expect(r.top5).toBeCloseTo(3 / 5);
    expect(r.loss).toBeCloseTo((1.5 + 4) / 5);
    expect(r.classCounts).toEqual([1, 1, 2, 0, 0, 1]);
    expect(r.perClassAccuracy[0]).toBe(1);
    expect(r.perClassAccuracy[1]).toBe(0);
    expect(r.perClassAccuracy[2]).toBe(0.5);
    expect(r.perClassAccuracy[3]).toBeNaN();
    expect(r.confusion[1]![2]).toBe(1);
    expect(r.confusion[2]![0]).toBe(1);
    expect(r.confusion[2]![2]).toBe(1);
    expect(r.confusion[5]![0]).toBe(1);
    expect(r.confusion.flat().reduce((a, b) => a + b)).toBe(5);
  });

  it('uses top-min(5, C) with fewer classes, NaN when empty, and checks shapes', () => {
    const m = new MetricAccumulator(3);
    expect(m.result().top1).toBeNaN();
    m.add(Float32Array.from([0, 1, 2]), [1, 3], Int32Array.from([0]), 0);
    expect(m.result().top5).toBe(1);
    expect(m.result().top1).toBe(0);
    expect(() => m.add(new Float32Array(4), [1, 4], Int32Array.from([0]), 0)).toThrow(/3/);
    expect(() => m.add(new Float32Array(3), [1, 3], Int32Array.from([3]), 0)).toThrow(/outside/);
  });
});
