/**
 * Evaluation: runs a classifier over a dataset in eval mode, batch by batch, and accumulates top-1,
 * top-5, mean cross-entropy, per-class accuracy and the confusion matrix, optionally with test-time
 * augmentation (horizontal flips of images). Also turns a data batch into the input tensor the model
 * expects (float32 images / points, int32 token ids).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, Dataset } from '../data/dataset.js';
import type { ClassifierModel } from '../model/factory.js';
import { MetricAccumulator, type EvalMetrics } from './metrics.js';

/** A data batch as a model input tensor (caller disposes). */
export function batchTensor(batch: Batch, x: Float32Array | Int32Array = batch.x): tf.Tensor {
  return x instanceof Int32Array ? tf.tensor(x, batch.shape, 'int32') : tf.tensor(x, batch.shape, 'float32');
}

/** Sum over rows of −log softmax(logits)[label], computed stably in plain JS. */
export function crossEntropySum(logits: Float32Array, numClasses: number, labels: Int32Array): number {
  let sum = 0;
  for (let b = 0; b < labels.length; b++) {
    const row = logits.subarray(b * numClasses, (b + 1) * numClasses);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let z = 0;
    for (const v of row) z += Math.exp(v - max);
    sum += Math.log(z) + max - (row[labels[b] as number] as number);
  }
  return sum;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  batchSize?: number;
  /** Called after each batch with the number of examples done. */
  onBatch?: (done: number) => void;
  /** Also return the raw logits, row-major [size, C]. */
  keepLogits?: boolean;
  /**
   * Test-time augmentation: 'none' (default) or 'hflip', which averages the class probabilities of each
   * image and its mirror image (NHWC inputs only); the logits are then the log of the averaged probabilities.
   */
  tta?: TestTimeAugmentation;
}

/** The test-time augmentations of {@link evaluate}. */
export const TTA_MODES = ['none', 'hflip'] as const;
/** One of {@link TTA_MODES}. */
export type TestTimeAugmentation = (typeof TTA_MODES)[number];

/** The model's logits for x, or with 'hflip' log of the mean softmax over x and x mirrored along its width. */
function predict(model: ClassifierModel, x: tf.Tensor, tta: TestTimeAugmentation): tf.Tensor {
  if (tta === 'none') return model.forward(x);
  if (x.rank !== 4)
    throw new Error(`tta: 'hflip' needs images [B, H, W, C], got inputs of shape [${x.shape.join(', ')}]; allowed for these: none`);
  // log((p + p')/2) from the log-probabilities, so that a probability underflowing to 0 stays finite.
  const both = tf.stack([tf.logSoftmax(model.forward(x)), tf.logSoftmax(model.forward(tf.reverse(x, 2)))]);
  return tf.logSumExp(both, 0).sub(Math.LN2);
}

/**
 * Evaluates `model` on every example of `data` (in order, eval mode; the model's previous mode is
 * restored). Returns the metrics, and the logits when asked.
 */
export async function evaluate(
  model: ClassifierModel,
  data: Dataset,
  options: EvaluateOptions = {},
): Promise<EvalMetrics & { logits?: Float32Array }> {
  const batchSize = options.batchSize ?? 256;
  const tta = options.tta ?? 'none';
  if (!(TTA_MODES as readonly string[]).includes(tta)) throw new Error(`tta: got '${String(tta)}'; allowed: ${TTA_MODES.join(', ')}`);
  const numClasses = data.classNames.length;
  const acc = new MetricAccumulator(numClasses);
  const wasTraining = model.training;
  model.eval();
  const all = options.keepLogits ? new Float32Array(data.size * numClasses) : undefined;
  try {
    for (let start = 0; start < data.size; start += batchSize) {
      const n = Math.min(batchSize, data.size - start);
      const indices = Int32Array.from({ length: n }, (_, i) => start + i);
      const batch = data.getBatch(indices);
      const logits = tf.tidy(() => predict(model, batchTensor(batch), tta));
      // An asynchronous read: WebGPU in Node has no synchronous one.
      const values = ((await logits.data()) as Float32Array).slice();
      logits.dispose();
      acc.add(values, [n, numClasses], batch.y, crossEntropySum(values, numClasses, batch.y));
      all?.set(values, start * numClasses);
      options.onBatch?.(start + n);
    }
  } finally {
    model.train(wasTraining);
  }
  const result: EvalMetrics & { logits?: Float32Array } = acc.result();
  if (all) result.logits = all;
  return result;
}
