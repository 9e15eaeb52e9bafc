// A tiny synthetic image task: which quadrant of an 8×8 grey image holds the bright 4×4 square (4 classes).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/util/rng.js';

export function quadrantBatch(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D; labels: number[] } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 64);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = rng.int(4);
    labels.push(q);
    const [r0, c0] = [(q >> 1) * 4, (q & 1) * 4];
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        const inside = r >= r0 && r < r0 + 4 && c >= c0 && c < c0 + 4;
        data[i * 64 + r * 8 + c] = (inside ? 1 : 0) + 0.3 * rng.normal();
      }
  }
  return { x: tf.tensor4d(data, [n, 8, 8, 1]), y: tf.tensor1d(labels, 'int32'), labels };
}

/** Softmax cross-entropy of logits [B, C] against integer labels [B]. */
export function crossEntropy(logits: tf.Tensor, y: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), logits) as tf.Scalar);
}

/** Accuracy of logits against labels. */
export function accuracy(logits: tf.Tensor, labels: number[]): number {
  const pred = tf.tidy(() => logits.argMax(-1).dataSync());
  let ok = 0;
  labels.forEach((l, i) => (ok += pred[i] === l ? 1 : 0));
  return ok / labels.length;
}

/** Texture task: 8×8 grey images of one of 4 textures (horizontal stripes, vertical stripes, checkerboard, flat) plus noise. */
export function textureBatch(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor1D; labels: number[] } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 64);
  const labels: number[] = [];
  const pattern = [(r: number) => r % 2, (_r: number, c: number) => c % 2, (r: number, c: number) => (r + c) % 2, () => 0.5];
  for (let i = 0; i < n; i++) {
    const k = rng.int(4);
    labels.push(k);
    const phase = rng.int(2);
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++)
        data[i * 64 + r * 8 + c] = (pattern[k] as (r: number, c: number) => number)(r + phase, c + phase) + 0.3 * rng.normal();
  }
  return { x: tf.tensor4d(data, [n, 8, 8, 1]), y: tf.tensor1d(labels, 'int32'), labels };
}
