/**
 * One optimisation step: a data batch → (augmentation, Mixup/CutMix, smoothed targets) → loss
 * (soft-target cross-entropy plus the graph regulariser) → gradients → clipping → AdamW update.
 * All randomness of a step derives from (seed, step), so a resumed run repeats the uninterrupted
 * one exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/dataset.js';
import type { ClassifierModel } from '../model/factory.js';
import { NAC } from '../model/nac.js';
import { leanVariableGrads } from '../engine/lean-grads.js';
import { Rng } from '../util/rng.js';
import type { AdamW } from './adamw.js';
import { clipScale, globalNormTensor } from './grad-clip.js';
import { augmentImages, augmentPoints, mixBatch } from './augment.js';
import { graphRegularizerLoss } from './graph-regularizers.js';
import { smoothedTargetsArray, softCrossEntropy } from './loss.js';
import { batchTensor } from './evaluate.js';
import type { TrainConfig } from './train-config.js';

/** A deterministic generator for one purpose ("stream") at one step of a seeded run. */
export function stepRng(seed: number, stream: number, step: number): Rng {
  // Nearby seeds give unrelated streams: Rng's constructor runs splitmix32 over the mixed integer.
  return new Rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0);
}

/** Random streams of a run. */
export const STREAM = { order: 1, augment: 2, mix: 3, noise: 4 } as const;

/** What one step measured. */
export interface StepResult {
  /** Classification loss (soft-target cross-entropy) of the batch, before the update. */
  loss: number;
  /** Graph regulariser value (already weighted), 0 when off. */
  regularizer: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/** Applies the configured augmentation, mixing and label smoothing to a batch (plain arrays). */
export function prepareBatch(
  batch: Batch,
  numClasses: number,
  cfg: TrainConfig,
  step: number,
): { x: Float32Array | Int32Array; targets: Float32Array } {
  let x = batch.x;
  let targets = smoothedTargetsArray(batch.y, numClasses, cfg.labelSmoothing);
  if (x instanceof Float32Array && batch.shape.length === 4) {
    const shape = batch.shape as [number, number, number, number];
    if (cfg.augment.padCrop > 0 || cfg.augment.hflip) {
      x = augmentImages(x, shape, { padCrop: cfg.augment.padCrop, hflip: cfg.augment.hflip }, stepRng(cfg.seed, STREAM.augment, step));
    }
    if (cfg.mix) {
      const mixed = mixBatch(x as Float32Array, shape, targets, numClasses, cfg.mix, stepRng(cfg.seed, STREAM.mix, step));
      x = mixed.x;
      targets = mixed.targets;
    }
  } else if (x instanceof Float32Array && batch.shape.length === 3 && cfg.augment.pointJitter > 0) {
    const shape = batch.shape as [number, number, number];
    x = augmentPoints(x, shape, { jitter: cfg.augment.pointJitter }, stepRng(cfg.seed, STREAM.augment, step));
  }
  return { x, targets };
}

/** What {@link forwardBackward} returns: the caller owns (and disposes) every tensor. */
export interface StepGradients {
  /** Total loss (classification + regulariser), a scalar. */
  value: tf.Scalar;
  /** The weighted regulariser term, or null when off. */
  regularizer: tf.Scalar | null;
  /** Gradients of the trainable parameters, by name. */
  grads: Map<string, tf.Tensor>;
}

/**
 * The synchronous part of a training step: batch preparation, forward, loss and backward. Nothing
 * is read back from the device, so on a GPU it only queues work (bench/profile-train.mjs times it).
 */
export function forwardBackward(model: ClassifierModel, batch: Batch, numClasses: number, cfg: TrainConfig, step: number): StepGradients {
  const { x, targets } = prepareBatch(batch, numClasses, cfg, step);
  if (model instanceof NAC) model.reseedNoise(stepRng(cfg.seed, STREAM.noise, step).seed());
  const vars = [...model.namedParameters().values()].filter((v) => v.trainable);
  let regularizer: tf.Scalar | null = null;
  const { value, grads } = tf.tidy(() => {
    const input = batchTensor(batch, x);
    const t = tf.tensor2d(targets, [batch.y.length, numClasses]);
    return leanVariableGrads(() => {
      const ce = softCrossEntropy(model.forward(input) as tf.Tensor2D, t);
      const r = model instanceof NAC ? graphRegularizerLoss(model, cfg.graphRegularizer) : null;
      if (r === null) return ce;
      regularizer = tf.keep(r);
      return ce.add(r) as tf.Scalar;
    }, vars);
  });
  return { value, regularizer, grads: new Map(Object.entries(grads)) };
}

/**
 * Runs one training step of `model` on `batch` at learning rate `lr`. Returns the losses and the
 * gradient norm; when the loss or the norm is not finite the update is skipped (the caller stops).
 * The loss, the regulariser and the gradient norm come back in one asynchronous read (WebGPU in Node
 * has no synchronous one, and one read per step is one pipeline stall on a GPU).
 */
export async function trainStep(
  model: ClassifierModel,
  optimizer: AdamW,
  batch: Batch,
  numClasses: number,
  cfg: TrainConfig,
  step: number,
  lr: number,
): Promise<StepResult> {
  const { value, regularizer: reg, grads } = forwardBackward(model, batch, numClasses, cfg, step);
  const measured = tf.tidy(() => tf.stack([value, reg ?? tf.scalar(0), globalNormTensor(grads)]));
  try {
    const [total, regularizer, gradNorm] = Array.from(await measured.data()) as [number, number, number];
    const loss = total - regularizer;
    if (!Number.isFinite(total)) return { loss, regularizer, gradNorm: NaN };
    if (Number.isFinite(gradNorm)) optimizer.step(grads, lr, cfg.gradClip > 0 ? clipScale(gradNorm, cfg.gradClip) : 1);
    return { loss, regularizer, gradNorm };
  } finally {
    measured.dispose();
    reg?.dispose();
    value.dispose();
    for (const g of grads.values()) g.dispose();
  }
}
