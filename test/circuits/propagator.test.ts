// One whole propagator layer (SKMDPA + ModFFN): finite-difference gradient check in eval mode.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { KernelAttentionLayer } from '../../src/circuits/propagator.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';

describe('propagator layer', () => {
  it('gradients of states, codes, signatures and weights match finite differences', () => {
    const rng = new Rng(21);
    const modfc = { scaleGain: 0.1, learnableScaleGain: true, addOneToScale: true };
    const layer = new KernelAttentionLayer(
      {
        attention: { dim: 8, codeDim: 4, heads: 2, headDim: 4, qkvBias: false, layerScale: 0.5, sharedNorm: true, modfc },
        ffn: { dim: 8, hidden: 6, codeDim: 4, geglu: true, layerScale: 0.5, dropPath: 0.1, modfc },
        kernel: { truncation: 1.2, bandwidth: 0.8, learnableBandwidth: true, stochastic: true, temperature: 0.5 },
        residual: true,
        dropPath: 0.1,
      },
      rng,
    ).eval();
    const states = tf.variable(randomProjection([2, 3, 8], 1));
    const inputs = tf.variable(randomProjection([2, 2, 8], 2));
    const codes = tf.variable(randomProjection([5, 4], 3));
    const sigs = tf.variable(randomProjection([5, 3], 4));
    const proj = randomProjection([2, 3, 8], 5);
    const f = () =>
      tf.tidy(() => {
        const out = layer.forward(
          { states, codes: codes.slice([2], [3]), signatures: sigs.slice([2], [3]) },
          { states: tf.concat([inputs, states], 1), codes, signatures: sigs },
          new Rng(0),
        );
        return out.mul(proj).sum() as tf.Scalar;
      });
    const params = [...layer.namedParameters().values()].filter((v) => v.size > 1 || v.name.includes('bandwidth'));
    const res = gradCheck(f, [states, inputs, codes, sigs, ...params], { eps: 5e-3, samples: 3 });
    console.log(`propagator grad check: ${res.checked} coordinates, max rel error ${res.maxRelError.toExponential(2)}`);
    expect(res.checked).toBeGreaterThan(50);
    expect(res.maxRelError).toBeLessThan(3e-2);
    layer.dispose();
  });
});
