// Soft-target cross-entropy (value, gradient, stability) and label-smoothed targets.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { smoothedTargets, smoothedTargetsArray, softCrossEntropy } from '../../src/train/loss.js';

describe('softCrossEntropy', () => {
  const z = [
    [1, 2, 0.5],
    [-1, 0, 3],
  ];
  const t = [
    [0.2, 0.7, 0.1],
    [0, 0, 1],
  ];
  const softmax = (row: number[]) => {
    const e = row.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

  it('equals the hand-computed mean of −Σ t·log softmax(z)', () => {
    const expected = -z.map((row, b) => softmax(row).reduce((acc, p, c) => acc + t[b]![c]! * Math.log(p), 0)).reduce((a, b) => a + b) / 2;
    const loss = softCrossEntropy(tf.tensor2d(z), tf.tensor2d(t));
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('has gradient (softmax − target)/B w.r.t. the logits', () => {
    const targets = tf.tensor2d(t);
    const g = tf
      .grad((l: tf.Tensor) => softCrossEntropy(l as tf.Tensor2D, targets))(tf.tensor2d(z))
      .arraySync() as number[][];
    z.forEach((row, b) => softmax(row).forEach((p, c) => expect(g[b]![c]).toBeCloseTo((p - t[b]![c]!) / 2, 5)));
  });

  it('is finite for huge logits and rejects mismatched shapes', () => {
    const loss = softCrossEntropy(tf.tensor2d([[1000, -1000]]), tf.tensor2d([[0, 1]]));
    expect(loss.dataSync()[0]).toBeCloseTo(2000, 1);
    expect(() => softCrossEntropy(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/\[B, C\]/);
  });
});

describe('smoothedTargets', () => {
  it('gives (1−ε)·onehot + ε/C with rows summing to 1', () => {
    const rows = smoothedTargets(Int32Array.from([2, 0]), 4, 0.1).arraySync();
    expect(rows[0]![2]).toBeCloseTo(0.9 + 0.025, 6);
    expect(rows[0]![0]).toBeCloseTo(0.025, 6);
    expect(rows[1]![0]).toBeCloseTo(0.925, 6);
    for (const r of rows) expect(r.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    expect(Array.from(smoothedTargetsArray(Int32Array.from([1]), 3, 0))).toEqual([0, 1, 0]);
  });

  it('rejects labels out of range and bad smoothing', () => {
    expect(() => smoothedTargetsArray(Int32Array.from([3]), 3, 0.1)).toThrow(/outside \[0, 3\)/);
    expect(() => smoothedTargetsArray(Int32Array.from([0]), 3, 1.5)).toThrow(/smoothing/);
  });
});
