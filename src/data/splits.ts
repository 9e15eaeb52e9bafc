/**
 * Deterministic, seeded splitting: carving a validation set out of a training set, per-class splits
 * and the `limit` option's seeded sub-sampling. All index lists come back sorted so a split keeps the
 * source order.
 */
import { ConfigError } from '../config/validate.js';
import { Rng } from '../util/rng.js';
import type { Dataset, DatasetSplits } from './dataset.js';

/** Combines a seed with salts into a new 32-bit seed (splitmix-style mixing). */
export function mixSeed(seed: number, ...salts: Array<number | string>): number {
  let h = (Math.trunc(seed) ^ 0x2545f491) >>> 0;
  const mix = (v: number): void => {
    h = Math.imul(h ^ (v >>> 0), 0x9e3779b1) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  };
  for (const s of salts) {
    if (typeof s === 'number') mix(s);
    else for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
  }
  return h;
}

/** A seeded random permutation of 0…n−1. */
export function permutation(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** Splits 0…n−1 into `first` (a seeded random `k` of them) and `rest`, both sorted. */
export function seededSplit(n: number, k: number, seed: number): { first: Int32Array; rest: Int32Array } {
  if (k > n) throw new Error(`cannot take ${k} of ${n} examples`);
  const p = permutation(n, seed);
  return { first: p.slice(0, k).sort(), rest: p.slice(k).sort() };
}

/**
 * Carves `valSize` examples (seeded by `seed` and `splitKey`, default `baseName`) out of `train`; returns
 * the remaining train and the val set, named `<baseName>/train` and `<baseName>/val`.
 */
export function carveValidation(
  train: Dataset,
  valSize: number,
  seed: number,
  baseName: string,
  splitKey = baseName,
): { train: Dataset; val: Dataset } {
  if (valSize >= train.size) {
    throw new ConfigError('options.valSize', `must be smaller than the ${train.size} training examples of ${baseName}, got ${valSize}`);
  }
  const { first, rest } = seededSplit(train.size, valSize, mixSeed(seed, 'val', splitKey));
  return { train: train.subset(rest, `${baseName}/train`), val: train.subset(first, `${baseName}/val`) };
}

/** At most `limit` examples of `ds`: a seeded random subset (in source order), or `ds` itself. */
export function limitDataset(ds: Dataset, limit: number | undefined, seed: number): Dataset {
  if (limit === undefined || ds.size <= limit) return ds;
  return ds.subset(seededSplit(ds.size, limit, mixSeed(seed, 'limit', ds.name)).first, ds.name);
}

/** Applies {@link limitDataset} to all three splits. */
export function limitSplits(s: DatasetSplits, limit: number | undefined, seed: number): DatasetSplits {
  return {
    ...s,
    train: limitDataset(s.train, limit, seed),
    val: limitDataset(s.val, limit, seed),
    test: limitDataset(s.test, limit, seed),
  };
}

/**
 * Per-class seeded split of examples with the given labels into train/val/test by fractions
 * (val and test rounded per class, at least one each when the class has ≥ 3 examples).
 */
export function perClassSplit(
  labels: ArrayLike<number>,
  numClasses: number,
  valFraction: number,
  testFraction: number,
  seed: number,
): { train: Int32Array; val: Int32Array; test: Int32Array } {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) (byClass[labels[i] as number] as number[]).push(i);
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  byClass.forEach((members, c) => {
    const p = permutation(members.length, mixSeed(seed, 'class', c));
    const n = members.length;
    const nTest = n >= 3 ? Math.max(1, Math.round(n * testFraction)) : 0;
    const nVal = n >= 3 ? Math.max(1, Math.round(n * valFraction)) : 0;
    p.forEach((j, k) => (k < nTest ? test : k < nTest + nVal ? val : train).push(members[j] as number));
  });
  const sorted = (a: number[]): Int32Array => Int32Array.from(a).sort();
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}
