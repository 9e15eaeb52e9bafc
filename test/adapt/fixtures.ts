// Tiny NAC and Perceiver IO configs (8×8 grey images, patch tokenizer) and a tiny quadrant image dataset for the adaptation tests.
import type { ModelConfig } from '../../src/model/factory.js';
import { nacPreset } from '../../src/config/presets.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { Rng } from '../../src/util/rng.js';

const tokenizer = { type: 'patch', imageSize: [8, 8], inChannels: 1, patchSize: 2, tokenDim: 16 } as const;

/** cpu-tiny NAC with `numClasses` classes and a short signature fit. */
export function tinyNAC(numClasses = 4): ModelConfig {
  const c = nacPreset('cpu-tiny');
  return { ...c, numClasses, priors: { ...c.priors, fitSteps: 10 } };
}

/** A Perceiver IO of about the same size. */
export function tinyPIO(numClasses = 4): ModelConfig {
  return {
    model: 'perceiver-io',
    tokenizer: { ...tokenizer, imageSize: [8, 8] },
    perceiver: {
      numLatents: 4,
      latentDim: 16,
      depth: 1,
      crossHeads: 1,
      crossDimHead: 8,
      latentHeads: 2,
      latentDimHead: 8,
      ffnMult: 1,
      queriesDim: 16,
      numClasses,
    },
  };
}

/**
 * `n` 8×8 images of `classes` classes (labels cycle 0, 1, …): class c is a bright 2-row band at rows
 * 2c mod 8 (and columns shifted for c ≥ 4), plus N(0, 0.2²) noise. Easy for any of the models.
 */
export function bandDataset(name: string, n: number, classes: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const row = (2 * c) % 8;
    const vertical = c >= 4;
    for (let r = 0; r < 8; r++)
      for (let col = 0; col < 8; col++) {
        const on = vertical ? col === row || col === row + 1 : r === row || r === row + 1;
        data[i * 64 + r * 8 + col] = (on ? 1 : 0) + 0.2 * rng.normal();
      }
  }
  return new ArrayDataset({
    name,
    kind: 'image',
    exampleShape: [8, 8, 1],
    dtype: 'float32',
    classNames: Array.from({ length: classes }, (_, c) => `band${c}`),
    data,
    labels,
  });
}
