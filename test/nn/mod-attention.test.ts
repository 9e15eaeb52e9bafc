// ModAttention's eval shortcuts: with a shared norm, receivers that are rows of the senders reuse the
// senders' normalised rows (same values as normalising them again), and a residual rides on the output
// projection (same values as adding it after the branch).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ModAttention } from '../../src/nn/mod-attention.js';
import { DEFAULT_MODFC } from '../../src/nn/modfc.js';
import { Rng } from '../../src/util/rng.js';

function layer(sharedNorm: boolean): ModAttention {
  const { bias: _bias, ...modfc } = DEFAULT_MODFC;
  return new ModAttention({ dim: 8, codeDim: 4, heads: 2, headDim: 4, qkvBias: true, layerScale: 0.1, sharedNorm, modfc }, new Rng(7));
}

describe('ModAttention eval shortcuts', () => {
  let receivers: tf.Tensor, senders: tf.Tensor, rc: tf.Tensor, sc: tf.Tensor, bias: tf.Tensor;
  beforeAll(() => {
    receivers = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 2);
    senders = tf.concat([tf.randomNormal([3, 2, 8], 0, 1, 'float32', 1), receivers], 1); // receivers: sender rows [2, 7)
    rc = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    sc = tf.concat([tf.randomNormal([2, 4], 0, 1, 'float32', 4), rc], 0);
    bias = tf.randomNormal([5, 7], 0, 1, 'float32', 5);
  });

  it('reuses the senders normalised rows for the receivers with a shared norm, to the bit', () => {
    const attn = layer(true);
    attn.eval();
    const again = attn.branch(receivers, senders, rc, sc, bias, null, null);
    const reused = attn.branch(receivers, senders, rc, sc, bias, null, 2);
    expect(Array.from(reused.dataSync())).toEqual(Array.from(again.dataSync()));
    // With a wrong offset the shortcut would read other rows: the result must differ (the test can fail).
    const wrong = attn.branch(receivers, senders, rc, sc, bias, null, 0);
    expect(Array.from(wrong.dataSync())).not.toEqual(Array.from(again.dataSync()));
    tf.dispose([again, reused, wrong]);
    attn.dispose();
  });

  it('adds the residual through the output projection as the branch plus residual would', () => {
    const attn = layer(false);
    attn.eval();
    const fused = attn.branch(receivers, senders, rc, sc, bias, receivers);
    const composed = tf.tidy(() => receivers.add(attn.branch(receivers, senders, rc, sc, bias)));
    const a = fused.dataSync();
    const b = composed.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-6);
    tf.dispose([fused, composed]);
    attn.dispose();
  });
});
