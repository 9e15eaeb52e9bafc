/**
 * Base class of the in-memory datasets: shared storage of "items" plus an index map, so `subset` is a
 * cheap view (no copy) and subsets of subsets compose. A subclass only decodes one stored item into
 * the batch buffer.
 */
import type { Batch, Dataset, InputKind } from './dataset.js';

/** What every view of one storage shares. */
export interface DatasetMeta {
  kind: InputKind;
  exampleShape: readonly number[];
  dtype: 'float32' | 'int32';
  classNames: readonly string[];
  vocabSize?: number;
  padId?: number;
}

/** A dataset whose example i is stored item `items[i]`; `itemLabels[item]` is its label. */
export abstract class IndexedDataset implements Dataset {
  readonly kind: InputKind;
  readonly exampleShape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly classNames: readonly string[];
  readonly vocabSize?: number;
  readonly padId?: number;
  readonly labels: Int32Array;
  /** Number of values in one example (product of `exampleShape`). */
  readonly exampleSize: number;

  protected constructor(
    readonly name: string,
    protected readonly meta: DatasetMeta,
    protected readonly itemLabels: Int32Array,
    /** Storage item of each example. */
    readonly items: Int32Array,
  ) {
    this.kind = meta.kind;
    this.exampleShape = Object.freeze([...meta.exampleShape]);
    this.dtype = meta.dtype;
    this.classNames = Object.freeze([...meta.classNames]);
    if (meta.vocabSize !== undefined) this.vocabSize = meta.vocabSize;
    if (meta.padId !== undefined) this.padId = meta.padId;
    this.exampleSize = meta.exampleShape.reduce((a, b) => a * b, 1);
    this.labels = new Int32Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as number;
      if (item < 0 || item >= itemLabels.length) throw new Error(`${name}: storage item ${item} out of range [0, ${itemLabels.length})`);
      this.labels[i] = itemLabels[item] as number;
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Writes stored item `item` into `out` at `offset` (exactly `exampleSize` values). */
  protected abstract writeItem(item: number, out: Float32Array | Int32Array, offset: number): void;

  /** A view of the same storage with another item list. */
  protected abstract view(items: Int32Array, name: string): IndexedDataset;

  getBatch(indices: ArrayLike<number>): Batch {
    const n = indices.length;
    const x = this.dtype === 'float32' ? new Float32Array(n * this.exampleSize) : new Int32Array(n * this.exampleSize);
    const y = new Int32Array(n);
    for (let b = 0; b < n; b++) {
      const i = this.checkIndex(indices[b] as number);
      this.writeItem(this.items[i] as number, x, b * this.exampleSize);
      y[b] = this.labels[i] as number;
    }
    return { x, shape: [n, ...this.exampleShape], y };
  }

  subset(indices: ArrayLike<number>, name?: string): Dataset {
    const items = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) items[k] = this.items[this.checkIndex(indices[k] as number)] as number;
    return this.view(items, name ?? `${this.name}[subset]`);
  }

  private checkIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.items.length) {
      throw new RangeError(`${this.name}: index ${i} out of range [0, ${this.items.length})`);
    }
    return i;
  }
}

/** 0, 1, …, n−1. */
export function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
