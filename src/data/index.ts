/**
 * The dataset registry: `DATASET_NAMES`, `loadDataset(name, options)` (validated options, train/val/test
 * splits) and `checkDataset(name)` (is it installed?), plus the public API of src/data.
 */
import { ConfigError } from '../config/validate.js';
import type { DatasetSplits } from './dataset.js';
import { DataMissingError } from './errors.js';
import { loadImagePoints } from './image-points.js';
import { loadKicadPoints, locateKicad } from './kicad.js';
import { loadListOps } from './listops-data.js';
import { loadImageSet, locateFashionMnist, locateMnist } from './mnist.js';
import { loadOptdigits, locateOptdigits } from './optdigits.js';
import { validateDatasetOptions, type DatasetOptionName, type DatasetOptions } from './options.js';
import { loadSpamAssassin, locateSpamAssassin } from './spam.js';

export type { Batch, Dataset, DatasetSplits, InputKind } from './dataset.js';
export { batchIndices } from './dataset.js';
export { ArrayDataset, type ArrayDatasetInit } from './array-dataset.js';
export { TokenDataset, type TokenDatasetInit } from './token-dataset.js';
export { classBalance, type ClassBalance } from './balance.js';
export { DataMissingError } from './errors.js';
export { IdxError, parseIdx, readIdxFile } from './idx.js';
export { DATASET_OPTION_NAMES, type DatasetOptions } from './options.js';
export { dataDir } from './paths.js';
export { LISTOPS_VOCAB, listOpsToString } from './listops.js';
export { stripEmailHeaders } from './spam.js';

/** Every dataset name {@link loadDataset} accepts. */
export const DATASET_NAMES = [
  'fashion-mnist',
  'mnist',
  'optdigits',
  'mnist-points',
  'fashion-mnist-points',
  'kicad-points',
  'listops',
  'listops-short',
  'spam-assassin',
] as const;

/** A dataset name. */
export type DatasetName = (typeof DATASET_NAMES)[number];

interface Entry {
  /** Options besides seed, valSize, limit and dataDir. */
  extra: DatasetOptionName[];
  /** Throws DataMissingError when the data are not installed (null: nothing to install). */
  locate: ((dir?: string) => unknown) | null;
  load: (o: DatasetOptions & { seed: number }) => DatasetSplits;
}

const REGISTRY: Record<DatasetName, Entry> = {
  'fashion-mnist': {
    extra: [],
    locate: locateFashionMnist,
    load: (o) => loadImageSet('fashion-mnist', { ...o, valSize: o.valSize ?? 5000 }),
  },
  mnist: { extra: [], locate: locateMnist, load: (o) => loadImageSet('mnist', { ...o, valSize: o.valSize ?? 5000 }) },
  optdigits: {
    extra: [],
    locate: locateOptdigits,
    load: (o) => {
      if (o.valSize)
        throw new ConfigError('options.valSize', 'must be 0 or unset for optdigits (a test-only set: train and val are empty)');
      return loadOptdigits(o);
    },
  },
  'mnist-points': {
    extra: ['numPoints'],
    locate: locateMnist,
    load: (o) => loadImagePoints('mnist', { ...o, valSize: o.valSize ?? 5000, numPoints: o.numPoints ?? 256 }),
  },
  'fashion-mnist-points': {
    extra: ['numPoints'],
    locate: locateFashionMnist,
    load: (o) => loadImagePoints('fashion-mnist', { ...o, valSize: o.valSize ?? 5000, numPoints: o.numPoints ?? 256 }),
  },
  'kicad-points': {
    extra: ['numPoints'],
    locate: locateKicad,
    load: (o) => {
      if (o.valSize !== undefined) throw new ConfigError('options.valSize', 'does not apply to kicad-points (a per-class 70/10/20 split)');
      return loadKicadPoints({ ...o, numPoints: o.numPoints ?? 512 });
    },
  },
  listops: { extra: ['maxLength'], locate: null, load: (o) => loadListOps('listops', o) },
  'listops-short': { extra: ['maxLength'], locate: null, load: (o) => loadListOps('listops-short', o) },
  'spam-assassin': {
    extra: ['maxLength', 'stripHeaders', 'split'],
    locate: locateSpamAssassin,
    load: (o) => loadSpamAssassin({ ...o, maxLength: o.maxLength ?? 1024, stripHeaders: o.stripHeaders ?? true }),
  },
};

function entry(name: string): Entry {
  if (!(DATASET_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError('dataset', `'${name}' is unknown; known datasets: ${DATASET_NAMES.join(', ')}`);
  }
  return REGISTRY[name as DatasetName];
}

/**
 * Loads dataset `name` as train/val/test splits. Throws ConfigError for an unknown name or a bad
 * option, and DataMissingError (naming the fetch command) when the data are not installed.
 */
export function loadDataset(name: string, options: DatasetOptions = {}): DatasetSplits {
  const e = entry(name);
  validateDatasetOptions(name, options, e.extra);
  return e.load({ ...options, seed: options.seed ?? 0 });
}

/** Null when dataset `name` can be loaded, else the DataMissingError's message (which names the fetch command). */
export function checkDataset(name: string, options: Pick<DatasetOptions, 'dataDir'> = {}): string | null {
  const e = entry(name);
  try {
    e.locate?.(options.dataDir);
    return null;
  } catch (err) {
    if (err instanceof DataMissingError) return err.message;
    throw err;
  }
}
