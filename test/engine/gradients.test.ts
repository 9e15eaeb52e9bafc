/**
 * The Mean gradient override (src/engine/gradients.ts): equal to the analytic gradient dy/n broadcast
 * over the reduced axes and to central finite differences, for single, multiple, negative and
 * keep-dims axes; bit-identical to tfjs' own formula dy·ones/n.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { meanGradConfig } from '../../src/engine/gradients.js';
import '../../src/engine/backend.js';

describe('Mean gradient override', () => {
  it('is the registered gradient of Mean', () => {
    expect(tf.getGradient('Mean')?.gradFunc).toBe(meanGradConfig.gradFunc);
  });

  const cases: Array<{ axis: number | number[]; keepDims: boolean }> = [
    { axis: 1, keepDims: false },
    { axis: [0, 2], keepDims: false },
    { axis: -1, keepDims: true },
    { axis: [0, 1, 2], keepDims: false },
  ];
  for (const { axis, keepDims } of cases) {
    it(`axis ${JSON.stringify(axis)}, keepDims ${keepDims}: analytic, finite differences, tfjs' formula`, () => {
      const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
      const w = tf.randomNormal(tf.mean(x, axis, keepDims).shape, 0, 1, 'float32', 2);
      // f(x) = Σ w ⊙ mean(x): ∂f/∂x = w broadcast over the reduced axes / n.
      const f = (t: tf.Tensor) => tf.sum(tf.mul(w, tf.mean(t, axis, keepDims)));
      const g = tf.grad(f)(x);
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const n = axes.reduce((p, a) => p * (x.shape[a] as number), 1);
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const expected = tf.div(tf.mul(tf.reshape(w, kept), tf.ones(x.shape)), n);
      expect(Array.from(g.dataSync())).toEqual(Array.from(expected.dataSync()));
      // Central differences on a few coordinates (float32: step 1e-2, tolerance 1e-3).
      const xs = x.dataSync().slice();
      for (const i of [0, 5, 17, 23]) {
        const at = (d: number) => {
          const v = xs.slice();
          v[i]! += d;
          return f(tf.tensor(v, x.shape)).dataSync()[0] as number;
        };
        expect(Math.abs((at(1e-2) - at(-1e-2)) / 2e-2 - (g.dataSync()[i] as number))).toBeLessThan(1e-3);
      }
    });
  }
});
