/**
 * The native depthwise kernels (native/src/depthwise.c through src/engine/kernels/depthwise-native.ts):
 * forward, input gradient and filter gradient against the cpu backend, which cases run natively and
 * which fall back, and the add-on's argument checks. Skipped without an add-on that has depthwise()
 * (the suite name says why), unless NAC_REQUIRE_NATIVE=1.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { setWasmDepthwise } from '../../src/engine/kernels/depthwise-native.js';
import { loadNativeBlas, type NativeBlas } from '../../src/engine/native-blas.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

quietTfjs();
const status = await loadNativeBlas();
const blas = status.blas?.depthwise != null ? status.blas : null;
const required = process.env.NAC_REQUIRE_NATIVE === '1';

type Shape4 = [number, number, number, number];
interface Case {
  x: Shape4;
  w: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
}

const cases: Case[] = [
  { x: [3, 7, 7, 24], w: [7, 7, 24, 1], strides: 1, pad: 'same' }, // the ConvNeXt block's shape, small
  { x: [2, 9, 9, 5], w: [3, 3, 5, 1], strides: 2, pad: 'same' },
  { x: [1, 12, 12, 3], w: [4, 4, 3, 1], strides: 4, pad: 'valid' },
  { x: [1, 9, 8, 2], w: [3, 3, 2, 1], strides: [2, 1], pad: 'same' },
  { x: [2, 8, 8, 17], w: [3, 3, 17, 1], strides: 1, pad: 1 },
];
const label = (c: Case): string => `x=${c.x} w=${c.w} s=${JSON.stringify(c.strides)} pad=${c.pad}`;

/** y, dx and dw of 0.5·Σ r·y² for the case, on the current backend. */
function forwardAndGrads(c: Case): tf.Tensor[] {
  const conv = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
  const x = randomTensor(c.x, 1);
  const w = randomTensor(c.w, 2);
  const y = conv(x, w);
  const r = randomTensor(y.shape, 3);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(0.5, tf.sum(tf.mul(r, tf.square(conv(a, b))))))([x, w]);
  return [y, dx!, dw!];
}

// Skipped without the add-on (the suite name says why), unless NAC_REQUIRE_NATIVE=1 makes its absence a failure.
describe.skipIf(blas == null && !required)(`native depthwise kernels${blas == null ? ` (skipped: ${status.detail})` : ''}`, () => {
  const calls: number[] = [];
  beforeAll(async () => {
    expect(blas, `NAC_REQUIRE_NATIVE=1 but the add-on has no depthwise(): ${status.detail}`).not.toBeNull();
    await initBackend({ backend: 'wasm', quiet: true });
    // Route the kernels through a recording wrapper of the real add-on, to see which cases run natively.
    const recording: NativeBlas = {
      ...blas!,
      depthwise: (heap, mode, ...rest) => {
        calls.push(mode);
        blas!.depthwise!(heap, mode, ...rest);
      },
    };
    expect(setWasmDepthwise(recording)).toEqual([
      'DepthwiseConv2dNative',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
    ]);
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true, native: false });
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it.each(cases.map((c) => [label(c), c] as const))('equals cpu: %s', async (_name, c) => {
    calls.length = 0;
    const wasm = await onBackend('wasm', () => forwardAndGrads(c));
    expect([...new Set(calls)].sort()).toEqual([0, 1, 2]);
    const cpu = await onBackend('cpu', () => forwardAndGrads(c));
    for (let i = 0; i < 3; i++) {
      expect(wasm[i]!.length).toBe(cpu[i]!.length);
      expect(relError(wasm[i]!, cpu[i]!)).toBeLessThan(1e-5);
    }
  });

  it('forward with dilations 2 equals cpu (tfjs has no gradient for dilated depthwise convolutions)', async () => {
    const c: Case = { x: [2, 9, 9, 3], w: [3, 3, 3, 1], strides: 1, pad: 'valid', dilations: 2 };
    const conv = (): tf.Tensor[] => [
      tf.depthwiseConv2d(randomTensor(c.x, 1) as tf.Tensor4D, randomTensor(c.w, 2) as tf.Tensor4D, 1, 'valid', 'NHWC', 2),
    ];
    calls.length = 0;
    const [wasm] = await onBackend('wasm', conv);
    expect(calls).toEqual([0]);
    const [cpu] = await onBackend('cpu', conv);
    expect(wasm!.length).toBe(2 * 5 * 5 * 3);
    expect(relError(wasm!, cpu!)).toBeLessThan(1e-5);
  });

  it('channel multiplier 2 falls back to the JavaScript kernels, with the same results as cpu', async () => {
    const c: Case = { x: [2, 8, 8, 3], w: [3, 3, 3, 2], strides: 2, pad: 'same' };
    calls.length = 0;
    const wasm = await onBackend('wasm', () => forwardAndGrads(c));
    expect(calls).toEqual([]);
    const cpu = await onBackend('cpu', () => forwardAndGrads(c));
    for (let i = 0; i < 3; i++) expect(relError(wasm[i]!, cpu[i]!)).toBeLessThan(1e-5);
  });

  it('native: false restores the previous kernels', async () => {
    await initBackend({ backend: 'wasm', quiet: true, native: false });
    calls.length = 0;
    await onBackend('wasm', () => forwardAndGrads(cases[0]!));
    expect(calls).toEqual([]);
  });

  it('rejects operands outside the heap and bad arguments', () => {
    const heap = new ArrayBuffer(1024);
    const geometry = [1, 4, 4, 2, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1];
    expect(() => blas!.depthwise!(heap, 0, 0, 512, 900, ...geometry)).toThrow(/out of the heap's bounds/);
    expect(() => blas!.depthwise!(heap, 3 as 0, 0, 512, 768, ...geometry)).toThrow(/mode must be 0/);
    expect(() => blas!.depthwise!(heap, 0, 2, 512, 768, ...geometry)).toThrow(/misaligned/);
    expect(() => blas!.depthwise!(heap, 0, 0, 512, 768, ...geometry.slice(1))).toThrow(/expected 19 arguments/);
    expect(() => blas!.depthwise!(heap, 0, 0, 512, 768, ...geometry.slice(0, 8), 0, 1, 1, 1, 1, 1)).toThrow(/bad geometry/);
    // In bounds: x 32 floats at 0, filter 18 at 512, y 32 at 768.
    expect(() => blas!.depthwise!(heap, 0, 0, 512, 768, ...geometry)).not.toThrow();
  });
});
