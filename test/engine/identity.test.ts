/**
 * The wasm Identity and Cast kernels that share data instead of copying (src/engine/kernels/identity.ts): a clone
 * adds no data buffer, outlives its source, survives the source variable's assign, and the saved
 * clones of a backward pass give the same gradients as the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

beforeAll(async () => {
  quietTfjs();
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('wasm Identity shares data', () => {
  it('a clone adds no data buffer and outlives its source', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffers - 1);
  });

  it("a clone of a variable keeps the old value after the variable's assign", () => {
    const v = tf.variable(tf.tensor1d([4, 5]));
    const c = tf.clone(v);
    v.assign(tf.tensor1d([7, 8]));
    expect(Array.from(c.dataSync())).toEqual([4, 5]);
    expect(Array.from(v.dataSync())).toEqual([7, 8]);
    tf.dispose([v, c]);
  });

  it('gradients through saved clones equal the cpu backend', async () => {
    const f = (): tf.Tensor[] => {
      const x = randomTensor([6, 5], 1);
      const w = randomTensor([5, 4], 2);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.exp(tf.matMul(a, b).mul(0.3)).square()))([x, w]);
    };
    const wasm = await onBackend('wasm', f);
    const cpu = await onBackend('cpu', f);
    wasm.forEach((g, i) => expect(relError(g, cpu[i]!)).toBeLessThan(1e-5));
  });
});

describe('wasm Cast', () => {
  it('shares data when the dtype does not change', () => {
    const x = tf.tensor1d([1.5, -2]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2]);
    y.dispose();
  });

  it('converts between dtypes as the cpu backend does (to bool: x ≠ 0)', async () => {
    const values = [0, 0.5, -1, 1.7, -1.7, 256, 3];
    for (const dtype of ['int32', 'bool'] as const) {
      const f = (): tf.Tensor[] => [tf.cast(tf.cast(tf.tensor1d(values), dtype), 'float32')];
      const [wasm] = await onBackend('wasm', f);
      const [cpu] = await onBackend('cpu', f);
      expect(Array.from(wasm!), dtype).toEqual(Array.from(cpu!));
    }
    expect(Array.from(tf.cast(tf.tensor1d([0, 2, 0], 'int32'), 'bool').dataSync())).toEqual([0, 1, 0]);
  });
});
