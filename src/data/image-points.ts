/**
 * Images as 2-D point sets (the PointNet protocol for MNIST): the pixels brighter than a threshold
 * become points (x, y) in [−1, 1] (x to the right, y up), resampled with a seeded generator to a fixed
 * number of points, with replacement when there are fewer. The generator of an example is seeded from
 * (seed, storage, stored index), so every epoch sees the same cloud for an example.
 */
import { Rng } from '../util/rng.js';
import type { DatasetSplits } from './dataset.js';
import { IndexedDataset, range, type DatasetMeta } from './indexed-dataset.js';
import { readRawImageSet, type RawImages } from './mnist.js';
import { carveValidation, limitSplits, mixSeed } from './splits.js';

/** Pixel threshold (exclusive, 0–255) per source: MNIST strokes are bright; garments have dark textures. */
export const POINT_THRESHOLDS = { mnist: 128, 'fashion-mnist': 64 } as const;

/**
 * Writes the cloud of one H×W uint8 image into `out` at `offset` as numPoints × (x, y).
 * If no pixel passes `threshold`, every non-zero pixel is used; a black image gives points at the origin.
 */
export function imageToPoints(
  image: Uint8Array,
  height: number,
  width: number,
  threshold: number,
  numPoints: number,
  rng: Rng,
  out: Float32Array,
  offset = 0,
  scratch: Int32Array = new Int32Array(height * width),
): void {
  let count = 0;
  for (const t of [threshold, 0]) {
    count = 0;
    for (let p = 0; p < height * width; p++) if ((image[p] as number) > t) scratch[count++] = p;
    if (count > 0) break;
  }
  if (count === 0) {
    out.fill(0, offset, offset + 2 * numPoints);
    return;
  }
  const chosen = new Int32Array(numPoints);
  if (count >= numPoints) {
    // Partial Fisher–Yates: numPoints distinct pixels.
    for (let k = 0; k < numPoints; k++) {
      const j = k + rng.int(count - k);
      const t = scratch[k] as number;
      scratch[k] = scratch[j] as number;
      scratch[j] = t;
      chosen[k] = scratch[k] as number;
    }
  } else {
    // Every pixel once, the rest drawn with replacement, then shuffled so duplicates are spread out.
    for (let k = 0; k < numPoints; k++) chosen[k] = k < count ? (scratch[k] as number) : (scratch[rng.int(count)] as number);
    for (let k = numPoints - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      const t = chosen[k] as number;
      chosen[k] = chosen[j] as number;
      chosen[j] = t;
    }
  }
  for (let k = 0; k < numPoints; k++) {
    const p = chosen[k] as number;
    const row = Math.floor(p / width);
    const col = p - row * width;
    out[offset + 2 * k] = width > 1 ? (2 * col) / (width - 1) - 1 : 0;
    out[offset + 2 * k + 1] = height > 1 ? 1 - (2 * row) / (height - 1) : 0;
  }
}

interface PointStorage {
  name: string;
  raw: RawImages;
  classNames: readonly string[];
  threshold: number;
  numPoints: number;
  seed: number;
}

/** A point-set view of an image storage; clouds are computed when a batch is made. */
export class ImagePointsDataset extends IndexedDataset {
  private readonly scratch: Int32Array;

  constructor(
    private readonly storage: PointStorage,
    name: string = storage.name,
    items: Int32Array = range(storage.raw.labels.length),
  ) {
    const meta: DatasetMeta = { kind: 'points', exampleShape: [storage.numPoints, 2], dtype: 'float32', classNames: storage.classNames };
    super(name, meta, storage.raw.labels, items);
    this.scratch = new Int32Array(storage.raw.height * storage.raw.width);
  }

  protected writeItem(item: number, out: Float32Array | Int32Array, offset: number): void {
    const { raw, threshold, numPoints, seed, name } = this.storage;
    const n = raw.height * raw.width;
    const rng = new Rng(mixSeed(seed, name, item));
    imageToPoints(
      raw.images.subarray(item * n, (item + 1) * n),
      raw.height,
      raw.width,
      threshold,
      numPoints,
      rng,
      out as Float32Array,
      offset,
      this.scratch,
    );
  }

  protected view(items: Int32Array, name: string): ImagePointsDataset {
    return new ImagePointsDataset(this.storage, name, items);
  }
}

/** Options of {@link loadImagePoints}. */
export interface ImagePointsOptions {
  seed: number;
  valSize: number;
  numPoints: number;
  limit?: number;
  dataDir?: string;
}

/** MNIST or Fashion-MNIST as [numPoints, 2] point sets; same splits as the image readers. */
export function loadImagePoints(id: 'fashion-mnist' | 'mnist', opts: ImagePointsOptions): DatasetSplits {
  const raw = readRawImageSet(id, opts.dataDir);
  const name = `${id}-points`;
  const make = (r: RawImages, split: string): ImagePointsDataset =>
    new ImagePointsDataset({
      name: `${name}/${split}`,
      raw: r,
      classNames: raw.classNames,
      threshold: POINT_THRESHOLDS[id],
      numPoints: opts.numPoints,
      seed: opts.seed,
    });
  const { train, val } = carveValidation(make(raw.train, 'train'), opts.valSize, opts.seed, name, id);
  const source = `${raw.source}; pixels > ${POINT_THRESHOLDS[id]} as points, ${opts.numPoints} per cloud`;
  return limitSplits({ train, val, test: make(raw.test, 'test'), source, license: raw.license }, opts.limit, opts.seed);
}
