/**
 * The data of each OOD suite for a trained model: `corruptions` uses the model's own task's test (or
 * val) split; `optdigits` pairs the MNIST test split with UCI optdigits (for MNIST-trained models).
 * Both take a seeded random subset of `limit` examples per set.
 */
import { ConfigError } from '../config/validate.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/index.js';
import { mixSeed, seededSplit } from '../data/splits.js';
import { loadTaskData } from '../train/task-data.js';
import { defaultTrainConfig } from '../train/train-config.js';
import { taskSpec } from '../train/tasks.js';

/** The OOD suites `nac eval --ood` runs. */
export const OOD_SUITES = ['corruptions', 'optdigits'] as const;

/** An OOD suite name. */
export type OodSuite = (typeof OOD_SUITES)[number];

/** `name` as a suite; a ConfigError naming the allowed values otherwise. */
export function checkOodSuite(name: string, field = '--ood'): OodSuite {
  if (!(OOD_SUITES as readonly string[]).includes(name)) {
    throw new ConfigError(field, `'${name}' is unknown; allowed: ${OOD_SUITES.join(', ')}`);
  }
  return name as OodSuite;
}

/** A seeded random subset of `limit` examples of `data` in their original order (0 or ≥ size: all of it). */
export function seededSubset(data: Dataset, limit: number, seed: number): Dataset {
  if (!Number.isInteger(limit) || limit < 0) throw new ConfigError('--limit', `must be an integer ≥ 0, got ${limit}`);
  if (limit === 0 || limit >= data.size) return data;
  return data.subset(seededSplit(data.size, limit, mixSeed(seed, 'ood-subset', data.name)).first, data.name);
}

/** Options of {@link loadSuiteData}. */
export interface SuiteDataOptions {
  /** The task the model was trained on (a `nac train --task` name). */
  task: string;
  /** Dataset options the model was trained with (its folder's meta.data). */
  data?: Record<string, unknown>;
  split?: 'test' | 'val';
  /** Examples per set (0: all). */
  limit: number;
  seed: number;
}

/** What a suite evaluates on: `clean` (the model's own distribution) and, for a shift suite, `shifted`. */
export interface SuiteData {
  clean: Dataset;
  shifted?: Dataset;
}

/** Loads the sets of `suite` for a model trained on `o.task`. */
export function loadSuiteData(suite: OodSuite, o: SuiteDataOptions): SuiteData {
  const base = defaultTrainConfig(o.task);
  const cfg = { ...base, testLimit: 0, data: { ...base.data, ...(o.data ?? {}) } };
  if (suite === 'optdigits') {
    if (taskSpec(o.task).dataset !== 'mnist') {
      throw new ConfigError('--ood optdigits', `needs a model trained on MNIST (task mnist); this model's task is ${o.task}`);
    }
    const clean = loadTaskData(cfg)[o.split ?? 'test'];
    const shifted = loadDataset('optdigits', { seed: 0 }).test;
    return { clean: seededSubset(clean, o.limit, o.seed), shifted: seededSubset(shifted, o.limit, o.seed) };
  }
  return { clean: seededSubset(loadTaskData(cfg)[o.split ?? 'test'], o.limit, o.seed) };
}
