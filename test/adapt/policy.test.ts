// Each adaptation policy trains exactly the parameters it names (NAC and Perceiver IO), and the new
// classifier has the new class count while every other weight is the pretrained one.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdaptationSource } from '../../src/adapt/source.js';
import { adaptModel, policyParameters } from '../../src/adapt/train.js';
import { ADAPT_POLICIES, validatePolicy, type AdaptPolicy } from '../../src/adapt/policy.js';
import { runStages } from '../../src/adapt/stages.js';
import { Rng } from '../../src/util/rng.js';
import { ConfigError } from '../../src/config/validate.js';
import { bandDataset, tinyNAC, tinyPIO } from './fixtures.js';

const NAC_HEAD = ['pooling.classifier.weight', 'pooling.classifier.bias'];
const NAC_CODES = ['readIn', 'propagator', 'readOut'].flatMap((g) => [`circuit.latents.${g}.codes`, `circuit.latents.${g}.signatures`]);
const PIO_HEAD = ['toLogits.weight', 'toLogits.bias'];
const PIO_CODES = ['latents', 'classificationQuery'];

function snapshot(params: Map<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...params].map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
}

/** Names whose values differ in any bit. */
function changed(before: Map<string, Float32Array>, after: Map<string, tf.Variable>): string[] {
  const out: string[] = [];
  for (const [name, v] of after) {
    const a = before.get(name) as Float32Array;
    const b = v.dataSync() as Float32Array;
    if (a.some((x, i) => !Object.is(x, b[i]))) out.push(name);
  }
  return out.sort();
}

const cases = [
  { kind: 'nac', config: tinyNAC, head: NAC_HEAD, codes: NAC_CODES },
  { kind: 'perceiver-io', config: tinyPIO, head: PIO_HEAD, codes: PIO_CODES },
] as const;

describe.each(cases)('adaptation policies on $kind', ({ config, head, codes }) => {
  let source: AdaptationSource;
  const batch = bandDataset('bands/train', 12, 3, 5).getBatch(Int32Array.from({ length: 12 }, (_, i) => i));
  beforeAll(() => {
    source = AdaptationSource.fromScratch(config(4), 1);
  });

  it('builds a model for the new class count: new seeded classifier, all other weights from the source', () => {
    const model = source.model(3, 7);
    const params = model.namedParameters();
    expect(params.get(head[0])?.shape.at(-1)).toBe(3);
    expect(params.get(head[1])?.shape).toEqual([3]);
    const logits = tf.tidy(() => runStages(model, tf.tensor(batch.x, batch.shape), 'input', 'logits', new Rng(0)));
    expect(logits.shape).toEqual([12, 3]);
    logits.dispose();
    const ref = source.reference.namedParameters();
    for (const [name, v] of params) {
      if (head.includes(name as never)) continue;
      expect(Array.from(v.dataSync()), name).toEqual(Array.from((ref.get(name) as tf.Variable).dataSync()));
    }
    // The classifier is PyTorch's Linear init from the seed: U(±1/√d), and the same seed gives the same head.
    const w = (params.get(head[0]) as tf.Variable).dataSync().slice();
    const d = (params.get(head[0]) as tf.Variable).shape[0] as number;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(d));
    expect(Array.from(source.model(3, 7).namedParameters().get(head[0])?.dataSync() ?? [])).toEqual(Array.from(w));
    expect(Array.from(source.model(3, 8).namedParameters().get(head[0])?.dataSync() ?? [])).not.toEqual(Array.from(w));
  });

  const expected: Record<AdaptPolicy, () => string[]> = {
    'linear-probe': () => [...head],
    codes: () => [...head, ...codes],
    full: () =>
      [...source.reference.namedParameters().keys()]
        .filter((n) => !n.startsWith('pooling.classifier') && !n.startsWith('toLogits'))
        .concat(head),
  };

  it.each(ADAPT_POLICIES.map((p) => [p]))('%s changes exactly its parameters, bit for bit', async (policy) => {
    const model = source.model(3, 7);
    const names = expected[policy]().sort();
    expect([...policyParameters(model, policy).keys()].sort()).toEqual(names);
    const before = snapshot(model.namedParameters());
    // Train mode, so that every NAC parameter (e.g. the seeder's variance head) receives a gradient.
    const losses = await adaptModel(model, { x: batch.x, shape: batch.shape }, Int32Array.from(batch.y), 'input', {
      policy,
      steps: 3,
      lr: 1e-2,
      headLr: 1e-2,
      seed: 3,
      mode: 'train',
    });
    expect(losses).toHaveLength(3);
    expect(changed(before, model.namedParameters())).toEqual(names);
  });

  it('refuses to start from a cached stage that the policy trains through', async () => {
    const model = source.model(3, 7);
    const rows = { x: new Float32Array(12 * 16), shape: [12, 16] };
    await expect(
      adaptModel(model, rows, new Int32Array(12), 'features', { policy: 'codes', steps: 1, lr: 1e-2, headLr: 1e-2, seed: 0, mode: 'eval' }),
    ).rejects.toThrow(/before stage 'features'/);
  });
});

describe('validatePolicy', () => {
  it('accepts the three policies and names the allowed values otherwise', () => {
    expect(validatePolicy('codes')).toBe('codes');
    expect(() => validatePolicy('bias-only', '--policy')).toThrow(ConfigError);
    expect(() => validatePolicy('bias-only', '--policy')).toThrow(/--policy.*linear-probe, codes, full/);
  });
});
