// The elementwise kernels of the wasm backend (src/engine/kernels/unary-native.ts): Exp, Log, Log1p, Erf
// and Softplus equal the cpu backend's values (special values, NaN and infinities included, sizes that are
// not multiples of the vector width), non-float inputs still work through tfjs' kernels, GELU's gradient
// is unchanged, and setWasmUnary(null) restores tfjs' kernels. Run through the native add-on (native/src/
// unary.c; skipped without one that has unary(), the suite name says why, unless NAC_REQUIRE_NATIVE=1)
// and through the wasm SIMD module (wasm/src/unary.c, native: false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { NATIVE_UNARY_OPS, setWasmUnary } from '../../src/engine/kernels/unary-native.js';
import { gelu } from '../../src/nn/activations.js';
import { heapEngines, onBackend, quietTfjs, randomData } from './helpers.js';

const status = await loadNativeBlas();
const native = status.blas?.unary != null;

const SPECIAL = [
  0,
  -0,
  1e-30,
  -1e-30,
  1e-7,
  -1e-7,
  0.5,
  -0.5,
  1,
  -1,
  3.9,
  -3.9,
  13.9,
  -13.9,
  14,
  -14,
  20,
  -20,
  88,
  89,
  -87,
  -104,
  NaN,
  Infinity,
  -Infinity,
];
const OPS: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
  ['Exp', tf.exp],
  ['Log', tf.log],
  ['Log1p', tf.log1p],
  ['Erf', tf.erf],
  ['Softplus', tf.softplus],
];

/** Agreement within `rel`·|b| + `abs` elementwise; NaN only where the other has NaN. */
function expectClose(a: Float32Array, b: Float32Array, rel: number, abs: number, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isNaN(y) || !Number.isFinite(y))
      expect(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)), `${what}[${i}]: ${x} vs ${y}`).toBe(true);
    else expect(Math.abs(x - y), `${what}[${i}]: ${x} vs ${y}`).toBeLessThanOrEqual(rel * Math.abs(y) + abs);
  }
}

describe.each(heapEngines(native, status.detail))('elementwise kernels on wasm through the %s%s', (_engine, useNative, skipped) => {
  // Without an add-on that has this kernel the native suite is skipped; its name says why.
  if (skipped !== '') return void it.skip(skipped, () => undefined);
  beforeAll(async () => {
    quietTfjs();
    if (useNative) expect(native, `NAC_REQUIRE_NATIVE=1 but the add-on has no unary(): ${status.detail}`).toBe(true);
    await initBackend({ backend: 'wasm', quiet: true, native: useNative });
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('equals the cpu backend on special values and on random arrays of odd sizes', async () => {
    const random = Array.from(randomData(1237, 5)).map((v) => v * 6);
    for (const [name, op] of OPS) {
      // Log and Log1p: NaN below their domain on both sides; compare them mostly inside it.
      const inputs = name === 'Log' || name === 'Log1p' ? [...SPECIAL, ...random.map(Math.abs)] : [...SPECIAL, ...random];
      for (const values of [inputs, inputs.slice(0, 1), inputs.slice(0, 17)]) {
        const run = (): tf.Tensor[] => [op(tf.tensor1d(values))];
        const [w] = await onBackend('wasm', run);
        const [c] = await onBackend('cpu', run);
        // cpu's Erf is Abramowitz–Stegun 7.1.26 (absolute error ≤ 1.5e-7); the others are libm on both sides.
        expectClose(w!, c!, 2e-6, name === 'Erf' ? 3e-7 : 1e-30, name);
      }
    }
  });

  it('runs every op in C on float32, and int32 inputs through tfjs', async () => {
    const x = tf.tensor1d([0.5, 1.5, 2.5]);
    const prof = await tf.profile(() => tf.dispose(OPS.map(([, op]) => op(x))));
    expect(prof.kernels.map((k) => k.name)).toEqual(Object.keys(NATIVE_UNARY_OPS));
    const ints = tf.tensor1d([0, 1, 2], 'int32');
    expectClose(tf.exp(ints).dataSync() as Float32Array, new Float32Array([1, Math.E, Math.E ** 2]), 1e-6, 0, 'Exp(int32)');
    tf.dispose([x, ints]);
  });

  it("keeps GELU's gradient equal to the cpu backend", async () => {
    const run = (): tf.Tensor[] => {
      const x = tf.tensor2d(randomData(64 * 33, 9), [64, 33]).mul(3);
      return [tf.grad((t: tf.Tensor) => gelu(t).square().sum())(x)];
    };
    const [w] = await onBackend('wasm', run);
    const [c] = await onBackend('cpu', run);
    expectClose(w!, c!, 1e-5, 1e-6, 'gelu grad');
  });

  it('leaks nothing; setWasmUnary(null) restores the stock kernels', async () => {
    const x = tf.randomNormal([5, 7]);
    const before = tf.memory().numTensors;
    const viaNative = tf.softplus(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    const nativeFunc = tf.getKernel('Softplus', 'wasm')?.kernelFunc;
    expect(setWasmUnary(null)).toEqual([]);
    expect(tf.getKernel('Softplus', 'wasm')?.kernelFunc).not.toBe(nativeFunc);
    const viaStock = tf.softplus(x);
    expectClose(viaNative.dataSync() as Float32Array, viaStock.dataSync() as Float32Array, 2e-6, 1e-30, 'Softplus');
    tf.dispose([x, viaNative, viaStock]);
  });
});
