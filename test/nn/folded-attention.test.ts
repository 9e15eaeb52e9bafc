// ModAttention with few receivers and many senders folds W_K and W_V into the queries and the output in
// eval (src/nn/folded-attention.ts): the same function as the projected keys and values, to float32
// rounding, with masks, templates and sender parts; and only where it saves work.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ModAttention } from '../../src/nn/mod-attention.js';
import { foldingPays } from '../../src/nn/folded-attention.js';
import { DEFAULT_MODFC } from '../../src/nn/modfc.js';
import { repeatBatch } from '../../src/nn/repeat-batch.js';
import { Rng } from '../../src/util/rng.js';

function layer(sharedNorm: boolean, qkvBias: boolean): ModAttention {
  const { bias: _bias, ...modfc } = DEFAULT_MODFC;
  return new ModAttention({ dim: 16, codeDim: 4, heads: 2, headDim: 8, qkvBias, layerScale: 0.1, sharedNorm, modfc }, new Rng(3));
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number);
}

describe('folded attention (eval, few receivers)', () => {
  it('pays on the reference read-out (16 receivers, 80 senders), not on its propagators (64 receivers)', () => {
    expect(foldingPays(16, 80, 128, 4, 32)).toBe(true);
    expect(foldingPays(64, 80, 128, 4, 32)).toBe(false);
    expect(foldingPays(2, 12, 16, 2, 8)).toBe(true); // the layer below
  });

  it('equals the projected keys and values to float32 rounding: masks, per-example bias, templates, parts', async () => {
    const B = 3;
    const rc = tf.randomNormal([2, 4], 0, 1, 'float32', 1);
    const sc = tf.randomNormal([12, 4], 0, 1, 'float32', 2);
    const template = tf.randomNormal([2, 16], 0, 1, 'float32', 3);
    const receivers = repeatBatch(template, B);
    const head = tf.randomNormal([B, 4, 16], 0, 1, 'float32', 4);
    const tail = tf.randomNormal([B, 8, 16], 0, 1, 'float32', 5);
    const senders = tf.concat([head, tail], 1);
    const masked = tf.tidy(() =>
      tf.where(tf.randomUniform([2, 12], 0, 1, 'float32', 6).less(0.5), tf.fill([2, 12], -Infinity), tf.zeros([2, 12])),
    );
    const perExample = tf.randomNormal([B, 2, 12], 0, 1, 'float32', 7);
    for (const sharedNorm of [true, false]) {
      for (const qkvBias of [true, false]) {
        const attn = layer(sharedNorm, qkvBias);
        for (const bias of [null, masked, perExample]) {
          attn.train(); // the projected path (no eval shortcuts)
          const want = attn.branch(receivers, senders, rc, sc, bias);
          attn.eval();
          const folded = attn.branch(receivers, senders, rc, sc, bias);
          const inParts = attn.branch(receivers, [head, tail], rc, sc, bias, { receiverTemplate: template });
          const again = attn.branch(receivers, [head, tail], rc, sc, bias, { receiverTemplate: template }); // cached queries
          for (const got of [folded, inParts, again]) expect(maxDiff(got, want)).toBeLessThan(2e-6);
          tf.dispose([want, folded, inParts, again]);
        }
        // The folded path really ran: it pools the senders per head and receiver, [B, H·U_r, d] = [3, 4, 16]
        // (the projected path never makes that shape).
        attn.eval();
        const prof = await tf.profile(() => attn.branch(receivers, senders, rc, sc, masked));
        expect(prof.kernels.some((k) => k.name === 'BatchMatMul' && JSON.stringify(k.outputShapes) === '[[3,4,16]]')).toBe(true);
        (prof.result as tf.Tensor).dispose();
        attn.train();
        const projected = await tf.profile(() => attn.branch(receivers, senders, rc, sc, masked));
        expect(projected.kernels.some((k) => JSON.stringify(k.outputShapes) === '[[3,4,16]]')).toBe(false);
        (projected.result as tf.Tensor).dispose();
        attn.dispose();
      }
    }
    tf.dispose([rc, sc, template, receivers, head, tail, senders, masked, perExample]);
  });
});
