/**
 * tf.maxPool's gradient on wasm (the MaxPoolGrad kernel that replaces tfjs-backend-wasm's, which is
 * wrong as soon as the batch or the channel count exceeds 1) against the cpu backend and against a
 * hand-computed case.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

type Shape4 = [number, number, number, number];
const cases: [Shape4, [number, number], [number, number], 'valid' | 'same'][] = [
  [[2, 6, 6, 3], [2, 2], [2, 2], 'valid'],
  [[3, 8, 1, 5], [4, 1], [4, 1], 'valid'], // the byte tokenizer's n-gram pooling
  [[2, 7, 7, 4], [3, 3], [2, 2], 'same'],
  [[1, 5, 6, 2], [2, 3], [1, 2], 'valid'],
];

beforeAll(async () => {
  quietTfjs();
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('maxPool gradient on wasm', () => {
  it('is registered by this package', async () => {
    const report = await initBackend({ backend: 'wasm', quiet: true });
    expect(report.patchedKernels).toContain('MaxPoolGrad');
  });

  it.each(cases.map((c) => [`x=${c[0]} window=${c[1]} strides=${c[2]} ${c[3]}`, c] as const))('equals cpu: %s', async (_n, c) => {
    const [shape, window, strides, pad] = c;
    const grad = (): tf.Tensor[] => {
      const x = randomTensor(shape, 1);
      const y = tf.maxPool(x as tf.Tensor4D, window, strides, pad);
      const r = randomTensor(y.shape, 2);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, window, strides, pad).mul(r)))(x)];
    };
    const [wasm] = await onBackend('wasm', grad);
    const [cpu] = await onBackend('cpu', grad);
    expect(wasm!.length).toBe(shape.reduce((a, b) => a * b));
    expect(relError(wasm!, cpu!)).toBeLessThan(1e-6); // overlapping windows sum in another order
  });

  it('sends each window gradient to its maximum (hand-computed, two channels)', () => {
    // Channel 0 rises along the row, channel 1 falls: windows of 2 pick opposite ends.
    const x = tf.tensor4d([1, 4, 2, 3, 5, 0, 6, -1], [1, 1, 4, 2]);
    const g = tf.grad((v: tf.Tensor) =>
      tf.sum(tf.maxPool(v as tf.Tensor4D, [1, 2], [1, 2], 'valid').mul(tf.tensor4d([10, 20, 30, 40], [1, 1, 2, 2]))),
    )(x);
    expect(Array.from(g.dataSync())).toEqual([0, 20, 10, 0, 0, 40, 30, 0]);
    tf.dispose([x, g]);
  });
});
