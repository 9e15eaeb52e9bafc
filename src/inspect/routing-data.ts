/**
 * The test data a circuit inspection routes: by default the model folder's own task (meta.task, with
 * the data options it was trained with), or a named task or dataset; the test split, cut to a seeded
 * random subset.
 */
import { ConfigError } from '../config/validate.js';
import { DATASET_NAMES, loadDataset } from '../data/index.js';
import type { Dataset } from '../data/dataset.js';
import { readModelMeta } from '../io/model-dir.js';
import { loadTaskData } from '../train/task-data.js';
import { TASK_NAMES } from '../train/tasks.js';
import { defaultTrainConfig } from '../train/train-config.js';
import { routingSubset } from './class-routing.js';

/** Options of {@link circuitTestData}. */
export interface CircuitDataOptions {
  /** A task name (see `nac train --task`) or a dataset name; default: the model folder's meta.task. */
  data?: string;
  /** Examples to keep (0 = all). */
  limit: number;
  /** Seed of the subset. */
  seed: number;
  /** Classes the model predicts: the data must have as many. */
  numClasses: number;
}

/** Loads the test split for routing; throws naming --data and the allowed names when it cannot. */
export function circuitTestData(modelDir: string, options: CircuitDataOptions): Dataset {
  const meta = readModelMeta(modelDir);
  const name = options.data ?? meta.task;
  const allowed = [...new Set([...TASK_NAMES(), ...DATASET_NAMES])];
  if (!name) throw new ConfigError('--data', `is needed: ${modelDir} does not record its task; allowed: ${allowed.join(', ')}`);
  let test: Dataset;
  if (TASK_NAMES().includes(name)) {
    const base = defaultTrainConfig(name);
    const data = name === meta.task ? { ...base.data, ...(meta.data ?? {}) } : base.data;
    test = loadTaskData({ ...base, testLimit: 0, trainLimit: 0, data }).test;
  } else if ((DATASET_NAMES as readonly string[]).includes(name)) {
    test = loadDataset(name, { seed: 0 }).test;
  } else {
    throw new ConfigError('--data', `must be a task or dataset name; got '${name}'; allowed: ${allowed.join(', ')}`);
  }
  if (test.classNames.length !== options.numClasses)
    throw new ConfigError('--data', `'${name}' has ${test.classNames.length} classes but the model predicts ${options.numClasses}`);
  return routingSubset(test, options.limit, options.seed);
}
