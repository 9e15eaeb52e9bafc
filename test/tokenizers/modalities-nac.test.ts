// NACs with the points, bytes and symbols tokenizers: model folders round-trip exactly, and each tokenizer
// type learns a tiny synthetic task well above chance (circle vs square point sets; lowercase vs uppercase
// byte texts; "does symbol 3 occur"). The 'mlp' point encoding has no learning test: on centred shapes every
// point feature that is linear in the coordinates averages to the same value for both classes, so it starts
// at a symmetric saddle and needs far more steps than a unit test can afford.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { defaultNACConfig, nacPreset } from '../../src/config/presets.js';
import type { NACConfig } from '../../src/config/nac-config.js';
import type { TokenizerConfig } from '../../src/tokenizers/index.js';
import { loadModelDir, saveModelDir } from '../../src/io/model-dir.js';
import { accuracy, crossEntropy } from '../helpers/synthetic.js';
import { letterCaseBatch, markerBatch, shapePointsBatch, type Batch } from './modality-data.js';
import { useBackend } from './helpers.js';

const SYMBOLS = [0, 1, 2, 4, 5, 6];
const BATCH = 16;

interface Case {
  tokenizer: TokenizerConfig;
  batch: (n: number, seed: number) => Batch;
  /** Held-out accuracy the learning test requires (chance is 0.5) and its Adam steps, or null for no learning test. */
  learn: { minAccuracy: number; steps: number } | null;
}

const cases: Record<string, Case> = {
  'points (fourier)': {
    tokenizer: { type: 'points', numPoints: 16, pointDim: 2, tokenDim: 16, encoding: 'fourier', fourierBands: 8 },
    batch: (n, seed) => shapePointsBatch(n, 16, seed),
    learn: { minAccuracy: 0.75, steps: 20 },
  },
  'points (mlp)': {
    tokenizer: { type: 'points', numPoints: 16, pointDim: 2, tokenDim: 16, encoding: 'mlp', hidden: 16 },
    batch: (n, seed) => shapePointsBatch(n, 16, seed),
    learn: null,
  },
  'bytes (groupSize 2)': {
    tokenizer: { type: 'bytes', maxLength: 16, tokenDim: 16, embedDim: 8, groupSize: 2 },
    batch: (n, seed) => letterCaseBatch(n, 16, seed),
    learn: { minAccuracy: 0.9, steps: 20 },
  },
  symbols: {
    tokenizer: { type: 'symbols', vocabSize: 8, maxLength: 10, tokenDim: 16, padId: 7 },
    batch: (n, seed) => markerBatch(n, 10, SYMBOLS, 3, 7, seed),
    learn: { minAccuracy: 0.9, steps: 15 },
  },
};

/** A small two-class NAC around `tokenizer` (cpu-tiny sizes, one layer of 4 propagators, no prior fit). */
function tinyConfig(tokenizer: TokenizerConfig): NACConfig {
  const base = nacPreset('cpu-tiny');
  return defaultNACConfig({ ...base, numClasses: 2, tokenizer, numLayers: 1, numPropagators: 4, priors: { ...base.priors, fitSteps: 0 } });
}

describe('NAC with the non-image tokenizers', () => {
  beforeAll(() => useBackend('wasm'));

  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: a saved model folder loads back with identical outputs`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-tok-'));
      const model = new NAC(tinyConfig(c.tokenizer), { seed: 11 }).eval();
      await saveModelDir(dir, model.config, model);
      const loaded = loadModelDir(dir).eval();
      const { x, y } = c.batch(5, 3);
      // The loaded model is built from seed 0, so equal outputs also show that frozen buffers (the Fourier projection) were saved.
      const [a, b] = tf.tidy(() => [model.forward(x).dataSync(), loaded.forward(x).dataSync()]);
      expect(Array.from(b!)).toEqual(Array.from(a!));
      tf.dispose([x, y]);
      model.dispose();
      loaded.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  for (const [name, c] of Object.entries(cases)) {
    if (c.learn === null) continue;
    const { minAccuracy, steps } = c.learn;
    it(`${name}: learns its synthetic task well above chance`, async () => {
      const start = Date.now();
      const model = new NAC(tinyConfig(c.tokenizer), { seed: 5 });
      const opt = tf.train.adam(1e-2);
      let first = 0;
      let last = 0;
      for (let s = 0; s < steps; s++) {
        const { x, y } = c.batch(BATCH, 100 + s);
        const loss = opt.minimize(() => crossEntropy(model.forward(x), y, 2), true, model.trainableParameters()) as tf.Scalar;
        last = loss.dataSync()[0]!;
        if (s === 0) first = last;
        tf.dispose([x, y, loss]);
        await new Promise((r) => setImmediate(r));
      }
      const test = c.batch(200, 7);
      const logits = model.eval().forward(test.x);
      const acc = accuracy(logits, test.labels);
      console.log(
        `${name}: loss ${first.toFixed(3)} → ${last.toFixed(3)}, accuracy ${(acc * 100).toFixed(1)} %, ${(Date.now() - start) / 1000} s`,
      );
      expect(acc).toBeGreaterThanOrEqual(minAccuracy);
      tf.dispose([test.x, test.y, logits]);
      opt.dispose();
      model.dispose();
    });
  }
});
