// OOD evaluation on a constructed classifier whose accuracy is known by hand: a "mean brightness above
// 0.25 → class 1" rule on constant images, under brightness (which flips dark images at severity 5)
// and contrast (which leaves constant images alone); plus the corrupted view, the seeded subset and the shift suite.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { Module } from '../../src/nn/module.js';
import { CorruptedDataset } from '../../src/ood/corrupted-dataset.js';
import { corruptImage, exampleRng } from '../../src/ood/corruptions.js';
import { evaluateCorruptionSuite, evaluateShift, relativeDrop } from '../../src/ood/evaluate.js';
import { seededSubset } from '../../src/ood/suite-data.js';
import { formatCorruptionTable } from '../../src/ood/table.js';
import { garment } from './images.js';

/** logits = [t − mean(x), mean(x) − t]: class 1 when the mean pixel exceeds t. */
class MeanThreshold extends Module {
  constructor(private readonly t: number) {
    super();
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const m = x.mean([1, 2, 3]);
      return tf.stack([tf.sub(this.t, m), tf.sub(m, this.t)], 1);
    });
  }
}

function constantImages(values: number[], labels: number[], name = 'toy/test'): ArrayDataset {
  const data = new Float32Array(values.length * 784);
  values.forEach((v, i) => data.fill(v, i * 784, (i + 1) * 784));
  return new ArrayDataset({
    name,
    kind: 'image',
    exampleShape: [28, 28, 1],
    dtype: 'float32',
    classNames: ['dark', 'bright'],
    data,
    labels: Int32Array.from(labels),
  });
}

// Two dark images (label 0), two bright ones (0.6, label 1) and a dark one mislabelled 1: clean top-1 = 4/5.
const data = constantImages([0, 0, 0.6, 0.6, 0], [0, 0, 1, 1, 1]);

describe('evaluateCorruptionSuite', () => {
  it('returns the hand-computed accuracies, means and relative drops', async () => {
    const calls: string[] = [];
    const r = await evaluateCorruptionSuite(new MeanThreshold(0.25), data, {
      corruptions: ['brightness', 'contrast'],
      severities: [1, 3, 5],
      seed: 0,
      batchSize: 2,
      onCell: (c, done, total) => calls.push(`${c ? `${c.corruption}${c.severity}` : 'clean'} ${done}/${total}`),
    });
    expect(r.clean.top1).toBeCloseTo(0.8, 12);
    expect(r.count).toBe(5);
    // brightness adds 0.03 / 0.1 / 0.35: dark images pass the threshold 0.25 only at severity 5 → 3/5 right.
    expect(r.cells.map((c) => [c.corruption, c.severity, c.top1])).toEqual([
      ['brightness', 1, 0.8],
      ['brightness', 3, 0.8],
      ['brightness', 5, 0.6],
      ['contrast', 1, 0.8],
      ['contrast', 3, 0.8],
      ['contrast', 5, 0.8],
    ]);
    expect(r.cells[2]!.relativeDrop).toBeCloseTo(0.25, 12);
    expect(r.cells[1]!.relativeDrop).toBeCloseTo(0, 12);
    expect(r.cells[3]!.relativeDrop).toBeCloseTo(0, 12);
    expect(r.mean.top1).toBeCloseTo(4.6 / 6, 12);
    expect(r.mean.relativeDrop).toBeCloseTo((0.8 - 4.6 / 6) / 0.8, 12);
    expect(r.perCorruption.map((p) => p.top1)).toEqual([expect.closeTo(2.2 / 3, 12), expect.closeTo(0.8, 12)]);
    expect(r.perSeverity.map((p) => p.top1)).toEqual([expect.closeTo(0.8, 12), expect.closeTo(0.8, 12), expect.closeTo(0.7, 12)]);
    expect(calls).toEqual([
      'clean 0/6',
      'brightness1 1/6',
      'brightness3 2/6',
      'brightness5 3/6',
      'contrast1 4/6',
      'contrast3 5/6',
      'contrast5 6/6',
    ]);
    const table = formatCorruptionTable(r);
    expect(table).toMatch(/clean top-1 80\.00 %/);
    expect(table).toMatch(/brightness\s+80\.0\s+80\.0\s+60\.0\s+73\.3\s+8\.3/);
  });

  it('rejects non-image data and bad names', async () => {
    const tokens = new ArrayDataset({
      name: 'tok',
      kind: 'tokens',
      exampleShape: [4],
      dtype: 'int32',
      classNames: ['a'],
      data: new Int32Array(4),
      labels: new Int32Array(1),
    });
    const m = new MeanThreshold(0.25);
    await expect(evaluateCorruptionSuite(m, tokens, { corruptions: ['fog'], severities: [1], seed: 0 })).rejects.toThrow(
      /grey images of shape \[H, W, 1\].*tokens of shape \[4\]/,
    );
    await expect(evaluateCorruptionSuite(m, data, { corruptions: ['fogg'], severities: [1], seed: 0 })).rejects.toThrow(
      /allowed: gaussian-noise/,
    );
    await expect(evaluateCorruptionSuite(m, data, { corruptions: ['fog'], severities: [7], seed: 0 })).rejects.toThrow(/1…5/);
  });

  it('relativeDrop is (clean − corrupted)/clean, null for a zero clean accuracy', () => {
    expect(relativeDrop(0.8, 0.6)).toBeCloseTo(0.25, 12);
    expect(relativeDrop(0.5, 0.6)).toBeCloseTo(-0.2, 12);
    expect(relativeDrop(0, 0.1)).toBeNull();
  });
});

describe('CorruptedDataset', () => {
  const images = Array.from({ length: 6 }, (_, k) => garment(k));
  const flat = new Float32Array(6 * 784);
  images.forEach((im, k) => flat.set(im, k * 784));
  const ds = new ArrayDataset({
    name: 'g',
    kind: 'image',
    exampleShape: [28, 28, 1],
    dtype: 'float32',
    classNames: ['a', 'b'],
    data: flat,
    labels: Int32Array.from([0, 1, 0, 1, 0, 1]),
  });

  it('corrupts example i with exampleRng(seed, name, i), independent of batch order and subsets', () => {
    const c = new CorruptedDataset(ds, 'elastic', 4, 9);
    const b = c.getBatch([3, 1]);
    const want3 = corruptImage('elastic', images[3]!, { height: 28, width: 28 }, 4, exampleRng(9, 'elastic', 3));
    expect(Array.from(b.x.subarray(0, 784))).toEqual(Array.from(want3));
    expect(Array.from(b.y)).toEqual([1, 1]);
    const sub = c.subset([5, 3]);
    expect(Array.from(sub.getBatch([1]).x)).toEqual(Array.from(want3));
    expect(Array.from(c.getBatch([1]).x)).toEqual(Array.from(b.x.subarray(784)));
  });
});

describe('seededSubset', () => {
  const big = constantImages(
    Array.from({ length: 50 }, (_, i) => i / 50),
    Array.from({ length: 50 }, (_, i) => i % 2),
    'big/test',
  );
  it('takes a seeded subset of the given size in source order', () => {
    const a = seededSubset(big, 10, 1);
    const again = seededSubset(big, 10, 1);
    const other = seededSubset(big, 10, 2);
    const firstPixels = (d: typeof a) =>
      Array.from(d.getBatch(Array.from({ length: d.size }, (_, i) => i)).x.filter((_, k) => k % 784 === 0));
    expect(a.size).toBe(10);
    expect(firstPixels(a)).toEqual(firstPixels(again));
    expect(firstPixels(a)).not.toEqual(firstPixels(other));
    expect(firstPixels(a)).toEqual([...firstPixels(a)].sort((x, y) => x - y));
    expect(seededSubset(big, 0, 1)).toBe(big);
    expect(() => seededSubset(big, -1, 0)).toThrow(/--limit must be an integer ≥ 0/);
  });
});

describe('evaluateShift', () => {
  it('returns clean and shifted accuracy and the relative drop', async () => {
    // Shifted: every image 0.3 brighter → both dark label-0 images become wrong, the mislabelled one right.
    const shifted = constantImages([0.3, 0.3, 0.9, 0.9, 0.3], [0, 0, 1, 1, 1], 'toy/shifted');
    const r = await evaluateShift(new MeanThreshold(0.25), data, shifted, { suite: 'toy', batchSize: 3 });
    expect(r.clean.top1).toBeCloseTo(0.8, 12);
    expect(r.shifted.top1).toBeCloseTo(0.6, 12);
    expect(r.relativeDrop).toBeCloseTo(0.25, 12);
    expect(r.shifted.perClassAccuracy).toEqual([0, 1]);
    expect(r.clean.perClassAccuracy[1]).toBeCloseTo(2 / 3, 12);
    expect(r.shifted.count).toBe(5);
  });

  it('refuses sets with different classes', async () => {
    const other = new ArrayDataset({
      name: 'x',
      kind: 'image',
      exampleShape: [28, 28, 1],
      dtype: 'float32',
      classNames: ['a', 'b'],
      data: new Float32Array(784),
      labels: new Int32Array(1),
    });
    await expect(evaluateShift(new MeanThreshold(0.25), data, other, { suite: 'toy' })).rejects.toThrow(/has classes \[a, b\]/);
  });
});
