/**
 * The wasm Slice and SplitV kernels (src/engine/kernels/slice.ts) against the cpu backend: every rank up to 6,
 * slices keeping trailing dims whole (merged blocks) or not, short and long blocks, size -1, scalars,
 * empty slices, int32 and bool data, gradients, bad arguments rejected as tfjs does, no leaks, and
 * setWasmSlice(false) restoring tfjs' own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { setWasmSlice } from '../../src/engine/kernels/slice.js';
import { onBackend, quietTfjs, randomTensor } from './helpers.js';

quietTfjs();

type Case = [shape: number[], begin: number[], size: number[]];
const CASES: Case[] = [
  [[10], [3], [5]],
  [[40], [2], [-1]],
  [
    [128, 512],
    [0, 256],
    [128, 256],
  ], // GEGLU's column halves
  [
    [6, 40],
    [1, 0],
    [4, 40],
  ], // whole rows: one block
  [
    [6, 7],
    [2, 3],
    [3, 2],
  ], // short blocks
  [
    [4, 5, 20],
    [1, 0, 0],
    [2, 5, 20],
  ],
  [
    [4, 5, 20],
    [0, 2, 0],
    [4, 2, 20],
  ],
  [
    [4, 5, 20],
    [0, 0, 3],
    [4, 5, 17],
  ],
  [
    [3, 4, 5, 18],
    [1, 1, 1, 0],
    [2, 3, 4, 18],
  ],
  [
    [3, 4, 5, 18],
    [0, 2, 0, 1],
    [-1, 2, -1, 16],
  ],
  [
    [2, 3, 2, 3, 2, 20],
    [1, 1, 0, 1, 1, 2],
    [1, 2, 2, 2, 1, 17],
  ],
  [
    [5, 4],
    [2, 1],
    [0, 3],
  ], // empty
];

describe('wasm Slice', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))(
    '%s equals the cpu backend (float32, int32, bool)',
    async (_name, [shape, begin, size]) => {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const run = (): tf.Tensor[] => {
          const x = randomTensor(shape, 3).mul(10);
          const typed = dtype === 'bool' ? x.greater(0) : x.cast(dtype);
          const y = tf.slice(typed, begin, size);
          return [y.cast('float32'), tf.tensor1d(y.shape, 'float32')];
        };
        const [want, wantShape] = await onBackend('cpu', run);
        const [got, gotShape] = await onBackend('wasm', run);
        expect(Array.from(gotShape!), dtype).toEqual(Array.from(wantShape!));
        expect(Array.from(got!), dtype).toEqual(Array.from(want!));
      }
    },
  );

  it('slices one-element and whole tensors, and gives tfjs gradients', async () => {
    const run = (): tf.Tensor[] => {
      const x = randomTensor([4, 6, 9], 5);
      const w = randomTensor([2, 3, 9], 6);
      const g = tf.grad((t: tf.Tensor) => tf.slice(t, [1, 2, 0], [2, 3, 9]).mul(w).sum())(x);
      return [tf.slice(x, [0, 0, 0], [-1, -1, -1]), tf.slice(tf.tensor1d([7]), [0], [1]), g];
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    got.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(want[i]!)));
  });

  it('splits like the cpu backend, with numbers and sizes (-1 included), along any axis, gradients too', async () => {
    const run = (): tf.Tensor[] => {
      const x = randomTensor([4, 80, 24], 8);
      const w = randomTensor([4, 16, 24], 9);
      const g = tf.grad((t: tf.Tensor) => tf.split(t, [16, -1], 1)[0]!.mul(w).sum())(x);
      return [...tf.split(x, [16, 64], 1), ...tf.split(x, 3, 2), ...tf.split(x, [1, 3], 0), ...tf.split(x, 2, -1), g];
    };
    const want = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => expect(Array.from(g), `piece ${i}`).toEqual(Array.from(want[i]!)));
  });

  it('rejects out-of-range slices as tfjs does', () => {
    const x = tf.zeros([3, 4]);
    expect(() => tf.slice(x, [2, 0], [2, 4])).toThrow(/slice/i);
    x.dispose();
  });

  it('leaks nothing and runs through this package until setWasmSlice(false)', () => {
    const x = randomTensor([8, 64], 1);
    const before = tf.memory().numTensors;
    const ids = tf.engine().backend.numDataIds();
    tf.tidy(() => [tf.slice(x, [1, 8], [6, 40]), ...tf.split(x, [10, 54], 1)].forEach((t) => t.dataSync()));
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    const ours = tf.getKernel('Slice', 'wasm')!.kernelFunc;
    expect(setWasmSlice(false)).toEqual([]);
    expect(tf.getKernel('Slice', 'wasm')!.kernelFunc).not.toBe(ours);
    const viaStock = tf.slice(x, [1, 8], [6, 40]);
    expect(setWasmSlice(true)).toEqual(['Slice', 'SplitV']);
    const viaOurs = tf.slice(x, [1, 8], [6, 40]);
    expect(Array.from(viaOurs.dataSync())).toEqual(Array.from(viaStock.dataSync()));
    tf.dispose([x, viaStock, viaOurs]);
  });
});
