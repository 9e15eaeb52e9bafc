/**
 * ArrayDataset: the generic in-memory dataset with a fixed number of values per example, stored flat
 * as uint8, float32 or int32. Images are kept as uint8 (60k MNIST images = 47 MB) and scaled to
 * float32 in [0, 1] only when a batch is made.
 */
import type { InputKind } from './dataset.js';
import { IndexedDataset, range, type DatasetMeta } from './indexed-dataset.js';

/** Everything needed to build an {@link ArrayDataset}. */
export interface ArrayDatasetInit {
  name: string;
  kind: InputKind;
  exampleShape: readonly number[];
  dtype: 'float32' | 'int32';
  classNames: readonly string[];
  /** Flat storage, `labels.length × prod(exampleShape)` values, example-major. */
  data: Uint8Array | Float32Array | Int32Array;
  labels: Int32Array;
  /** Factor applied to uint8 storage when the dtype is float32 (default 1/255). */
  uint8Scale?: number;
  vocabSize?: number;
  padId?: number;
}

/** In-memory dataset over flat typed-array storage; `subset` returns a view sharing the storage. */
export class ArrayDataset extends IndexedDataset {
  private readonly data: Uint8Array | Float32Array | Int32Array;
  private readonly scale: number;

  /** `items` (default: every stored example, in order) selects and orders the stored examples. */
  constructor(
    private readonly init: ArrayDatasetInit,
    items?: Int32Array,
  ) {
    const meta: DatasetMeta = { kind: init.kind, exampleShape: init.exampleShape, dtype: init.dtype, classNames: init.classNames };
    if (init.vocabSize !== undefined) meta.vocabSize = init.vocabSize;
    if (init.padId !== undefined) meta.padId = init.padId;
    const per = init.exampleShape.reduce((a, b) => a * b, 1);
    if (init.data.length !== init.labels.length * per) {
      throw new Error(`${init.name}: storage has ${init.data.length} values, expected ${init.labels.length} × ${per}`);
    }
    if (init.dtype === 'int32' && init.data instanceof Float32Array)
      throw new Error(`${init.name}: an int32 dataset cannot use float32 storage`);
    if (!items) checkLabels(init.name, init.labels, init.classNames.length);
    super(init.name, meta, init.labels, items ?? range(init.labels.length));
    this.data = init.data;
    this.scale = init.data instanceof Uint8Array && init.dtype === 'float32' ? (init.uint8Scale ?? 1 / 255) : 1;
  }

  protected writeItem(item: number, out: Float32Array | Int32Array, offset: number): void {
    const n = this.exampleSize;
    const { data, scale } = this;
    const start = item * n;
    if (scale === 1) {
      out.set(data.subarray(start, start + n), offset);
    } else {
      for (let k = 0; k < n; k++) out[offset + k] = (data[start + k] as number) * scale;
    }
  }

  protected view(items: Int32Array, name: string): ArrayDataset {
    return new ArrayDataset({ ...this.init, name }, items);
  }
}

/** Throws unless every label is an integer in [0, numClasses). */
export function checkLabels(name: string, labels: Int32Array, numClasses: number): void {
  for (let k = 0; k < labels.length; k++) {
    const v = labels[k] as number;
    if (v < 0 || v >= numClasses) throw new Error(`${name}: label ${v} at ${k} is outside [0, ${numClasses})`);
  }
}
