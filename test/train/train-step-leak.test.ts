// The trainer's step (src/train/train-step.ts with AdamW): no tensors or backend buffers leak over
// repeated steps, for both AdamW update paths, and the step really trains (loss finite, weights move).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { AdamW, type AdamWImpl } from '../../src/train/adamw.js';
import { trainableNamedParameters } from '../../src/train/param-filter.js';
import { trainStep } from '../../src/train/train-step.js';
import { defaultTrainConfig } from '../../src/train/train-config.js';
import type { Batch } from '../../src/data/dataset.js';
import { Rng } from '../../src/util/rng.js';

function batchOf(n: number, seed: number): Batch {
  const rng = new Rng(seed);
  return { x: rng.uniformArray(n * 64, 0, 1), shape: [n, 8, 8, 1], y: Int32Array.from({ length: n }, (_, i) => i % 4) };
}

describe('trainStep leaks', () => {
  const cases: Array<[AdamWImpl, boolean]> = [
    ['js', false],
    ['flat', false],
    ['flat', true],
  ];
  for (const [impl, regularized] of cases) {
    it(`keeps tensor and buffer counts flat over 10 steps (AdamW '${impl}'${regularized ? ', signature-hinge regulariser' : ''})`, async () => {
      const model = new NAC({ ...nacPreset('cpu-tiny'), priors: { ...nacPreset('cpu-tiny').priors, fitSteps: 0 } }, { seed: 2 });
      model.train();
      const opt = new AdamW(trainableNamedParameters(model), { lr: 1e-2, impl });
      const base = defaultTrainConfig('leak');
      const cfg = {
        ...base,
        seed: 1,
        graphRegularizer: regularized ? { type: 'signature-hinge' as const, weight: 0.1, hinge: 1.5 } : base.graphRegularizer,
      };
      const batches = [batchOf(6, 1), batchOf(6, 2)];
      const w = model.pooling.classifier.weight;
      const w0 = w.dataSync().slice();
      await trainStep(model, opt, batches[0] as Batch, 4, cfg, 0, 1e-2); // warm-up: anything created once
      const tensors = tf.memory().numTensors;
      const ids = tf.engine().backend.numDataIds();
      for (let s = 1; s <= 10; s++) {
        const r = await trainStep(model, opt, batches[s % 2] as Batch, 4, cfg, s, 1e-2);
        expect(Number.isFinite(r.loss)).toBe(true);
        // The hinge repulsion is −Σ d over close pairs: negative when on, exactly 0 when off.
        if (regularized) expect(r.regularizer).toBeLessThan(0);
        else expect(r.regularizer).toBe(0);
        expect(r.gradNorm).toBeGreaterThan(0);
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.engine().backend.numDataIds()).toBe(ids);
      const moved = w.dataSync().reduce((m, v, i) => Math.max(m, Math.abs(v - (w0[i] as number))), 0);
      expect(moved).toBeGreaterThan(1e-3);
      expect(opt.stepCount).toBe(11);
      model.dispose();
    });
  }
});
