// The whole NAC: shapes, determinism, eval vs train behaviour and tensor leaks over 100 training steps.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { crossEntropy, quadrantBatch } from '../helpers/synthetic.js';

function trainStep(model: NAC, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor1D): number {
  const loss = opt.minimize(
    () => crossEntropy(model.forward(x), y, model.config.numClasses),
    true,
    model.trainableParameters(),
  ) as tf.Scalar;
  const v = loss.dataSync()[0] as number;
  loss.dispose();
  return v;
}

describe('NAC', () => {
  it('produces the documented shapes', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 1 });
    const { x } = quadrantBatch(3, 0);
    const out = model.eval().forwardDetailed(x);
    expect(out.tokens.shape).toEqual([3, 16, 16]);
    expect(out.inputStates.shape).toEqual([3, 4, 32]);
    expect(out.mediatorStates.shape).toEqual([3, 8, 32]);
    expect(out.outputStates.shape).toEqual([3, 2, 32]);
    expect(out.logits.shape).toEqual([3, 4]);
    tf.dispose([x, ...Object.values(out)]);
    model.dispose();
  });

  it('is deterministic: same seed → same weights and same training losses; other seed → different', () => {
    const run = (seed: number) => {
      const model = new NAC(nacPreset('cpu-tiny'), { seed });
      const weights = [...model.namedParameters().values()].map((v) => v.dataSync().slice());
      const opt = tf.train.adam(1e-3);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const { x, y } = quadrantBatch(8, 100 + s);
        losses.push(trainStep(model, opt, x, y));
        tf.dispose([x, y]);
      }
      opt.dispose();
      model.dispose();
      return { weights, losses };
    };
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(b.losses).toEqual(a.losses);
    a.weights.forEach((w, i) => expect(Array.from(b.weights[i] as Float32Array)).toEqual(Array.from(w)));
    expect(c.losses).not.toEqual(a.losses);
  });

  it('eval mode is deterministic; training mode is stochastic (noise, sampling, Gumbel pooling)', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 2 });
    const { x } = quadrantBatch(4, 1);
    const e1 = model.eval().forward(x);
    const e2 = model.forward(x);
    expect(tf.abs(e1.sub(e2)).max().dataSync()[0]).toBe(0);
    const t1 = model.train().forward(x);
    const t2 = model.forward(x);
    expect(tf.abs(t1.sub(t2)).max().dataSync()[0]).toBeGreaterThan(1e-6);
    tf.dispose([x, e1, e2, t1, t2]);
    model.dispose();
  });

  it('building, loading parameters into and disposing a NAC leave the tensor count where it was', () => {
    const before = tf.memory().numTensors;
    const a = new NAC(nacPreset('cpu-tiny'), { seed: 1 });
    const b = new NAC(nacPreset('cpu-tiny'), { seed: 2 });
    b.loadParameters(a.namedParameters());
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the tensor count unchanged over 100 training steps', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 3 });
    const opt = tf.train.adam(1e-3);
    const { x, y } = quadrantBatch(8, 5);
    trainStep(model, opt, x, y); // optimizer slots are created on the first step
    const before = tf.memory().numTensors;
    for (let s = 0; s < 100; s++) trainStep(model, opt, x, y);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });
});
