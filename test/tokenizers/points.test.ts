// PointTokenizer: shapes and parameters of both encodings, the frozen Fourier projection, permutation
// equivariance, finite-difference gradients on wasm, and input checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PointTokenizer, type PointTokenizerConfig } from '../../src/tokenizers/points.js';
import type { RandomFourierFeatures } from '../../src/tokenizers/fourier.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';
import { useBackend } from './helpers.js';

const fourier: PointTokenizerConfig = { numPoints: 7, pointDim: 3, tokenDim: 8, encoding: 'fourier', fourierBands: 5, fourierScale: 2 };
const mlp: PointTokenizerConfig = { numPoints: 7, pointDim: 2, tokenDim: 8, encoding: 'mlp', hidden: 6 };

describe('PointTokenizer', () => {
  beforeAll(() => useBackend('wasm'));

  it('fourier: [B, N, D] → [B, N, tokenDim]; features are [x, sin 2πxB, cos 2πxB]; B is frozen but saved', () => {
    const tok = new PointTokenizer(fourier, new Rng(0));
    const x = tf.randomUniform([4, 7, 3], -1, 1, 'float32', 1);
    const y = tok.forward(x);
    expect(y.shape).toEqual([4, 7, 8]);
    expect([tok.numTokens, tok.tokenDim, ...tok.inputShape]).toEqual([7, 8, 7, 3]);
    const params = tok.namedParameters();
    expect([...params.keys()]).toEqual(['fourier.projection', 'projection.weight', 'projection.bias']);
    expect(params.get('fourier.projection')!.shape).toEqual([3, 5]);
    expect(params.get('fourier.projection')!.trainable).toBe(false);
    expect(params.get('projection.weight')!.shape).toEqual([3 + 2 * 5, 8]);
    expect(tok.trainableParameters()).toHaveLength(2);
    const p = tf.tensor2d([[0.5, -0.25, 0.125]]);
    const feats = (tok.children().get('fourier') as RandomFourierFeatures).forward(p).dataSync();
    const b = params.get('fourier.projection')!.arraySync() as number[][];
    for (let k = 0; k < 5; k++) {
      const phase = 2 * Math.PI * (0.5 * b[0]![k]! - 0.25 * b[1]![k]! + 0.125 * b[2]![k]!);
      expect(feats[3 + k]).toBeCloseTo(Math.sin(phase), 4);
      expect(feats[8 + k]).toBeCloseTo(Math.cos(phase), 4);
    }
    expect(Array.from(feats.slice(0, 3))).toEqual([0.5, -0.25, 0.125]);
    tf.dispose([x, y, p]);
    tok.dispose();
  });

  it('fourier projection has std ≈ fourierScale and is fixed by the seed', () => {
    const a = new PointTokenizer({ numPoints: 1, pointDim: 2, tokenDim: 4, fourierBands: 500, fourierScale: 3 }, new Rng(5));
    const b = new PointTokenizer({ numPoints: 1, pointDim: 2, tokenDim: 4, fourierBands: 500, fourierScale: 3 }, new Rng(5));
    const pa = a.namedParameters().get('fourier.projection')!;
    const std = tf.tidy(() => tf.moments(pa).variance.sqrt().dataSync()[0]!);
    expect(std).toBeGreaterThan(2.7);
    expect(std).toBeLessThan(3.3);
    expect(Array.from(b.namedParameters().get('fourier.projection')!.dataSync())).toEqual(Array.from(pa.dataSync()));
    a.dispose();
    b.dispose();
  });

  it('mlp: Linear → GELU → Linear per point', () => {
    const tok = new PointTokenizer(mlp, new Rng(0));
    const x = tf.randomUniform([3, 7, 2], -1, 1, 'float32', 2);
    const y = tok.forward(x);
    expect(y.shape).toEqual([3, 7, 8]);
    expect([...tok.namedParameters().keys()]).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(tok.parameterCount()).toBe(2 * 6 + 6 + 6 * 8 + 8);
    tf.dispose([x, y]);
    tok.dispose();
  });

  for (const cfg of [fourier, mlp]) {
    it(`${cfg.encoding}: permuting the points permutes the tokens`, () => {
      const tok = new PointTokenizer(cfg, new Rng(3));
      const perm = new Rng(4).shuffle([...Array(cfg.numPoints).keys()]);
      const err = tf.tidy(() => {
        const x = tf.randomUniform([2, cfg.numPoints, cfg.pointDim], -1, 1, 'float32', 3);
        const idx = tf.tensor1d(perm, 'int32');
        const permutedTokens = tf.gather(tok.forward(x), idx, 1);
        const tokensOfPermuted = tok.forward(tf.gather(x, idx, 1));
        return tf.max(tf.abs(permutedTokens.sub(tokensOfPermuted))).dataSync()[0]!;
      });
      expect(err).toBeLessThan(1e-6);
      tok.dispose();
    });

    it(`${cfg.encoding}: gradients of every trainable parameter match finite differences (wasm)`, () => {
      const tok = new PointTokenizer(cfg, new Rng(6));
      const x = tf.randomUniform([2, cfg.numPoints, cfg.pointDim], -1, 1, 'float32', 7);
      const r = randomProjection([2, cfg.numPoints, cfg.tokenDim], 8);
      const res = gradCheck(() => tf.tidy(() => tf.sum(tok.forward(x).mul(r)) as tf.Scalar), tok.trainableParameters(), { samples: 8 });
      expect(res.checked).toBeGreaterThan(0);
      expect(res.maxRelError).toBeLessThan(2e-2);
      tf.dispose([x, r]);
      tok.dispose();
    });
  }

  it('rejects inputs of the wrong shape or dtype', () => {
    const tok = new PointTokenizer(mlp, new Rng(0));
    const bad = [tf.zeros([2, 7, 3]), tf.zeros([2, 6, 2]), tf.zeros([7, 2]), tf.zeros([2, 7, 2], 'int32')];
    for (const t of bad) expect(() => tok.forward(t)).toThrow(/PointTokenizer: expected points float32 \[B, 7, 2\]/);
    tf.dispose(bad);
    tok.dispose();
  });
});
