// leanVariableGrads: hand-computed gradients (shared inputs, an unused output of a multi-output op, an
// unconnected variable), bit-identical to tf.variableGrads on a NAC in train mode, a lower peak of live
// tensor bytes than tfjs' own backward, no leaked tensors, and clear errors.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { leanVariableGrads } from '../../src/engine/lean-grads.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { trainableNamedParameters } from '../../src/train/param-filter.js';
import { softCrossEntropy, smoothedTargets } from '../../src/train/loss.js';
import { Rng } from '../../src/util/rng.js';

const vec = (t: tf.Tensor | undefined): number[] => Array.from((t as tf.Tensor).dataSync());

describe('leanVariableGrads', () => {
  it('matches hand-computed gradients: shared inputs, an unused split output, an unconnected variable', () => {
    const w = tf.variable(tf.tensor1d([1, -2, 3, 0.5]));
    const b = tf.variable(tf.tensor1d([0.5, 1]));
    const unused = tf.variable(tf.tensor1d([7]));
    const frozen = tf.variable(tf.tensor1d([1, 1]), false);
    const before = tf.memory().numTensors;
    // f = Σ w² + Σ (first half of w)·b·frozen; the second half of the split is not used.
    const { value, grads } = leanVariableGrads(() => {
      const [lo] = tf.split(w, 2);
      return tf.sum(tf.mul(w, w)).add(tf.sum((lo as tf.Tensor).mul(b).mul(frozen)));
    }, [w, b, unused, frozen]);
    expect(value.dataSync()[0]).toBeCloseTo(1 + 4 + 9 + 0.25 + (0.5 - 2), 6);
    expect(vec(grads[w.name])).toEqual([2 + 0.5, -4 + 1, 6, 1]);
    expect(vec(grads[b.name])).toEqual([1, -2]);
    expect(Object.keys(grads).sort()).toEqual([w.name, b.name].sort());
    expect(tf.memory().numTensors - before).toBe(3); // value + two gradients
    value.dispose();
    Object.values(grads).forEach((g) => g?.dispose());
    expect(() => leanVariableGrads(() => tf.sum(unused), [frozen])).toThrow(/none of the variables is trainable/);
    expect(() => leanVariableGrads(() => tf.sum(tf.mul(b, 2)), [w])).toThrow(/no variable is connected/);
    expect(() => leanVariableGrads(() => tf.mul(w, 2) as unknown as tf.Scalar, [w])).toThrow(/must return a scalar tensor, got rank 1/);
    expect(tf.memory().numTensors).toBe(before);
    [w, b, unused, frozen].forEach((v) => v.dispose());
  });

  it('equals tf.variableGrads bit for bit on a cpu-tiny NAC in train mode, with a lower peak and no leaks', async () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 2, skipPriorFit: true });
    const vars = [...trainableNamedParameters(model).values()];
    const cfg = nacPreset('cpu-tiny');
    const [h, w] = (cfg.tokenizer as { imageSize: [number, number] }).imageSize;
    const c = (cfg.tokenizer as { inChannels: number }).inChannels;
    const B = 6;
    const rng = new Rng(5);
    const x = tf.tensor(rng.uniformArray(B * h * w * c, 0, 1), [B, h, w, c]);
    const y = Int32Array.from({ length: B }, () => rng.int(cfg.numClasses));
    const t = smoothedTargets(y, cfg.numClasses, 0.1);
    model.train();
    const run = async (impl: typeof leanVariableGrads): Promise<{ loss: number; grads: Map<string, Float32Array>; peak: number }> => {
      model.reseedNoise(11); // the same stochastic kernel / DropPath / Gumbel noise for both
      const start = tf.memory().numBytes;
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => {
        const r = impl(() => softCrossEntropy(model.forward(x) as tf.Tensor2D, t), vars);
        return [r.value, ...Object.values(r.grads)] as tf.Tensor[];
      });
      const [value, ...gs] = info.result as tf.Tensor[];
      const grads = new Map(vars.map((v, i) => [v.name, gs[i]?.dataSync() as Float32Array]));
      const loss = (value as tf.Tensor).dataSync()[0] as number;
      expect(tf.memory().numTensors - before).toBe(1 + vars.length);
      (info.result as tf.Tensor[]).forEach((r) => r.dispose());
      expect(tf.memory().numTensors).toBe(before);
      return { loss, grads, peak: info.peakBytes - start };
    };
    const ours = await run(leanVariableGrads);
    const theirs = await run(tf.variableGrads as typeof leanVariableGrads);
    expect(ours.loss).toBe(theirs.loss);
    for (const [k, g] of theirs.grads) expect(Array.from(ours.grads.get(k) as Float32Array)).toEqual(Array.from(g));
    expect(ours.peak).toBeLessThan(0.75 * theirs.peak);
    [x, t].forEach((z) => z.dispose());
    model.dispose();
  });
});
