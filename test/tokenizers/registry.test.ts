// Tokenizer registry: createTokenizer dispatch and field-naming validation errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  ConvNeXtImageTokenizer,
  PatchTokenizer,
  TOKENIZER_REGISTRY,
  createTokenizer,
  tokenizerReferenceMapper,
  validateTokenizerConfig,
  type TokenizerConfig,
} from '../../src/tokenizers/index.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from './helpers.js';

describe('tokenizer registry', () => {
  beforeAll(() => useBackend('wasm'));

  it('builds each registered type', () => {
    const conv = createTokenizer(
      { type: 'convnext', imageSize: [32, 32], inChannels: 3, stateDim: 64, preset: 'femto', numStages: 2 },
      new Rng(0),
    );
    expect(conv).toBeInstanceOf(ConvNeXtImageTokenizer);
    expect([conv.numTokens, conv.tokenDim]).toEqual([16, 32 + 64]); // positionalGridDim defaults to 64
    const patch = createTokenizer({ type: 'patch', imageSize: [28, 28], inChannels: 1, patchSize: 7, tokenDim: 32 }, new Rng(0));
    expect(patch).toBeInstanceOf(PatchTokenizer);
    const y = patch.forward(tf.zeros([2, 28, 28, 1]));
    expect(y.shape).toEqual([2, 16, 32]);
    tf.dispose(y);
    conv.dispose();
    patch.dispose();
    expect(Object.keys(TOKENIZER_REGISTRY).sort()).toEqual(['bytes', 'convnext', 'patch', 'points', 'symbols']);
    expect(tokenizerReferenceMapper('convnext')).toBeTypeOf('function');
    expect(tokenizerReferenceMapper('patch')).toBeNull();
  });

  it('fills defaults and keeps the discriminant', () => {
    const v = validateTokenizerConfig({
      type: 'convnext',
      imageSize: [64, 64],
      inChannels: 3,
      stateDim: 384,
      preset: 'tiny',
      numStages: 2,
    });
    expect(v).toEqual({
      type: 'convnext',
      imageSize: [64, 64],
      inChannels: 3,
      stateDim: 384,
      preset: 'tiny',
      numStages: 2,
      positionalGridDim: 64,
    });
  });

  const good = { type: 'convnext', imageSize: [64, 64], inChannels: 3, stateDim: 384, preset: 'tiny', numStages: 2 };
  const errors: [string, unknown, string][] = [
    ['bad preset', { ...good, preset: 'huge' }, "tokenizer.preset must be one of tiny, mini, micro, nano, pico, femto, atto; got 'huge'"],
    ['bad type', { ...good, type: 'vit' }, "tokenizer.type must be one of convnext, patch, points, bytes, symbols; got 'vit'"],
    ['missing type', { imageSize: [8, 8] }, 'tokenizer.type must be one of convnext, patch, points, bytes, symbols; got undefined'],
    ['not an object', 42, 'tokenizer must be an object; got 42'],
    ['non-integer stages', { ...good, numStages: 1.5 }, 'tokenizer.numStages must be an integer in [1, 3]; got 1.5'],
    ['image size', { ...good, imageSize: [64] }, 'tokenizer.imageSize must be a pair of positive integers [H, W]; got [64]'],
    ['unknown key', { ...good, stages: 2 }, 'tokenizer.stages is not a known field'],
    ['negative grid', { ...good, positionalGridDim: -1 }, 'tokenizer.positionalGridDim must be an integer ≥ 0; got -1'],
    [
      'patch divisibility',
      { type: 'patch', imageSize: [28, 28], inChannels: 1, patchSize: 3, tokenDim: 8 },
      'tokenizer.patchSize must divide',
    ],
    [
      'patch missing tokenDim',
      { type: 'patch', imageSize: [28, 28], inChannels: 1, patchSize: 4 },
      'tokenizer.tokenDim must be a positive integer; got undefined',
    ],
  ];
  for (const [name, cfg, msg] of errors) {
    it(`rejects ${name}`, () => {
      expect(() => validateTokenizerConfig(cfg, 'tokenizer')).toThrow(msg);
    });
  }

  it('uses the caller-supplied field path', () => {
    expect(() => validateTokenizerConfig({ ...good, preset: 'huge' }, 'experiment.model.tokenizer')).toThrow(
      /^experiment\.model\.tokenizer\.preset /,
    );
    expect(() => createTokenizer({ ...good, preset: 'huge' } as unknown as TokenizerConfig, new Rng(0))).toThrow(/tokenizer\.preset/);
  });
});
