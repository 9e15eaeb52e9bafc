/**
 * Loads the data of a run: the task's dataset with the run's options (seed, validation size, points
 * per cloud, sequence length, header stripping), cut to `trainLimit` / `testLimit` when set.
 */
import { loadDataset, type DatasetOptions } from '../data/index.js';
import type { Dataset, DatasetSplits } from '../data/dataset.js';
import { taskSpec } from './tasks.js';
import type { TrainConfig } from './train-config.js';

function head(d: Dataset, limit: number): Dataset {
  if (limit <= 0 || limit >= d.size) return d;
  return d.subset(
    Int32Array.from({ length: limit }, (_, i) => i),
    d.name,
  );
}

/** The dataset options a training config asks for. */
export function datasetOptions(cfg: TrainConfig): DatasetOptions {
  const o: DatasetOptions = { seed: cfg.seed };
  const takes = taskSpec(cfg.task).dataOptions ?? [];
  if (cfg.valSize > 0 && !taskSpec(cfg.task).fixedSplits) o.valSize = cfg.valSize;
  if (takes.includes('stripHeaders')) o.stripHeaders = cfg.data.stripHeaders;
  if (takes.includes('numPoints') && cfg.data.numPoints > 0) o.numPoints = cfg.data.numPoints;
  if (takes.includes('maxLength') && cfg.data.maxLength > 0) o.maxLength = cfg.data.maxLength;
  return o;
}

/** Loads the splits of `cfg.task` (train cut to trainLimit; val and test to testLimit). */
export function loadTaskData(cfg: TrainConfig): DatasetSplits {
  const splits = loadDataset(taskSpec(cfg.task).dataset, datasetOptions(cfg));
  return {
    ...splits,
    train: head(splits.train, cfg.trainLimit),
    val: head(splits.val, cfg.testLimit),
    test: head(splits.test, cfg.testLimit),
  };
}
