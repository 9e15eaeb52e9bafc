// The dataset plumbing: batchIndices, ArrayDataset/TokenDataset views, seeded splits, class balance,
// the cache bundle format, option validation and the missing-data error.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/util/rng.js';
import {
  ArrayDataset,
  batchIndices,
  classBalance,
  DataMissingError,
  DATASET_NAMES,
  loadDataset,
  TokenDataset,
} from '../../src/data/index.js';
import { checkDataset } from '../../src/data/index.js';
import { decodeBundle, encodeBundle } from '../../src/data/cache.js';
import { carveValidation, perClassSplit, seededSplit } from '../../src/data/splits.js';

const tiny = (): ArrayDataset =>
  new ArrayDataset({
    name: 'tiny',
    kind: 'image',
    exampleShape: [1, 2, 1],
    dtype: 'float32',
    classNames: ['a', 'b', 'c'],
    data: Uint8Array.from([0, 255, 51, 102, 153, 204, 255, 0]),
    labels: Int32Array.from([0, 1, 2, 1]),
  });

describe('batchIndices', () => {
  it('covers every index exactly once per epoch, in order without an rng', () => {
    const batches = batchIndices(10, 4, null, false);
    expect(batches.map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batchIndices(10, 4, null, true).map((b) => b.length)).toEqual([4, 4]);
    expect(batchIndices(0, 4, null, false)).toEqual([]);
  });

  it('shuffles deterministically with a seeded Rng and still covers each index once', () => {
    const a = batchIndices(101, 16, new Rng(7), false);
    const b = batchIndices(101, 16, new Rng(7), false);
    expect(a.map((x) => Array.from(x))).toEqual(b.map((x) => Array.from(x)));
    const all = a.flatMap((x) => Array.from(x)).sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(Array.from(a[0] as Int32Array)).not.toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(batchIndices(101, 16, new Rng(8), false)[0]).not.toEqual(a[0]);
  });

  it('rejects bad sizes', () => {
    expect(() => batchIndices(5, 0, null, false)).toThrow(/batchSize/);
    expect(() => batchIndices(-1, 2, null, false)).toThrow(/size/);
  });
});

describe('ArrayDataset', () => {
  it('scales uint8 storage to [0, 1] and returns [B, ...shape] batches', () => {
    const ds = tiny();
    const b = ds.getBatch([2, 0]);
    expect(b.shape).toEqual([2, 1, 2, 1]);
    expect(Array.from(b.x)).toEqual([153 / 255, 204 / 255, 0, 1].map((v) => Math.fround(v)));
    expect(Array.from(b.y)).toEqual([2, 0]);
    expect(b.x).toBeInstanceOf(Float32Array);
  });

  it('subsets are views that compose, with their own labels', () => {
    const ds = tiny();
    const s = ds.subset([3, 1, 2], 'tiny/s');
    expect(s.size).toBe(3);
    expect(Array.from(s.labels)).toEqual([1, 1, 2]);
    const ss = s.subset([2, 0]);
    expect(Array.from(ss.getBatch([0, 1]).y)).toEqual([2, 1]);
    expect(ss.getBatch([1]).x[0]).toBeCloseTo(1);
    expect(() => s.getBatch([3])).toThrow(RangeError);
    expect(() => ds.subset([4])).toThrow(/out of range/);
  });

  it('validates storage size and labels', () => {
    const base = { name: 'bad', kind: 'image' as const, exampleShape: [2], dtype: 'float32' as const, classNames: ['a'] };
    expect(() => new ArrayDataset({ ...base, data: new Uint8Array(3), labels: new Int32Array(1) })).toThrow(/storage/);
    expect(() => new ArrayDataset({ ...base, data: new Uint8Array(2), labels: Int32Array.from([1]) })).toThrow(/label 1/);
  });
});

describe('TokenDataset', () => {
  it('cuts and pads ragged sequences to maxLength', () => {
    const ds = new TokenDataset({
      name: 'tok',
      classNames: ['x', 'y'],
      tokens: Uint8Array.from([1, 2, 3, 4, 5, 6]),
      offsets: Int32Array.from([0, 2, 6]),
      labels: Int32Array.from([0, 1]),
      maxLength: 3,
      vocabSize: 10,
      padId: 9,
    });
    const b = ds.getBatch([0, 1]);
    expect(b.x).toBeInstanceOf(Int32Array);
    expect(b.shape).toEqual([2, 3]);
    expect(Array.from(b.x)).toEqual([1, 2, 9, 3, 4, 5]);
    expect(ds.vocabSize).toBe(10);
    expect(ds.padId).toBe(9);
    expect((ds.subset([1]) as TokenDataset).rawLength(0)).toBe(4);
  });
});

describe('seeded splits', () => {
  it('carveValidation is disjoint, complete and seeded', () => {
    const ds = new ArrayDataset({
      name: 'n',
      kind: 'points',
      exampleShape: [1],
      dtype: 'float32',
      classNames: ['a', 'b'],
      data: Float32Array.from({ length: 50 }, (_, i) => i),
      labels: Int32Array.from({ length: 50 }, (_, i) => i % 2),
    });
    const a = carveValidation(ds, 10, 3, 'n');
    const values = (d: typeof a.train): number[] => Array.from(d.getBatch(Array.from({ length: d.size }, (_, i) => i)).x);
    expect(a.val.size).toBe(10);
    expect(a.train.name).toBe('n/train');
    expect([...values(a.train), ...values(a.val)].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(values(carveValidation(ds, 10, 3, 'n').val)).toEqual(values(a.val));
    expect(values(carveValidation(ds, 10, 4, 'n').val)).not.toEqual(values(a.val));
    expect(() => carveValidation(ds, 50, 3, 'n')).toThrow(/options.valSize/);
    expect(Array.from(seededSplit(5, 2, 1).first).every((v, i, arr) => i === 0 || v > (arr[i - 1] as number))).toBe(true);
  });

  it('perClassSplit keeps every class in every split', () => {
    const labels = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const s = perClassSplit(labels, 3, 0.1, 0.2, 5);
    expect(s.train.length + s.val.length + s.test.length).toBe(300);
    expect(new Set([...s.train, ...s.val, ...s.test]).size).toBe(300);
    expect(s.test.length).toBe(60);
    for (const split of [s.train, s.val, s.test]) expect(new Set(Array.from(split, (i) => labels[i])).size).toBe(3);
  });

  it('classBalance reports counts and the majority fraction', () => {
    expect(classBalance(tiny())).toEqual({ counts: [1, 2, 1], majorityClass: 1, majorityFraction: 0.5 });
  });
});

describe('cache bundles', () => {
  it('round-trips arrays and rejects damaged bytes', () => {
    const arrays = { a: Uint8Array.from([1, 2, 3]), b: Float32Array.from([0.5, -2]), c: Int32Array.from([7]) };
    const buf = encodeBundle(arrays, { k: 1 });
    const back = decodeBundle(buf);
    expect(back?.meta).toEqual({ k: 1 });
    expect(Array.from(back?.arrays.b as Float32Array)).toEqual([0.5, -2]);
    expect(Array.from(back?.arrays.a as Uint8Array)).toEqual([1, 2, 3]);
    expect(decodeBundle(buf.subarray(0, buf.length - 8))).toBeNull();
    expect(decodeBundle(Uint8Array.from([1, 2, 3]))).toBeNull();
  });
});

describe('loadDataset options', () => {
  it('lists the known names for an unknown dataset', () => {
    expect(() => loadDataset('cifar10')).toThrow(/'cifar10' is unknown; known datasets: fashion-mnist, mnist/);
    expect(DATASET_NAMES).toContain('listops-short');
  });

  it('names the bad option and its allowed values', () => {
    expect(() => loadDataset('listops-short', { limit: 0 })).toThrow(/options.limit must be an integer ≥ 1/);
    expect(() => loadDataset('listops-short', { seed: 1.5 })).toThrow(/options.seed/);
    expect(() => loadDataset('listops-short', { numPoints: 5 })).toThrow(/options.numPoints does not apply to dataset 'listops-short'/);
    expect(() => loadDataset('mnist', { stripHeaders: false })).toThrow(/options.stripHeaders does not apply/);
    expect(() => loadDataset('listops-short', { bogus: 1 } as never)).toThrow(/options.bogus is not a known field/);
    expect(() => loadDataset('listops-short', { maxLength: 100, limit: 1 })).toThrow(/options.maxLength must be ≥ 200/);
  });

  it('throws DataMissingError naming the fetch command when data are absent', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-data-empty-'));
    try {
      expect(() => loadDataset('spam-assassin', { dataDir: empty })).toThrow(DataMissingError);
      expect(() => loadDataset('spam-assassin', { dataDir: empty })).toThrow(/not found at .*; run: npm run fetch-data -- spam-assassin/);
      expect(checkDataset('listops', { dataDir: empty })).toBeNull();
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
