// ModAttention's eval shortcuts: senders given in parts are normalised and projected part by part, and
// with a shared norm receivers that are one of the parts reuse its normalised rows (same values as the
// joined senders), and a residual rides on the output
// projection (same values as adding it after the branch), and receivers or trailing senders given as
// batch-constant templates are projected once (same values as projecting every example's copy).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ModAttention } from '../../src/nn/mod-attention.js';
import { repeatBatch } from '../../src/nn/repeat-batch.js';
import { DEFAULT_MODFC } from '../../src/nn/modfc.js';
import { evalCacheEnabled } from '../../src/nn/eval-cache.js';
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

  it('takes the senders in parts, reusing the receivers part, with the values of the joined senders, to the bit', () => {
    for (const sharedNorm of [true, false]) {
      const attn = layer(sharedNorm);
      attn.eval();
      const head = senders.slice([0, 0, 0], [3, 2, 8]);
      const joined = attn.branch(receivers, senders, rc, sc, bias);
      const inParts = attn.branch(receivers, [head, receivers], rc, sc, bias);
      expect(Array.from(inParts.dataSync())).toEqual(Array.from(joined.dataSync()));
      // Parts in the other order are other senders: the result must differ (the test can fail).
      const swapped = attn.branch(receivers, [receivers, head], rc, sc, bias);
      expect(Array.from(swapped.dataSync())).not.toEqual(Array.from(joined.dataSync()));
      // In training the parts are joined first: the same values again.
      attn.train();
      const training = attn.branch(receivers, [head, receivers], rc, sc, bias);
      attn.eval();
      const d = Math.max(...Array.from(training.sub(joined).abs().dataSync()));
      expect(d).toBeLessThan(1e-6);
      tf.dispose([head, joined, inParts, swapped, training]);
      attn.dispose();
    }
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
      const head = senders.slice([0, 0, 0], [3, 2, 8]);
      const mixedSenders = tf.concat([head, constant], 1); // rows [2, 7) constant
      const plain = attn.branch(constant, mixedSenders, rc, sc, bias, { residual: constant });
      const opts = { residual: constant, receiverTemplate: template, senderTemplate: template };
      const first = attn.branch(constant, mixedSenders, rc, sc, bias, opts);
      const cached = attn.branch(constant, mixedSenders, rc, sc, bias, opts); // answered from the eval cache
      const inParts = attn.branch(constant, [head, constant], rc, sc, bias, opts); // the template is the last part
      // All senders constant (no per-example rows left).
      const allConstant = attn.branch(constant, constant, rc, rc, null, { receiverTemplate: template, senderTemplate: template });
      const allPlain = attn.branch(constant, constant, rc, rc, null);
      for (const [a, b] of [
        [first, plain],
        [cached, plain],
        [inParts, plain],
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
      // With NAC_EVAL_CACHE=0 (bench A/B runs) the same values come without the cache.
      if (evalCacheEnabled) expect(attn.evalCacheStats().hits).toBeGreaterThan(0);
      else expect(attn.evalCacheStats().hits).toBe(0);
      tf.dispose([template, other, head, constant, mixedSenders, plain, first, cached, inParts, allConstant, allPlain, wrong]);
      attn.dispose();
    }
  });
});
