// The native broadcasting arithmetic of the wasm backend (src/engine/kernels/binary-native.ts, native/
// src/binary.c): the broadcast plan collapses shapes as intended, Add, Sub, Multiply and RealDiv equal
// the cpu backend bit for bit on broadcast patterns of every kind (scalars, leading, middle, trailing,
// both operands broadcast, empty), non-float inputs and patterns beyond 4 dims still work through tfjs'
// kernels, and setWasmBinary(null) restores them. The kernel tests run twice: with the native add-on
// (skipped without one that has binary(), the suite name says why, unless NAC_REQUIRE_NATIVE=1) and with
// the same C core compiled into the wasm SIMD module (native: false); the plan tests always run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { broadcastPlan, NATIVE_BINARY_OPS, setWasmBinary } from '../../src/engine/kernels/binary-native.js';
import { heapEngines, onBackend, quietTfjs, randomData } from './helpers.js';

const status = await loadNativeBlas();
const native = status.blas?.binary != null;

describe('broadcastPlan', () => {
  it('collapses a bias over [B, U, d] into one strided row loop', () => {
    expect(broadcastPlan([32, 80, 128], [128])).toEqual({
      outShape: [32, 80, 128],
      dims: [1, 1, 2560, 128],
      a: [0, 0, 128, 1],
      b: [0, 0, 0, 1],
    });
  });
  it('keeps alternating patterns apart and drops size-1 dims', () => {
    expect(broadcastPlan([32, 80, 128], [80, 128])).toEqual({
      outShape: [32, 80, 128],
      dims: [1, 1, 32, 10240],
      a: [0, 0, 10240, 1],
      b: [0, 0, 0, 1],
    });
    expect(broadcastPlan([2048, 1], [1, 128])).toEqual({
      outShape: [2048, 128],
      dims: [1, 1, 2048, 128],
      a: [0, 0, 1, 0],
      b: [0, 0, 0, 1],
    });
    expect(broadcastPlan([4, 1, 6], [4, 5, 1])).toEqual({ outShape: [4, 5, 6], dims: [1, 4, 5, 6], a: [0, 6, 0, 1], b: [0, 5, 1, 0] });
    expect(broadcastPlan([], [3])).toEqual({ outShape: [3], dims: [1, 1, 1, 3], a: [0, 0, 0, 0], b: [0, 0, 0, 1] });
    expect(broadcastPlan([0, 4], [4])?.outShape).toEqual([0, 4]);
    expect(broadcastPlan([1, 1], [1])).toEqual({ outShape: [1, 1], dims: [1, 1, 1, 1], a: [0, 0, 0, 0], b: [0, 0, 0, 0] });
  });
  it('refuses shapes that do not broadcast and patterns of more than 4 dims', () => {
    expect(broadcastPlan([3, 4], [5, 4])).toBeNull();
    expect(broadcastPlan([2, 1, 2, 1, 2], [1, 2, 1, 2, 1])).toBeNull();
  });
});

const PAIRS: Array<[number[], number[]]> = [
  [
    [7, 33],
    [7, 33],
  ],
  [[3, 5, 17], [17]],
  [[17], [3, 5, 17]],
  [
    [3, 5, 17],
    [5, 17],
  ],
  [
    [3, 5, 17],
    [3, 1, 17],
  ],
  [
    [3, 5, 17],
    [3, 5, 1],
  ],
  [
    [4, 1, 6],
    [4, 5, 1],
  ],
  [
    [2, 3, 4, 5],
    [1, 3, 1, 5],
  ],
  [
    [2, 1, 2, 1, 2],
    [1, 3, 1, 3, 1],
  ], // 5 groups: through tfjs' kernel
  [[], [9]],
  [[9], []],
  [[], []],
  [[0, 4], [4]],
];

describe.each(heapEngines(native, status.detail))('broadcasting arithmetic on wasm through the %s%s', (_engine, useNative, skipped) => {
  // Without an add-on that has this kernel the native suite is skipped; its name says why.
  if (skipped !== '') return void it.skip(skipped, () => undefined);
  beforeAll(async () => {
    quietTfjs();
    if (useNative) expect(native, `NAC_REQUIRE_NATIVE=1 but the add-on has no binary(): ${status.detail}`).toBe(true);
    await initBackend({ backend: 'wasm', quiet: true, native: useNative });
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('equals the cpu backend bit for bit, including zeros, infinities and NaN', async () => {
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['Add', tf.add],
      ['Sub', tf.sub],
      ['Multiply', tf.mul],
      ['RealDiv', tf.div],
    ];
    const specials = [0, -0, 1, -2.5, Infinity, -Infinity, NaN, 1e-38, 3e38];
    let seed = 1;
    for (const [aShape, bShape] of PAIRS) {
      const make = (shape: number[]): tf.Tensor => {
        const n = shape.reduce((x, y) => x * y, 1);
        const v = Array.from(randomData(n, seed++)).map((x, i) => (i % 11 === 0 ? (specials[i % specials.length] as number) : x * 3));
        return tf.tensor(v, shape);
      };
      const a = await onBackend('cpu', () => [make(aShape)]);
      const b = await onBackend('cpu', () => [make(bShape)]);
      for (const [name, op] of ops) {
        const run = (): tf.Tensor[] => [op(tf.tensor(a[0]!, aShape), tf.tensor(b[0]!, bShape))];
        const [w] = await onBackend('wasm', run);
        const [c] = await onBackend('cpu', run);
        expect(Array.from(w!), `${name} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`).toEqual(Array.from(c!));
      }
    }
  });

  it('runs float32 in C and int32 through tfjs', async () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.tensor1d([10, 20]);
    const prof = await tf.profile(() => tf.dispose([tf.add(x, y), tf.sub(x, y), tf.mul(x, y), tf.div(x, y)]));
    expect(prof.kernels.map((k) => k.name)).toEqual(Object.keys(NATIVE_BINARY_OPS));
    const i = tf.tensor1d([7, -3], 'int32');
    expect(Array.from(tf.add(i, tf.scalar(2, 'int32')).dataSync())).toEqual([9, -1]);
    expect(Array.from(tf.mul(i, i).dataSync())).toEqual([49, 9]);
    tf.dispose([x, y, i]);
  });

  it('leaks nothing; setWasmBinary(null) restores the stock kernels', async () => {
    const x = tf.randomNormal([5, 7]);
    const y = tf.randomNormal([7]);
    const before = tf.memory().numTensors;
    const viaNative = tf.mul(x, y);
    expect(tf.memory().numTensors).toBe(before + 1);
    const nativeFunc = tf.getKernel('Multiply', 'wasm')?.kernelFunc;
    expect(setWasmBinary(null)).toEqual([]);
    expect(tf.getKernel('Multiply', 'wasm')?.kernelFunc).not.toBe(nativeFunc);
    const viaStock = tf.mul(x, y);
    expect(Array.from(viaNative.dataSync())).toEqual(Array.from(viaStock.dataSync()));
    tf.dispose([x, y, viaNative, viaStock]);
  });
});
