// PatchTokenizer: shapes, patch extraction order, positional embedding, validation and gradients on wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PatchTokenizer } from '../../src/tokenizers/patch.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from './helpers.js';

describe('PatchTokenizer', () => {
  beforeAll(() => useBackend('wasm'));

  for (const [h, w, c, p, d] of [
    [28, 28, 1, 4, 64],
    [8, 8, 1, 2, 16],
    [32, 48, 3, 8, 24],
    [6, 6, 2, 1, 5],
  ] as const) {
    it(`${h}×${w}×${c} with ${p}×${p} patches → [B, ${(h / p) * (w / p)}, ${d}]`, () => {
      const tok = new PatchTokenizer({ imageSize: [h, w], inChannels: c, patchSize: p, tokenDim: d }, new Rng(0));
      const x = tf.randomNormal([3, h, w, c], 0, 1, 'float32', 1);
      const y = tok.forward(x);
      expect(y.shape).toEqual([3, (h / p) * (w / p), d]);
      expect([tok.numTokens, tok.tokenDim]).toEqual([(h / p) * (w / p), d]);
      expect(tok.parameterCount()).toBe(p * p * c * d + d + tok.numTokens * d);
      tf.dispose([x, y]);
      tok.dispose();
    });
  }

  it('extracts non-overlapping patches row-major, each flattened (row, column, channel)', () => {
    const [h, w, c, p] = [4, 6, 2, 2];
    const tok = new PatchTokenizer({ imageSize: [h, w], inChannels: c, patchSize: p, tokenDim: 3 }, new Rng(0));
    const x = tf.tensor4d([...Array(2 * h * w * c).keys()], [2, h, w, c]);
    const patches = tok.patches(x).arraySync() as number[][][];
    const xs = x.arraySync() as number[][][][];
    for (let b = 0; b < 2; b++) {
      for (let gy = 0; gy < h / p; gy++) {
        for (let gx = 0; gx < w / p; gx++) {
          const want: number[] = [];
          for (let dy = 0; dy < p; dy++) for (let dx = 0; dx < p; dx++) want.push(...xs[b]![gy * p + dy]![gx * p + dx]!);
          expect(patches[b]![gy * (w / p) + gx]).toEqual(want);
        }
      }
    }
    x.dispose();
    tok.dispose();
  });

  it('adds a distinct learned positional embedding per token', () => {
    const tok = new PatchTokenizer({ imageSize: [8, 8], inChannels: 1, patchSize: 4, tokenDim: 8 }, new Rng(3));
    const err = tf.tidy(() => {
      const y = tok.forward(tf.zeros([1, 8, 8, 1]));
      const want = tok.positionalEmbedding.add(tok.projection.bias!).expandDims(0);
      return tf.max(tf.abs(y.sub(want))).dataSync()[0] as number;
    });
    expect(err).toBeLessThan(1e-6);
    const rows = tok.positionalEmbedding.arraySync() as number[][];
    expect(new Set(rows.map((r) => r.join(','))).size).toBe(4);
    tok.dispose();
  });

  it('validates its config, naming the field', () => {
    expect(() => new PatchTokenizer({ imageSize: [28, 28], inChannels: 1, patchSize: 5, tokenDim: 8 }, new Rng(0))).toThrow(
      /PatchTokenizer config\.patchSize must divide both image sides \[28,28\]; got 5/,
    );
    expect(() => new PatchTokenizer({ imageSize: [28, 28], inChannels: 0, patchSize: 4, tokenDim: 8 }, new Rng(0))).toThrow(
      /inChannels must be a positive integer; got 0/,
    );
    const tok = new PatchTokenizer({ imageSize: [8, 8], inChannels: 1, patchSize: 4, tokenDim: 8 }, new Rng(0));
    const bad = tf.zeros([1, 8, 8, 3]);
    expect(() => tok.forward(bad)).toThrow(/expected images \[B, 8, 8, 1\]/);
    bad.dispose();
    tok.dispose();
  });

  it('trains on wasm: every parameter gets a gradient, no tensors leak', () => {
    const tok = new PatchTokenizer({ imageSize: [8, 8], inChannels: 2, patchSize: 2, tokenDim: 6 }, new Rng(4));
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tok.forward(x).square().mean() as tf.Scalar, tok.trainableParameters());
    for (const v of tok.trainableParameters()) {
      expect(grads[v.name]!.shape).toEqual(v.shape);
      expect(tf.tidy(() => grads[v.name]!.abs().sum().dataSync()[0] as number)).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    tok.dispose();
  });
});
