// Learning test: NAC and the Perceiver IO baseline, same patch tokenizer, both learn a tiny synthetic task.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { createPerceiverIO } from '../../src/baselines/perceiver-io.js';
import { Rng } from '../../src/util/rng.js';
import type { Module } from '../../src/nn/module.js';
import { accuracy, crossEntropy, textureBatch } from '../helpers/synthetic.js';

async function learn(
  model: Module & { forward(x: tf.Tensor): tf.Tensor },
  steps: number,
): Promise<{ first: number; last: number; acc: number; seconds: number }> {
  const start = Date.now();
  const opt = tf.train.adam(3e-3);
  let first = 0;
  let last = 0;
  for (let s = 0; s < steps; s++) {
    const { x, y } = textureBatch(32, 1000 + s);
    const loss = opt.minimize(() => crossEntropy(model.forward(x), y, 4), true, model.trainableParameters()) as tf.Scalar;
    last = loss.dataSync()[0] as number;
    if (s === 0) first = last;
    tf.dispose([x, y, loss]);
    await new Promise((r) => setImmediate(r)); // keep the test runner's event loop alive
  }
  const test = textureBatch(400, 99);
  model.eval();
  const logits = model.forward(test.x);
  const acc = accuracy(logits, test.labels);
  tf.dispose([test.x, test.y, logits]);
  opt.dispose();
  return { first, last, acc, seconds: (Date.now() - start) / 1000 };
}

describe('learning on a tiny synthetic task (4 textures, 8×8, patch tokenizer)', () => {
  it('NAC reaches ≥ 95 % held-out accuracy in < 60 s', async () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 4 });
    const r = await learn(model, 60);
    console.log(
      `NAC: loss ${r.first.toFixed(3)} → ${r.last.toFixed(3)}, accuracy ${(r.acc * 100).toFixed(1)} %, ${r.seconds.toFixed(1)} s`,
    );
    expect(r.last).toBeLessThan(r.first);
    expect(r.acc).toBeGreaterThanOrEqual(0.95);
    expect(r.seconds).toBeLessThan(60);
    model.dispose();
  });

  it('Perceiver IO with the same tokenizer reaches ≥ 95 % in < 60 s', async () => {
    const tokenizer = nacPreset('cpu-tiny').tokenizer;
    const model = createPerceiverIO(
      {
        model: {
          numLatents: 8,
          latentDim: 32,
          depth: 2,
          crossHeads: 1,
          crossDimHead: 16,
          latentHeads: 2,
          latentDimHead: 16,
          ffnMult: 2,
          queriesDim: 32,
          numClasses: 4,
        },
        tokenizer,
      },
      new Rng(4),
    );
    const r = await learn(model, 100);
    console.log(
      `PIO: loss ${r.first.toFixed(3)} → ${r.last.toFixed(3)}, accuracy ${(r.acc * 100).toFixed(1)} %, ${r.seconds.toFixed(1)} s`,
    );
    expect(r.last).toBeLessThan(r.first);
    expect(r.acc).toBeGreaterThanOrEqual(0.95);
    expect(r.seconds).toBeLessThan(60);
    model.dispose();
  });
});
