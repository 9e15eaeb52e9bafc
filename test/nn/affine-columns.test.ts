/**
 * affineColumns / gegluAffine (src/nn/linear.ts, src/nn/activations.ts): the fused forms equal the
 * unfused ones (a slice of x·W + b; GEGLU of x·W + b), values and gradients, with and without bias.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineColumns } from '../../src/nn/linear.js';
import { geglu, gegluAffine } from '../../src/nn/activations.js';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
}

describe('affine maps without splitting their outputs', () => {
  // Created in the tests (the backend is initialised in the setup's beforeAll).
  let x: tf.Tensor;
  let w: tf.Tensor;
  beforeAll(() => {
    x = tf.randomNormal([2, 5, 6], 0, 1, 'float32', 1);
    w = tf.randomNormal([6, 8], 0, 1, 'float32', 2);
  });
  const full = (bias: tf.Tensor | null) =>
    tf.tidy(() =>
      tf
        .matMul(x.reshape([-1, 6]), w)
        .add(bias ?? 0)
        .reshape([2, 5, 8]),
    );

  for (const withBias of [true, false]) {
    const biasOf = (): tf.Tensor | null => (withBias ? tf.randomNormal([8], 0, 1, 'float32', 3) : null);
    it(`affineColumns is a column block of x·W + b (${withBias ? 'with' : 'without'} bias)`, () => {
      const bias = biasOf();
      const y = affineColumns(x, w, bias, 2, 5);
      expect(y.shape).toEqual([2, 5, 5]);
      expect(maxAbsDiff(y, full(bias).slice([0, 0, 2], [2, 5, 5]))).toBeLessThan(1e-5);
    });

    it(`gegluAffine equals geglu(x·W + b), values and gradients (${withBias ? 'with' : 'without'} bias)`, () => {
      const bias = biasOf();
      expect(maxAbsDiff(gegluAffine(x, w, bias), geglu(full(bias)))).toBeLessThan(1e-5);
      const wts = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 4);
      const fused = (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(wts, gegluAffine(xx, ww, bias)));
      const plain = (xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(
          tf.mul(
            wts,
            geglu(
              tf
                .matMul(xx.reshape([-1, 6]), ww)
                .add(bias ?? 0)
                .reshape([2, 5, 8]),
            ),
          ),
        );
      const [gx1, gw1] = tf.grads(fused)([x, w]) as [tf.Tensor, tf.Tensor];
      const [gx2, gw2] = tf.grads(plain)([x, w]) as [tf.Tensor, tf.Tensor];
      expect(maxAbsDiff(gx1, gx2)).toBeLessThan(1e-4);
      expect(maxAbsDiff(gw1, gw2)).toBeLessThan(1e-4);
    });
  }
});
