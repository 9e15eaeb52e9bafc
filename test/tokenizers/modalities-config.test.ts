// Configs of the points, bytes and symbols tokenizers through the registry: dispatch, defaults, and
// validation errors that name the field and its allowed values.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ByteTokenizer, PointTokenizer, SymbolTokenizer, createTokenizer, validateTokenizerConfig } from '../../src/tokenizers/index.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from './helpers.js';

describe('points / bytes / symbols tokenizer configs', () => {
  beforeAll(() => useBackend('wasm'));

  it('createTokenizer builds each new type; forward and backward leave no tensors behind', () => {
    const cases = [
      [{ type: 'points', numPoints: 5, pointDim: 3, tokenDim: 4 }, PointTokenizer, tf.zeros([2, 5, 3]), [2, 5, 4]],
      [{ type: 'bytes', maxLength: 8, tokenDim: 4, groupSize: 4 }, ByteTokenizer, tf.zeros([2, 8], 'int32'), [2, 2, 4]],
      [{ type: 'symbols', vocabSize: 6, maxLength: 7, tokenDim: 4 }, SymbolTokenizer, tf.zeros([2, 7], 'int32'), [2, 7, 4]],
    ] as const;
    for (const [cfg, cls, x, shape] of cases) {
      const tok = createTokenizer(cfg, new Rng(0));
      expect(tok).toBeInstanceOf(cls);
      const before = tf.memory().numTensors;
      const y = tok.forward(x);
      expect(y.shape).toEqual(shape);
      const { value, grads } = tf.variableGrads(() => tok.forward(x).square().mean() as tf.Scalar, tok.trainableParameters());
      tf.dispose([y, value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      tok.dispose();
    }
  });

  it('fills the defaults of each type (only the chosen point encoding’s fields)', () => {
    expect(validateTokenizerConfig({ type: 'points', numPoints: 100, pointDim: 2, tokenDim: 32 })).toEqual({
      type: 'points',
      numPoints: 100,
      pointDim: 2,
      tokenDim: 32,
      encoding: 'fourier',
      fourierBands: 32,
      fourierScale: 1,
    });
    expect(validateTokenizerConfig({ type: 'points', numPoints: 100, pointDim: 3, tokenDim: 32, encoding: 'mlp' })).toEqual({
      type: 'points',
      numPoints: 100,
      pointDim: 3,
      tokenDim: 32,
      encoding: 'mlp',
      hidden: 64,
    });
    expect(validateTokenizerConfig({ type: 'bytes', maxLength: 1024, tokenDim: 64, groupSize: 4 })).toEqual({
      type: 'bytes',
      maxLength: 1024,
      tokenDim: 64,
      embedDim: 32,
      groupSize: 4,
      vocabSize: 257,
      padId: 256,
      ngram: 0,
    });
    expect(validateTokenizerConfig({ type: 'symbols', vocabSize: 20, maxLength: 512, tokenDim: 64 })).toEqual({
      type: 'symbols',
      vocabSize: 20,
      maxLength: 512,
      tokenDim: 64,
      padId: null,
    });
  });

  const points = { type: 'points', numPoints: 16, pointDim: 2, tokenDim: 8 };
  const bytes = { type: 'bytes', maxLength: 12, tokenDim: 8 };
  const symbols = { type: 'symbols', vocabSize: 10, maxLength: 12, tokenDim: 8 };
  const errors: [string, unknown, string][] = [
    ['bad encoding', { ...points, encoding: 'pointnet' }, "tokenizer.encoding must be one of fourier, mlp; got 'pointnet'"],
    ['missing numPoints', { ...points, numPoints: undefined }, 'tokenizer.numPoints must be a positive integer; got undefined'],
    ['zero pointDim', { ...points, pointDim: 0 }, 'tokenizer.pointDim must be a positive integer; got 0'],
    ['fourierScale ≤ 0', { ...points, fourierScale: 0 }, 'tokenizer.fourierScale must be a finite number > 0; got 0'],
    ['fractional bands', { ...points, fourierBands: 2.5 }, 'tokenizer.fourierBands must be a positive integer; got 2.5'],
    ['mlp field with fourier', { ...points, hidden: 32 }, "tokenizer.hidden is only used with encoding 'mlp'; got encoding 'fourier'"],
    [
      'fourier field with mlp',
      { ...points, encoding: 'mlp', fourierBands: 8 },
      "tokenizer.fourierBands is only used with encoding 'fourier'; got encoding 'mlp'",
    ],
    ['unknown points key', { ...points, bands: 8 }, 'tokenizer.bands is not a known field (known: type, numPoints, pointDim'],
    [
      'groupSize not dividing',
      { ...bytes, groupSize: 5 },
      'tokenizer.groupSize must divide maxLength 12 (each token holds groupSize bytes); got 5',
    ],
    ['groupSize 0', { ...bytes, groupSize: 0 }, 'tokenizer.groupSize must be a positive integer; got 0'],
    ['byte padId out of range', { ...bytes, padId: 257 }, 'tokenizer.padId must be null or an integer in [0, 256]; got 257'],
    ['bytes without tokenDim', { type: 'bytes', maxLength: 12 }, 'tokenizer.tokenDim must be a positive integer; got undefined'],
    ['symbols padId ≥ vocabSize', { ...symbols, padId: 10 }, 'tokenizer.padId must be null or an integer in [0, 9]; got 10'],
    ['symbols string padId', { ...symbols, padId: 'pad' }, "tokenizer.padId must be null or an integer in [0, 9]; got 'pad'"],
    ['symbols missing vocabSize', { ...symbols, vocabSize: undefined }, 'tokenizer.vocabSize must be a positive integer; got undefined'],
    [
      'symbols groupSize',
      { ...symbols, groupSize: 2 },
      'tokenizer.groupSize is not a known field (known: type, vocabSize, maxLength, tokenDim, padId)',
    ],
  ];
  for (const [name, cfg, msg] of errors) {
    it(`rejects ${name}`, () => {
      expect(() => validateTokenizerConfig(cfg, 'tokenizer')).toThrow(msg);
    });
  }
});
