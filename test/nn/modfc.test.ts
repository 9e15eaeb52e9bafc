// ModFC: the spec formula W·(x ⊙ (1 + α·LN(W_c c))) + b checked by hand, and its gradients by finite differences.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ModFC } from '../../src/nn/modfc.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';

describe('ModFC', () => {
  it('computes W·(x ⊙ (1 + α·LN(W_c c))) + b exactly as written', () => {
    const rng = new Rng(3);
    const [din, dout, dc, U] = [3, 2, 2, 2];
    const layer = new ModFC(din, dout, dc, rng, { bias: true, scaleGain: 0.1, learnableScaleGain: true, addOneToScale: true });
    layer.bias?.assign(tf.tensor1d([0.5, -0.25]));
    layer.gain.assign(tf.scalar(0.3));
    const W = layer.weight.arraySync() as number[][]; // [din][dout]
    const Wc = layer.codeProj.arraySync() as number[][]; // [dc][din]
    const codes = [
      [1, -2],
      [0.5, 0.25],
    ];
    const x = [
      [0.1, 0.2, -0.3],
      [1.0, -1.0, 2.0],
    ];
    // Hand computation with plain loops.
    const expected = codes.map((c, u) => {
      const proj = [0, 1, 2].map((i) => c[0]! * Wc[0]![i]! + c[1]! * Wc[1]![i]!);
      const mean = proj.reduce((a, b) => a + b, 0) / din;
      const variance = proj.reduce((a, b) => a + (b - mean) ** 2, 0) / din;
      const ln = proj.map((p) => (p - mean) / Math.sqrt(variance + 1e-5));
      const xm = x[u]!.map((xi, i) => xi * (1 + 0.3 * ln[i]!));
      return [0, 1].map((o) => xm.reduce((a, xi, i) => a + xi * W[i]![o]!, 0) + [0.5, -0.25][o]!);
    });
    const out = layer.forward(tf.tensor3d([x]), tf.tensor2d(codes)).arraySync() as number[][][];
    for (let u = 0; u < U; u++) for (let o = 0; o < dout; o++) expect(out[0]![u]![o]).toBeCloseTo(expected[u]![o]!, 5);
    layer.dispose();
  });

  it('gradients w.r.t. input, codes, W, W_c, α and b match finite differences', () => {
    const rng = new Rng(5);
    const layer = new ModFC(5, 4, 3, rng);
    layer.bias?.assign(tf.tensor1d([0.1, -0.2, 0.3, 0.05]));
    const x = tf.variable(randomProjection([2, 3, 5], 11));
    const codes = tf.variable(randomProjection([3, 3], 12));
    const proj = randomProjection([2, 3, 4], 13);
    const f = () => tf.tidy(() => layer.forward(x, codes).mul(proj).sum() as tf.Scalar);
    const res = gradCheck(f, [x, codes, layer.weight, layer.codeProj, layer.gain, layer.bias as tf.Variable], { eps: 1e-2, samples: 5 });
    expect(res.checked).toBeGreaterThan(20);
    expect(res.maxRelError).toBeLessThan(2e-2);
    layer.dispose();
    x.dispose();
    codes.dispose();
    proj.dispose();
  });
});
