/**
 * Classification losses of the training recipe (spec §2.1): soft-target cross-entropy (timm's
 * SoftTargetCrossEntropy, used with Mixup/CutMix) and label-smoothed one-hot targets.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Mean soft-target cross-entropy −(1/B)·Σ_b Σ_c t_bc·log softmax(z_b)_c of logits [B, C] against
 * targets [B, C] whose rows sum to 1. Computed with logSoftmax, so it is stable for large logits;
 * its gradient w.r.t. the logits is (softmax(z) − t)/B.
 */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (logits.rank !== 2 || targets.rank !== 2 || logits.shape[0] !== targets.shape[0] || logits.shape[1] !== targets.shape[1]) {
    throw new Error(
      `softCrossEntropy: logits ${JSON.stringify(logits.shape)} and targets ${JSON.stringify(targets.shape)} must both be [B, C]`,
    );
  }
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)).neg() as tf.Scalar);
}

/**
 * Label-smoothed one-hot targets as a row-major [B, C] Float32Array: (1−ε)·onehot + ε/C, so each
 * row sums to 1. This is the plain-array form that `mixBatch` (augment.ts) mixes.
 */
export function smoothedTargetsArray(labels: Int32Array, numClasses: number, smoothing: number): Float32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new Error(`smoothedTargets: numClasses must be a positive integer, got ${numClasses}`);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`smoothedTargets: smoothing must be in [0, 1], got ${smoothing}`);
  const off = smoothing / numClasses;
  const out = new Float32Array(labels.length * numClasses).fill(off);
  labels.forEach((label, b) => {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new Error(`smoothedTargets: label ${label} at index ${b} is outside [0, ${numClasses})`);
    }
    out[b * numClasses + label] = 1 - smoothing + off;
  });
  return out;
}

/** One-hot targets [B, C] with label smoothing ε: (1−ε)·onehot + ε/C. */
export function smoothedTargets(labels: Int32Array, numClasses: number, smoothing: number): tf.Tensor2D {
  return tf.tensor2d(smoothedTargetsArray(labels, numClasses, smoothing), [labels.length, numClasses]);
}
