/**
 * The calibration batch of the `attention` pruning rule: a seeded random sample of a task's training
 * split (with the dataset options recorded in the model folder), as the model's input tensor.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { loadTaskData } from '../train/task-data.js';
import { defaultTrainConfig } from '../train/train-config.js';
import { batchTensor } from '../train/evaluate.js';
import { Rng } from '../util/rng.js';

/** `n` examples of `data` drawn without replacement from `seed` (sorted), as one input tensor (caller disposes). */
export function sampleBatch(data: Dataset, n: number, seed: number): tf.Tensor {
  if (!Number.isInteger(n) || n < 1) throw new Error(`sampleBatch: n must be an integer ≥ 1, got ${n}`);
  const order = new Rng(seed).shuffle(Array.from({ length: data.size }, (_, i) => i));
  const indices = Int32Array.from(order.slice(0, Math.min(n, data.size))).sort();
  return batchTensor(data.getBatch(indices));
}

/** The training split of `task` with the model folder's recorded data options (`meta.data`). */
export function taskTrainSplit(task: string, metaData: Record<string, unknown> | undefined): Dataset {
  const base = defaultTrainConfig(task);
  return loadTaskData({ ...base, data: { ...base.data, ...(metaData ?? {}) } }).train;
}
