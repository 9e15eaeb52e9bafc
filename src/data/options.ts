/**
 * DatasetOptions and their validation. Each failure is a ConfigError naming the option and its allowed
 * values; an option a dataset does not use is refused (when defined) rather than silently ignored.
 */
import { checkBool, checkInt, checkKeys, checkOneOf, ConfigError } from '../config/validate.js';

/** Options of {@link loadDataset}; every field is optional. */
export interface DatasetOptions {
  /** Seed of the train/val carving, of `limit`'s sub-sampling and of point sampling (default 0). */
  seed?: number;
  /** Number of validation examples carved from train (default per dataset, e.g. 5000 for the 60k sets). */
  valSize?: number;
  /** At most this many examples per split (seeded sub-sample), for tests and smoke runs. */
  limit?: number;
  /** Points per cloud (mnist-points, fashion-mnist-points: 256; kicad-points: 512). */
  numPoints?: number;
  /** Token sequence length after cutting/padding (listops 2000, listops-short 200, spam-assassin 1024). */
  maxLength?: number;
  /** spam-assassin: drop the e-mail headers (everything before the first blank line). Default true. */
  stripHeaders?: boolean;
  /** spam-assassin: test protocol, 'random' (stratified 20 %, default) or 'collections' (the corpus' second halves). */
  split?: 'random' | 'collections';
  /** Data folder; overrides NAC_DATA_DIR and the default `<package root>/.data`. */
  dataDir?: string;
}

/** Every option name. */
export const DATASET_OPTION_NAMES = ['seed', 'valSize', 'limit', 'numPoints', 'maxLength', 'stripHeaders', 'split', 'dataDir'] as const;

/** An option name. */
export type DatasetOptionName = (typeof DATASET_OPTION_NAMES)[number];

/** Options that every dataset accepts. */
const COMMON: readonly DatasetOptionName[] = ['seed', 'valSize', 'limit', 'dataDir'];

/**
 * Checks `options` for dataset `name`, which accepts `extra` besides seed, valSize, limit and dataDir.
 * Throws a ConfigError naming `options.<field>` on the first problem.
 */
export function validateDatasetOptions(name: string, options: DatasetOptions, extra: readonly DatasetOptionName[]): void {
  checkKeys(options, 'options', DATASET_OPTION_NAMES);
  const allowed = [...COMMON, ...extra];
  for (const key of DATASET_OPTION_NAMES) {
    const value = options[key];
    if (value === undefined) continue;
    if (!allowed.includes(key)) {
      throw new ConfigError(`options.${key}`, `does not apply to dataset '${name}'; it takes: ${allowed.join(', ')}`);
    }
    switch (key) {
      case 'seed':
        checkInt(value, 'options.seed', 0, 0xffffffff);
        break;
      case 'valSize':
        checkInt(value, 'options.valSize', 0);
        break;
      case 'limit':
        checkInt(value, 'options.limit', 1);
        break;
      case 'numPoints':
        checkInt(value, 'options.numPoints', 1, 1_000_000);
        break;
      case 'maxLength':
        checkInt(value, 'options.maxLength', 1, 1_000_000);
        break;
      case 'stripHeaders':
        checkBool(value, 'options.stripHeaders');
        break;
      case 'split':
        checkOneOf(value, 'options.split', ['random', 'collections'] as const);
        break;
      case 'dataDir':
        if (typeof value !== 'string' || value === '') {
          throw new ConfigError('options.dataDir', `must be a non-empty path string, got ${JSON.stringify(value)}`);
        }
        break;
    }
  }
}
