/**
 * The wasm Sum wrapper (src/engine/kernels/sum.ts) against the cpu backend: reductions over a
 * contiguous block of leading or middle axes (its own path), innermost and scattered axes (the stock
 * path), keepDims, negative axes, int32 data, gradients through it, and the block detection itself.
 * Each case runs with the JavaScript rows loop, with the C one in the wasm SIMD module and, when the
 * native add-on has sumRows, with the add-on's (the same C core, native/src/core/sum-core.h).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { blockReduction, registerWasmSum } from '../../src/engine/kernels/sum.js';
import { loadNativeBlas, type NativeBlas } from '../../src/engine/native-blas.js';
import { loadSimdKernels } from '../../src/engine/kernels/simd-module.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

quietTfjs();
const status = await loadNativeBlas();
const addOn = status.blas?.sumRows != null ? status.blas : null;

const CASES: Array<[number[], number[], boolean]> = [
  [[1024, 256], [0], false],
  [[128, 49, 32], [0, 1], false],
  [[8, 5, 7], [1], true],
  [[8, 5, 7], [-2], false],
  [[2, 3, 4, 5], [1, 2], false],
  [[6, 4], [1], false], // innermost: stock
  [[3, 4, 5], [0, 2], true], // scattered: stock
  [[7], [0], false], // innermost: stock
  [[4, 6], [], false], // no axis list: stock sums everything
];

describe('block detection', () => {
  it('finds contiguous, non-innermost blocks', () => {
    expect(blockReduction([4, 5, 6], [0])).toEqual([1, 4, 30]);
    expect(blockReduction([4, 5, 6], [1, 0])).toEqual([1, 20, 6]);
    expect(blockReduction([4, 5, 6], [-2])).toEqual([4, 5, 6]);
    expect(blockReduction([4, 5, 6], [2])).toBeNull();
    expect(blockReduction([4, 5, 6], [0, 2])).toBeNull();
    expect(blockReduction([4, 5, 6], [])).toBeNull();
  });
});

describe.each([
  ['JavaScript', 'js'],
  ['wasm SIMD module', 'simd'],
  ['native', 'native'],
] as const)('wasm Sum over a block of axes (%s rows loop)', (_name, engine) => {
  let nativeCalls = 0;
  const native = engine !== 'js';
  let blas: Pick<NativeBlas, 'sumRows'> | null = engine === 'native' ? addOn : null;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    if (engine === 'simd') blas = (await loadSimdKernels(tf.findBackend('wasm')!)).kernels?.heap ?? null;
    if (!native) registerWasmSum(null);
    else if (blas != null) {
      const inner = blas;
      registerWasmSum({ sumRows: (...a) => (nativeCalls++, inner.sumRows!(...a)) });
    }
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true, native: false });
    await initBackend({ backend: 'wasm', quiet: true });
  });
  const skip = engine === 'native' && addOn == null;

  // Only the C engines count calls: skipped for the JavaScript loop, and for an absent add-on (the name says why).
  it.skipIf(!native || skip)(`runs block sums in C${skip ? ` (skipped: ${status.detail})` : ''}`, async () => {
    const before = nativeCalls;
    await onBackend('wasm', () => [tf.sum(randomTensor([8, 5], 1), 0)]);
    expect(nativeCalls).toBe(before + 1);
  });

  for (const [shape, axes, keepDims] of skip ? [] : CASES) {
    it(`sum([${shape}], [${axes}], keepDims ${keepDims}) equals the cpu backend`, async () => {
      const x = randomTensor(shape, 7);
      const shapes: number[][] = [];
      const run = () => {
        const s = tf.sum(x, axes, keepDims);
        shapes.push(s.shape);
        return [s];
      };
      const [want] = await onBackend('cpu', run);
      const [got] = await onBackend('wasm', run);
      expect(shapes[1]).toEqual(shapes[0]);
      expect(relError(got!, want!)).toBeLessThan(1e-6);
    });
  }

  it('leaves int32 sums to the stock kernel', async () => {
    let dtype = '';
    const [got] = await onBackend('wasm', () => {
      const s = tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0);
      dtype = s.dtype;
      return [s];
    });
    expect(dtype).toBe('int32');
    expect(Array.from(got!)).toEqual([9, 12]);
  });

  it('gives the same gradient of a broadcast add as the cpu backend', async () => {
    const bias = randomTensor([16], 3);
    const x = randomTensor([64, 16], 4);
    const f = () => [tf.grad((b: tf.Tensor) => tf.sum(tf.square(tf.add(x, b))))(bias)];
    const [got] = await onBackend('wasm', f);
    const [want] = await onBackend('cpu', f);
    expect(relError(got!, want!)).toBeLessThan(1e-5);
  });
});
