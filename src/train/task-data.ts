/**
 * Loads the data of a run: the task's dataset with the run's options (seed, validation size, points
 * per cloud, sequence length, header stripping), cut to seeded random subsets of `trainLimit` /
 * `testLimit` examples when set.
 */
import { loadDataset, type DatasetOptions } from '../data/index.js';
import type { Dataset, DatasetSplits } from '../data/dataset.js';
import { taskSpec } from './tasks.js';
import { Rng } from '../util/rng.js';
import type { TrainConfig } from './train-config.js';

/** A seeded random subset of `limit` examples (kept in their original order): splits may be sorted by class. */
function sample(d: Dataset, limit: number, seed: number): Dataset {
  if (limit <= 0 || limit >= d.size) return d;
  const order = new Rng(seed).shuffle(Array.from({ length: d.size }, (_, i) => i));
  return d.subset(Int32Array.from(order.slice(0, limit)).sort(), d.name);
}

/** The dataset options a training config asks for. */
export function datasetOptions(cfg: TrainConfig): DatasetOptions {
  const o: DatasetOptions = { seed: cfg.seed };
  const takes = taskSpec(cfg.task).dataOptions ?? [];
  if (cfg.valSize > 0 && !taskSpec(cfg.task).fixedSplits) o.valSize = cfg.valSize;
  if (takes.includes('stripHeaders')) o.stripHeaders = cfg.data.stripHeaders;
  if (takes.includes('split') && cfg.data.split !== 'default') o.split = cfg.data.split;
  if (takes.includes('numPoints') && cfg.data.numPoints > 0) o.numPoints = cfg.data.numPoints;
  if (takes.includes('maxLength') && cfg.data.maxLength > 0) o.maxLength = cfg.data.maxLength;
  return o;
}

/** Loads the splits of `cfg.task` (train sub-sampled to trainLimit; val and test to testLimit). */
export function loadTaskData(cfg: TrainConfig): DatasetSplits {
  const splits = loadDataset(taskSpec(cfg.task).dataset, datasetOptions(cfg));
  const seed = cfg.seed + 0x5eed;
  return {
    ...splits,
    train: sample(splits.train, cfg.trainLimit, seed),
    val: sample(splits.val, cfg.testLimit, seed + 1),
    test: sample(splits.test, cfg.testLimit, seed + 2),
  };
}
