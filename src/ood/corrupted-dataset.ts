/**
 * CorruptedDataset: a view of a grey image dataset whose examples come out corrupted on the fly.
 * Example i is corrupted with the rng `exampleRng(seed, corruption, id_i)`, where id_i is its index
 * in the dataset that was wrapped (subsets keep the ids), so a batch does not depend on batch size or order.
 */
import type { Batch, Dataset, InputKind } from '../data/dataset.js';
import { ConfigError } from '../config/validate.js';
import { checkSeverity, corruptImage, corruptionSpec, exampleRng, type ImageSize } from './corruptions.js';

/** The [H, W] of a dataset of grey [H, W, 1] float images; a ConfigError otherwise. */
export function greyImageSize(data: Dataset, field = '--ood corruptions'): ImageSize {
  const [height, width, channels] = data.exampleShape;
  if (data.kind !== 'image' || data.dtype !== 'float32' || data.exampleShape.length !== 3 || channels !== 1) {
    throw new ConfigError(
      field,
      `needs grey images of shape [H, W, 1] (e.g. fashion-mnist, mnist); ${data.name} holds ${data.kind} of shape [${data.exampleShape.join(', ')}]`,
    );
  }
  return { height: height as number, width: width as number };
}

/** `base` with every example corrupted by `corruption` at `severity` (1…5) under evaluation seed `seed`. */
export class CorruptedDataset implements Dataset {
  readonly name: string;
  readonly kind: InputKind;
  readonly exampleShape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly classNames: readonly string[];
  readonly labels: Int32Array;
  private readonly imageSize: ImageSize;
  private readonly ids: Int32Array;

  /** `ids` (default 0…size−1) is the example id used to seed each example's corruption. */
  constructor(
    private readonly base: Dataset,
    readonly corruption: string,
    readonly severity: number,
    readonly seed: number,
    ids?: Int32Array,
  ) {
    corruptionSpec(corruption);
    checkSeverity(severity);
    this.imageSize = greyImageSize(base);
    this.ids = ids ?? Int32Array.from({ length: base.size }, (_, i) => i);
    if (this.ids.length !== base.size) throw new Error(`CorruptedDataset: ${this.ids.length} ids for ${base.size} examples`);
    this.name = `${base.name}+${corruption}-${severity}`;
    this.kind = base.kind;
    this.exampleShape = base.exampleShape;
    this.dtype = base.dtype;
    this.classNames = base.classNames;
    this.labels = base.labels;
  }

  get size(): number {
    return this.base.size;
  }

  getBatch(indices: ArrayLike<number>): Batch {
    const batch = this.base.getBatch(indices);
    const x = batch.x as Float32Array;
    const n = this.imageSize.height * this.imageSize.width;
    for (let b = 0; b < indices.length; b++) {
      const id = this.ids[indices[b] as number] as number;
      const clean = x.subarray(b * n, (b + 1) * n);
      x.set(corruptImage(this.corruption, clean, this.imageSize, this.severity, exampleRng(this.seed, this.corruption, id)), b * n);
    }
    return batch;
  }

  subset(indices: ArrayLike<number>, name?: string): Dataset {
    const ids = Int32Array.from({ length: indices.length }, (_, k) => this.ids[indices[k] as number] as number);
    return new CorruptedDataset(this.base.subset(indices, name), this.corruption, this.severity, this.seed, ids);
  }
}
