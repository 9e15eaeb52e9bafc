// Tiny synthetic tasks for the non-image tokenizers: circle vs square point sets, and "does a marker id occur" for id sequences.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/util/rng.js';

/** A labelled batch: inputs, integer labels and the labels as numbers. */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor1D;
  labels: number[];
}

/** 2-D point sets [n, points, 2]: label 0 = points on a circle, 1 = points on a square's outline (size 0.6–0.8, small offset, noise). */
export function shapePointsBatch(n: number, points: number, seed: number): Batch {
  const rng = new Rng(seed);
  const data = new Float32Array(n * points * 2);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.int(2);
    labels.push(label);
    const r = 0.6 + 0.2 * rng.uniform();
    const [cx, cy] = [0.1 * (rng.uniform() - 0.5), 0.1 * (rng.uniform() - 0.5)];
    for (let p = 0; p < points; p++) {
      let [x, y] = [0, 0];
      if (label === 0) {
        const a = 2 * Math.PI * rng.uniform();
        [x, y] = [r * Math.cos(a), r * Math.sin(a)];
      } else {
        const t = 2 * rng.uniform() - 1;
        const side = rng.int(4);
        [x, y] = side === 0 ? [r, r * t] : side === 1 ? [-r, r * t] : side === 2 ? [r * t, r] : [r * t, -r];
      }
      data[(i * points + p) * 2] = cx + x + 0.02 * rng.normal();
      data[(i * points + p) * 2 + 1] = cy + y + 0.02 * rng.normal();
    }
  }
  return { x: tf.tensor3d(data, [n, points, 2]), y: tf.tensor1d(labels, 'int32'), labels };
}

/**
 * Id sequences [n, length]: a random prefix of at least length/2 ids drawn from `alphabet` (never `marker`), then
 * `padId`; in half of the examples (label 1) one prefix position holds `marker`.
 */
export function markerBatch(n: number, length: number, alphabet: readonly number[], marker: number, padId: number, seed: number): Batch {
  const rng = new Rng(seed);
  const data = new Int32Array(n * length);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const used = Math.ceil(length / 2) + rng.int(Math.floor(length / 2) + 1);
    for (let j = 0; j < length; j++) data[i * length + j] = j < used ? (alphabet[rng.int(alphabet.length)] as number) : padId;
    const label = rng.int(2);
    if (label === 1) data[i * length + rng.int(used)] = marker;
    labels.push(label);
  }
  return { x: tf.tensor2d(data, [n, length], 'int32'), y: tf.tensor1d(labels, 'int32'), labels };
}

/**
 * Byte texts [n, length] of letters, then padding 256: label 0 = all lowercase, 1 = all uppercase. At least
 * half of each row holds letters.
 */
export function letterCaseBatch(n: number, length: number, seed: number): Batch {
  const rng = new Rng(seed);
  const data = new Int32Array(n * length);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rng.int(2);
    labels.push(label);
    const used = Math.ceil(length / 2) + rng.int(Math.floor(length / 2) + 1);
    for (let j = 0; j < length; j++) data[i * length + j] = j < used ? (label ? 65 : 97) + rng.int(26) : 256;
  }
  return { x: tf.tensor2d(data, [n, length], 'int32'), y: tf.tensor1d(labels, 'int32'), labels };
}
