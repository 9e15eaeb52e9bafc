// The attention probe: one [B, Ur, Us] record per propagator layer and the read-out, rows that are
// distributions, exact zeros where the signature kernel cuts a pair, and nothing recorded outside it.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { cosineDistance } from '../../src/circuits/kernel.js';
import { noteAttention, recordAttention } from '../../src/nn/attention-probe.js';
import { quadrantBatch } from '../helpers/synthetic.js';

describe('recordAttention', () => {
  it('records each kernel-attention layer in call order, with cut pairs at exactly zero', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 3 }).eval();
    const { x } = quadrantBatch(2, 0);
    const { result, attention } = recordAttention(() => model.forward(x));
    const { readIn, propagator, readOut } = model.circuit.latents;
    expect(attention.map((a) => a.shape)).toEqual([
      [2, 8, 12],
      [2, 8, 12],
      [2, 2, 12],
    ]);
    const rowSums = attention[0]!.sum(-1).dataSync();
    for (const s of rowSums) expect(s).toBeCloseTo(1, 5);
    // Propagator layer 0: receivers = propagators, senders = [read-in; propagators].
    const d = cosineDistance(propagator.signatures, tf.concat([readIn.signatures, propagator.signatures], 0)).arraySync() as number[][];
    const a = attention[0]!.arraySync() as number[][][];
    let cut = 0;
    for (let u = 0; u < 8; u++)
      for (let v = 0; v < 12; v++)
        if (d[u]![v]! > 0.9) {
          cut++;
          expect(a[0]![u]![v]).toBe(0);
        }
    expect(cut).toBeGreaterThan(0);
    expect(readOut.count).toBe(2);
    const before = tf.memory().numTensors;
    noteAttention(tf.ones([1, 1, 2, 2]));
    expect(tf.memory().numTensors).toBe(before + 1); // only the argument itself: nothing was recorded
    tf.dispose([x, result, ...attention]);
    model.dispose();
  });
});
