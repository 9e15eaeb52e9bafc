// ModAttention's eval shortcuts: with a shared norm, receivers that are rows of the senders reuse the
// senders' normalised rows (same values as normalising them again), and a residual rides on the output
// projection (same values as adding it after the branch), and receivers or trailing senders given as
// batch-constant templates are projected once (same values as projecting every example's copy).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ModAttention } from '../../src/nn/mod-attention.js';
import { repeatBatch } from '../../src/nn/repeat-batch.js';
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
    const again = attn.branch(receivers, senders, rc, sc, bias);
    const reused = attn.branch(receivers, senders, rc, sc, bias, { receiverRows: 2 });
    expect(Array.from(reused.dataSync())).toEqual(Array.from(again.dataSync()));
    // With a wrong offset the shortcut would read other rows: the result must differ (the test can fail).
    const wrong = attn.branch(receivers, senders, rc, sc, bias, { receiverRows: 0 });
    expect(Array.from(wrong.dataSync())).not.toEqual(Array.from(again.dataSync()));
    tf.dispose([again, reused, wrong]);
    attn.dispose();
  });

  it('adds the residual through the output projection as the branch plus residual would', () => {
    const attn = layer(false);
    attn.eval();
    const fused = attn.branch(receivers, senders, rc, sc, bias, { residual: receivers });
    const composed = tf.tidy(() => receivers.add(attn.branch(receivers, senders, rc, sc, bias)));
    const a = fused.dataSync();
    const b = composed.dataSync();
    for (let i = 0; i < a.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-6);
    tf.dispose([fused, composed]);
    attn.dispose();
  });

  it('projects batch-constant receivers and trailing senders once, with the values of the per-example projection', () => {
    for (const sharedNorm of [true, false]) {
      const attn = layer(sharedNorm);
      attn.eval();
      const template = tf.randomNormal([5, 8], 0, 1, 'float32', 6);
      const constant = repeatBatch(template, 3);
      const mixedSenders = tf.concat([senders.slice([0, 0, 0], [3, 2, 8]), constant], 1); // rows [2, 7) constant
      const plain = attn.branch(constant, mixedSenders, rc, sc, bias, { residual: constant });
      const opts = { residual: constant, receiverTemplate: template, senderTemplate: template, receiverRows: 2 };
      const first = attn.branch(constant, mixedSenders, rc, sc, bias, opts);
      const cached = attn.branch(constant, mixedSenders, rc, sc, bias, opts); // answered from the eval cache
      // All senders constant (no per-example rows left).
      const allConstant = attn.branch(constant, constant, rc, rc, null, { receiverTemplate: template, senderTemplate: template });
      const allPlain = attn.branch(constant, constant, rc, rc, null);
      for (const [a, b] of [
        [first, plain],
        [cached, plain],
        [allConstant, allPlain],
      ] as const) {
        expect(a.shape).toEqual(b.shape);
        const x = a.dataSync();
        const y = b.dataSync();
        for (let i = 0; i < x.length; i++) expect(Math.abs((x[i] as number) - (y[i] as number))).toBeLessThan(1e-6);
      }
      // A wrong template must change the result (the shortcut really reads it; a scaled one would not: LN).
      const other = tf.randomNormal([5, 8], 0, 1, 'float32', 8);
      const wrong = attn.branch(constant, mixedSenders, rc, sc, bias, { ...opts, senderTemplate: other });
      expect(Math.max(...Array.from(wrong.sub(plain).abs().dataSync()))).toBeGreaterThan(1e-3);
      expect(attn.evalCacheStats().hits).toBeGreaterThan(0);
      tf.dispose([template, other, constant, mixedSenders, plain, first, cached, allConstant, allPlain, wrong]);
      attn.dispose();
    }
  });
});
