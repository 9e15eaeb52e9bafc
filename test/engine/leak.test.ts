/**
 * Resource checks of the wasm patch kernels: no tensors or wasm buffers leak when gradients are
 * computed in tf.tidy. (Their speed is a benchmark concern, not a test: timings never go in tests.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { quietTfjs, randomTensor } from './helpers.js';

beforeAll(async () => {
  quietTfjs();
  await initBackend({ backend: 'wasm', quiet: true });
});

const dataIds = (): number => tf.engine().backend.numDataIds();

describe('no leaks on wasm', () => {
  it('tensor and wasm buffer counts are unchanged after gradients in tf.tidy', () => {
    expect(tf.getBackend()).toBe('wasm');
    const x = randomTensor([2, 8, 8, 3], 1);
    const w = randomTensor([3, 3, 3, 4], 2);
    const dw = randomTensor([3, 3, 3, 2], 3);
    const table = randomTensor([20, 5], 4);
    const idx = tf.tensor([1, 4, 4, 19], [4], 'int32');
    const tensorsBefore = tf.memory().numTensors;
    const idsBefore = dataIds();
    for (let i = 0; i < 3; i++) {
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, t: tf.Tensor) => {
          const y1 = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same');
          const y2 = tf.depthwiseConv2d(a as tf.Tensor4D, c as tf.Tensor4D, 1, 'valid');
          return tf.addN([tf.sum(tf.square(y1)), tf.sum(tf.square(y2)), tf.sum(tf.square(tf.gather(t, idx)))]) as tf.Scalar;
        })([x, w, dw, table]);
        expect(g.map((t) => t.shape)).toEqual([x.shape, w.shape, dw.shape, table.shape]);
        g.forEach((t) => t.dataSync());
        // Einsum has no gradient in tfjs; its forward kernel must not leak either.
        tf.einsum('ij,kj->ik', table, table).dataSync();
      });
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(dataIds()).toBe(idsBefore);
    tf.dispose([x, w, dw, table, idx]);
  });

  it('a kernel that rejects its attrs allocates nothing', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const idsBefore = dataIds();
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] }),
    ).toThrow(/dy has shape \[1,4,4,3\], expected \[1,2,2,3\]/);
    expect(dataIds()).toBe(idsBefore);
    tf.dispose([x, dy]);
  });
});
