// The cached-feature linear probe equals training the classifier end to end: the features times the
// classifier are the model's logits, and adapting from cached features or from raw images gives the same
// losses and the same classifier.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdaptationSource } from '../../src/adapt/source.js';
import { adaptModel } from '../../src/adapt/train.js';
import { featureDim, runStages } from '../../src/adapt/stages.js';
import { Rng } from '../../src/util/rng.js';
import { bandDataset, tinyNAC, tinyPIO } from './fixtures.js';

describe.each([
  { kind: 'nac', config: tinyNAC },
  { kind: 'perceiver-io', config: tinyPIO },
])('linear probe on $kind', ({ config }) => {
  let source: AdaptationSource;
  const data = bandDataset('bands/train', 24, 3, 9);
  const indices = Int32Array.from({ length: 24 }, (_, i) => i);
  beforeAll(() => {
    source = AdaptationSource.fromScratch(config(4), 2);
  });

  it('features through the classifier are the logits, and the cache holds one row per example', async () => {
    const model = source.model(3, 4);
    const batch = data.getBatch(indices);
    const feats = await source.rows('features', data, indices);
    expect(feats.shape).toEqual([24, featureDim(model)]);
    expect(source.cachedCount('features', data)).toBe(24);
    await source.rows('features', data, [3, 5, 3]);
    expect(source.cachedCount('features', data)).toBe(24);
    const direct = tf.tidy(() => runStages(model, tf.tensor(batch.x, batch.shape), 'input', 'logits', new Rng(0)).dataSync());
    const viaFeatures = tf.tidy(() => runStages(model, tf.tensor(feats.x, feats.shape), 'features', 'logits', new Rng(0)).dataSync());
    for (let i = 0; i < direct.length; i++) expect(viaFeatures[i]).toBeCloseTo(direct[i] as number, 5);
  });

  it('gives the same losses and classifier from cached features as end to end (batch 8 of 24, 3 epochs)', async () => {
    const labels = Int32Array.from(data.getBatch(indices).y);
    const options = { policy: 'linear-probe' as const, steps: 9, lr: 5e-2, headLr: 5e-2, seed: 11, mode: 'eval' as const, batchSize: 8 };
    const e2e = source.model(3, 4);
    const batch = data.getBatch(indices);
    const lossesE2E = await adaptModel(e2e, { x: batch.x, shape: batch.shape }, labels, 'input', options);
    const headE2E = Array.from(e2e.namedParameters().get(kindHead(e2e))?.dataSync() ?? []);
    const cached = source.model(3, 4);
    const lossesCached = await adaptModel(cached, await source.rows('features', data, indices), labels, 'features', options);
    const headCached = Array.from(cached.namedParameters().get(kindHead(cached))?.dataSync() ?? []);
    expect(lossesCached).toHaveLength(9);
    // The loss over an epoch falls (the steps do something) …
    const epoch = (e: number) => lossesE2E.slice(3 * e, 3 * e + 3).reduce((a, b) => a + b, 0);
    expect(epoch(2)).toBeLessThan(epoch(0));
    // … and both paths agree to float32 rounding.
    lossesCached.forEach((l, i) => expect(Math.abs(l - (lossesE2E[i] as number))).toBeLessThan(1e-5));
    headCached.forEach((w, i) => expect(Math.abs(w - (headE2E[i] as number))).toBeLessThan(1e-5));
  });
});

function kindHead(model: { namedParameters(): Map<string, unknown> }): string {
  return model.namedParameters().has('pooling.classifier.weight') ? 'pooling.classifier.weight' : 'toLogits.weight';
}
