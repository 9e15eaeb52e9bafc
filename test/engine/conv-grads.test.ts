/**
 * Gradients of tf.conv2d and tf.depthwiseConv2d on wasm (through the patch kernels
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input) against the cpu backend, plus
 * finite-difference checks and direct kernel calls for attrs gradients never produce (dilations).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

const TOL = 1e-4;

beforeAll(async () => {
  quietTfjs();
  await initBackend({ backend: 'wasm', quiet: true });
});

/** 0.5 * sum(r * y^2): quadratic, so central differences are exact up to rounding. */
function quadLoss(y: tf.Tensor, seed: number): tf.Scalar {
  return tf.mul(0.5, tf.sum(tf.mul(randomTensor(y.shape, seed), tf.square(y))));
}

function convGrads(c: Case): tf.Tensor[] {
  const x = randomTensor(c.x, 1);
  const w = randomTensor(c.w, 2);
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => quadLoss(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), 3))([x, w]);
}

function depthwiseGrads(c: Case): tf.Tensor[] {
  const x = randomTensor(c.x, 4);
  const w = randomTensor(c.w, 5);
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => quadLoss(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), 6))([
    x,
    w,
  ]);
}

const convCases: Case[] = [
  { x: [2, 9, 9, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [2, 9, 9, 3], w: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 10, 11, 4], w: [3, 2, 4, 2], strides: 2, pad: 'valid' },
  { x: [3, 32, 32, 3], w: [4, 4, 3, 8], strides: 4, pad: 'valid' },
  { x: [2, 13, 13, 3], w: [4, 4, 3, 6], strides: 4, pad: 'same' },
  { x: [1, 7, 7, 6], w: [1, 1, 6, 16], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 16], w: [3, 3, 16, 4], strides: 1, pad: 'same' },
  // Small enough for the direct loop, with more input than output channels (transposed accumulator).
  { x: [1, 5, 5, 8], w: [3, 3, 8, 2], strides: 1, pad: 'valid' },
  { x: [2, 8, 9, 2], w: [3, 3, 2, 3], strides: [1, 2], pad: 'same' },
  { x: [1, 6, 6, 2], w: [3, 3, 2, 2], strides: 1, pad: 1 },
  // depth 400 -> im2col chunks of 655 rows: two matmul rounds, the second one partial.
  { x: [4, 16, 16, 16], w: [5, 5, 16, 4], strides: 1, pad: 'same' },
  {
    x: [1, 6, 7, 2],
    w: [3, 2, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

const depthwiseCases: Case[] = [
  { x: [2, 8, 8, 16], w: [7, 7, 16, 1], strides: 1, pad: 'same' },
  { x: [2, 9, 9, 4], w: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { x: [2, 10, 10, 3], w: [3, 3, 3, 2], strides: 2, pad: 'valid' },
  { x: [1, 12, 12, 5], w: [4, 4, 5, 1], strides: 4, pad: 'valid' },
  { x: [2, 7, 7, 3], w: [5, 5, 3, 3], strides: 1, pad: 'same' },
  { x: [1, 9, 8, 2], w: [3, 3, 2, 1], strides: [2, 1], pad: 'same' },
  { x: [1, 8, 8, 2], w: [3, 3, 2, 2], strides: 2, pad: 1 },
];

const label = (c: Case): string => `x=${c.x} w=${c.w} s=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}`;

describe('conv2d gradients on wasm match cpu', () => {
  it('registers no fallback: the kernels exist on wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
  });

  it.each(convCases.map((c) => [label(c), c] as const))('conv2d %s', async (_name, c) => {
    const [dxW, dwW] = await onBackend('wasm', () => convGrads(c));
    const [dxC, dwC] = await onBackend('cpu', () => convGrads(c));
    expect(dwW!.length).toBe(c.w.reduce((a, b) => a * b));
    expect(relError(dwW!, dwC!)).toBeLessThan(TOL);
    expect(relError(dxW!, dxC!)).toBeLessThan(TOL);
  });

  it.each(depthwiseCases.map((c) => [label(c), c] as const))('depthwiseConv2d %s', async (_name, c) => {
    const [dxW, dwW] = await onBackend('wasm', () => depthwiseGrads(c));
    const [dxC, dwC] = await onBackend('cpu', () => depthwiseGrads(c));
    expect(dxW!.length).toBe(c.x.reduce((a, b) => a * b));
    expect(relError(dwW!, dwC!)).toBeLessThan(TOL);
    expect(relError(dxW!, dxC!)).toBeLessThan(TOL);
  });

  it('depthwise backprop kernels with dilations 2 equal dilation 1 with a zero-dilated filter', async () => {
    // cpu's DepthwiseConv2dNativeBackpropInput ignores dilations, so the reference is the equivalent
    // undilated problem: a 3x3 filter at dilation 2 acts like a 5x5 filter with zeros in between.
    const inputShape: [number, number, number, number] = [2, 9, 9, 3];
    const small: [number, number, number, number] = [3, 3, 3, 2];
    const big: [number, number, number, number] = [5, 5, 3, 2];
    const base = { strides: [1, 1], pad: 'same' };
    const upsample = (w: tf.Tensor): tf.Tensor => {
      const src = w.bufferSync();
      const dst = tf.buffer(big);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let c = 0; c < 3; c++)
            for (let m = 0; m < 2; m++) {
              dst.set(src.get(i, j, c, m), 2 * i, 2 * j, c, m);
            }
      return dst.toTensor();
    };
    const dy = (): tf.Tensor => randomTensor([2, 9, 9, 6], 9);
    const [dxW, dwW] = await onBackend('wasm', () => {
      const e = tf.engine();
      const attrs = { ...base, dilations: [2, 2] };
      return [
        e.runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: randomTensor(small, 8) }, { ...attrs, inputShape }),
        e.runKernel('DepthwiseConv2dNativeBackpropFilter', { x: randomTensor(inputShape, 7), dy: dy() }, { ...attrs, filterShape: small }),
      ] as tf.Tensor[];
    });
    const [dxC, dwBig] = await onBackend('cpu', () => {
      const e = tf.engine();
      const attrs = { ...base, dilations: [1, 1] };
      return [
        e.runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: upsample(randomTensor(small, 8)) }, { ...attrs, inputShape }),
        e.runKernel('DepthwiseConv2dNativeBackpropFilter', { x: randomTensor(inputShape, 7), dy: dy() }, { ...attrs, filterShape: big }),
      ] as tf.Tensor[];
    });
    // Taps (2i, 2j) of the 5x5 filter gradient are the 3x3 dilated filter gradient.
    const dwC = new Float32Array(dwW!.length);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 6; k++) {
          dwC[(i * 3 + j) * 6 + k] = dwBig![(2 * i * 5 + 2 * j) * 6 + k]!;
        }
    expect(relError(dxW!, dxC!)).toBeLessThan(TOL);
    expect(relError(dwW!, dwC)).toBeLessThan(TOL);
  });

  it('rejects NCHW with a clear error', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    expect(() =>
      tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          strides: 1,
          pad: 'same',
          dataFormat: 'NCHW',
          filterShape: [3, 3, 2, 3],
        },
      ),
    ).toThrow(/NCHW is not supported/);
    tf.dispose([x, dy]);
  });
});

describe('finite-difference checks on wasm', () => {
  /** Central differences of `loss` w.r.t. every element of `at`, in float64 arithmetic on the inputs. */
  function numericGrad(loss: (v: tf.Tensor) => tf.Scalar, at: tf.Tensor, h: number): Float64Array {
    const base = at.dataSync().slice();
    const g = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const eval1 = (delta: number): number =>
        tf.tidy(() => {
          const v = base.slice();
          v[i] = v[i]! + delta;
          return loss(tf.tensor(v, at.shape)).dataSync()[0]!;
        });
      g[i] = (eval1(h) - eval1(-h)) / (2 * h);
    }
    return g;
  }

  it('conv2d filter gradient (stride 2, same)', () => {
    expect(tf.getBackend()).toBe('wasm');
    tf.tidy(() => {
      const x = randomTensor([1, 5, 5, 2], 11);
      const w = randomTensor([3, 3, 2, 3], 12);
      const loss = (v: tf.Tensor): tf.Scalar => quadLoss(tf.conv2d(x as tf.Tensor4D, v as tf.Tensor4D, 2, 'same'), 13);
      const analytic = tf.grad(loss)(w).dataSync();
      const numeric = numericGrad(loss, w, 0.05);
      expect(relError(analytic, numeric)).toBeLessThan(1e-3);
    });
  });

  it('depthwise input and filter gradients (multiplier 2, stride 2, valid)', () => {
    tf.tidy(() => {
      const x = randomTensor([1, 7, 7, 2], 14);
      const w = randomTensor([3, 3, 2, 2], 15);
      const lossX = (v: tf.Tensor): tf.Scalar => quadLoss(tf.depthwiseConv2d(v as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'), 16);
      const lossW = (v: tf.Tensor): tf.Scalar => quadLoss(tf.depthwiseConv2d(x as tf.Tensor4D, v as tf.Tensor4D, 2, 'valid'), 16);
      expect(relError(tf.grad(lossX)(x).dataSync(), numericGrad(lossX, x, 0.05))).toBeLessThan(1e-3);
      expect(relError(tf.grad(lossW)(w).dataSync(), numericGrad(lossW, w, 0.05))).toBeLessThan(1e-3);
    });
  });
});
