// Perceiver IO baseline: output shapes, the Tiny-ImageNet preset's parameter count (reference 23.33 M),
// parameter layout, config validation and tensor hygiene over training steps.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  PERCEIVER_IO_SMALL_CPU,
  PERCEIVER_IO_TINY_IMAGENET,
  PerceiverIO,
  createPerceiverIO,
  validatePerceiverIOConfig,
  validatePerceiverIOPreset,
  type PerceiverIOConfig,
} from '../../src/baselines/perceiver-io.js';
import { PatchTokenizer } from '../../src/tokenizers/patch.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from '../tokenizers/helpers.js';

const tinyCfg: PerceiverIOConfig = {
  numLatents: 8,
  latentDim: 16,
  depth: 2,
  crossHeads: 1,
  crossDimHead: 8,
  latentHeads: 2,
  latentDimHead: 8,
  ffnMult: 2,
  queriesDim: 12,
  numClasses: 5,
};

describe('PerceiverIO', () => {
  beforeAll(() => useBackend('wasm'));

  it('maps images to logits [B, numClasses] (patch tokenizer)', () => {
    const tok = new PatchTokenizer({ imageSize: [8, 8], inChannels: 1, patchSize: 2, tokenDim: 10 }, new Rng(0));
    const model = new PerceiverIO(tinyCfg, tok, new Rng(1));
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 2);
    const y = model.forward(x);
    expect(y.shape).toEqual([3, 5]);
    expect(tf.all(tf.isFinite(y)).dataSync()[0]).toBe(1);
    // examples are independent: the first row does not depend on the others
    const y0 = model.forward(x.slice([0], [1]));
    expect(tf.max(tf.abs(y0.sub(y.slice([0], [1])))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, y, y0]);
    model.dispose();
  });

  it('small CPU preset: 28×28×1 → [B, 10]', () => {
    const model = createPerceiverIO(PERCEIVER_IO_SMALL_CPU, new Rng(0));
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1);
    const y = model.forward(x);
    expect(y.shape).toEqual([2, 10]);
    expect(model.tokenizer.numTokens).toBe(49);
    console.log(`PERCEIVER_IO_SMALL_CPU: ${model.parameterCount()} parameters`);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('Tiny-ImageNet preset: 23.33 M parameters (within 1 %) and [B, 200] logits', () => {
    const model = createPerceiverIO(PERCEIVER_IO_TINY_IMAGENET, new Rng(0));
    const n = model.parameterCount();
    console.log(`PERCEIVER_IO_TINY_IMAGENET: ${n} parameters (${(n / 1e6).toFixed(3)} M; reference 23.33 M)`);
    expect(Math.abs(n - 23.33e6) / 23.33e6).toBeLessThan(0.01);
    expect(n).toBe(23_328_808);
    expect([model.tokenizer.numTokens, model.tokenizer.tokenDim]).toEqual([16, 448]);
    const p = model.namedParameters();
    expect(p.get('latents')?.shape).toEqual([320, 384]);
    expect(p.get('encoder.crossAttention.attention.toQ.weight')?.shape).toEqual([384, 64]);
    expect(p.get('encoder.crossAttention.attention.toKV.weight')?.shape).toEqual([448, 128]);
    expect(p.get('encoder.crossAttention.attention.toQ.bias')).toBeUndefined();
    expect(p.get('encoder.crossAttention.attention.toOut.bias')?.shape).toEqual([384]);
    expect(p.get('layers.7.selfAttention.attention.toKV.weight')?.shape).toEqual([384, 768]);
    expect(p.get('layers.7.feedForward.proj.weight')?.shape).toEqual([384, 3072]);
    expect(p.get('layers.7.feedForward.out.weight')?.shape).toEqual([1536, 384]);
    expect(p.get('decoder.crossAttention.contextNorm.weight')?.shape).toEqual([384]);
    expect(p.get('decoder.feedForward.proj.weight')?.shape).toEqual([384, 3072]);
    expect(p.get('classificationQuery')?.shape).toEqual([1, 384]);
    expect(p.get('toLogits.weight')?.shape).toEqual([384, 200]);
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 1);
    const y = model.forward(x);
    expect(y.shape).toEqual([1, 200]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('validates configs, naming the offending field', () => {
    expect(() => validatePerceiverIOConfig({ ...tinyCfg, numLatents: 0 })).toThrow('model.numLatents must be a positive integer; got 0');
    expect(() => validatePerceiverIOConfig({ ...tinyCfg, latentHead: 3 }, 'pio')).toThrow('pio.latentHead is not a known field');
    expect(() => validatePerceiverIOConfig({ ...tinyCfg, depth: -1 })).toThrow('model.depth must be an integer ≥ 0; got -1');
    const { crossHeads: _a, crossDimHead: _b, latentDimHead: _c, ffnMult: _d, ...required } = tinyCfg;
    expect(validatePerceiverIOConfig(required)).toEqual({ ...required, crossHeads: 1, crossDimHead: 64, latentDimHead: 64, ffnMult: 4 });
    expect(() =>
      validatePerceiverIOPreset({ model: tinyCfg, tokenizer: { ...PERCEIVER_IO_TINY_IMAGENET.tokenizer, preset: 'huge' } }),
    ).toThrow("perceiverIO.tokenizer.preset must be one of tiny, mini, micro, nano, pico, femto, atto; got 'huge'");
    expect(validatePerceiverIOPreset(PERCEIVER_IO_TINY_IMAGENET)).toEqual(PERCEIVER_IO_TINY_IMAGENET);
    const tok = new PatchTokenizer({ imageSize: [8, 8], inChannels: 1, patchSize: 2, tokenDim: 10 }, new Rng(0));
    expect(() => new PerceiverIO({ ...tinyCfg, latentHeads: 0 }, tok, new Rng(0))).toThrow(/PerceiverIO config\.latentHeads/);
  });

  it('does not leak tensors over training steps (wasm)', () => {
    const tok = new PatchTokenizer({ imageSize: [8, 8], inChannels: 1, patchSize: 2, tokenDim: 10 }, new Rng(0));
    const model = new PerceiverIO(tinyCfg, tok, new Rng(1));
    const opt = tf.train.adam(1e-3);
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 2);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 5);
    const step = (): void => {
      tf.tidy(() => {
        const loss = opt.minimize(
          () => tf.losses.softmaxCrossEntropy(labels, model.forward(x)) as tf.Scalar,
          true,
          model.trainableParameters(),
        );
        loss?.dispose();
      });
    };
    step(); // creates the optimizer's slot variables
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    const y = model.forward(x);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels]);
    opt.dispose();
    model.dispose();
  });
});
