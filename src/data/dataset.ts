/**
 * The common dataset interface every reader implements (images, point sets, token sequences), the
 * train/val/test bundle a loader returns, and `batchIndices`, which cuts an epoch into batches.
 */
import type { Rng } from '../util/rng.js';

/** What one example is: an image [H, W, C], a point set [N, D] or a token sequence [L]. */
export type InputKind = 'image' | 'points' | 'tokens';

/** One batch: inputs flattened row-major with shape [B, ...exampleShape], labels int32. */
export interface Batch {
  x: Float32Array | Int32Array;
  shape: number[];
  y: Int32Array;
}

/** A finite, labelled, in-memory dataset. Examples are addressed by index 0…size−1. */
export interface Dataset {
  /** E.g. 'fashion-mnist/train'. */
  readonly name: string;
  readonly kind: InputKind;
  readonly size: number;
  /** image [H, W, C] float32 in [0, 1]; points [N, D] float32; tokens [L] int32. */
  readonly exampleShape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly classNames: readonly string[];
  /** Length `size`, values 0…numClasses−1. */
  readonly labels: Int32Array;
  /** Tokens only: ids are 0…vocabSize−1, including padding. */
  readonly vocabSize?: number;
  /** Tokens only: the padding id. */
  readonly padId?: number;
  /** The examples at `indices` (each in [0, size)), in that order. */
  getBatch(indices: ArrayLike<number>): Batch;
  /** A view on the examples at `indices` (no copy of the underlying storage). */
  subset(indices: ArrayLike<number>, name?: string): Dataset;
}

/** What a loader returns: three disjoint splits plus where the data came from and its licence. */
export interface DatasetSplits {
  train: Dataset;
  val: Dataset;
  test: Dataset;
  source: string;
  license: string;
}

/**
 * Cuts 0…size−1 into batches of `batchSize`: in order when `rng` is null, else shuffled with `rng`
 * (Fisher–Yates, so a given generator state gives the same epoch). Every index appears exactly once,
 * except that `dropLast` drops a final batch smaller than `batchSize`.
 */
export function batchIndices(size: number, batchSize: number, rng: Rng | null, dropLast: boolean): Int32Array[] {
  if (!Number.isInteger(size) || size < 0) throw new Error(`batchIndices: size must be an integer ≥ 0, got ${size}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchIndices: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  if (rng) {
    for (let i = size - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i] as number;
      order[i] = order[j] as number;
      order[j] = t;
    }
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < size; start += batchSize) {
    const end = Math.min(size, start + batchSize);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}
