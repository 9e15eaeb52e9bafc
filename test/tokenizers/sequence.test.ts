// SymbolTokenizer and ByteTokenizer: shapes, grouping, padding, parameter layout, finite-difference
// gradients on wasm, the embedding gradient on wasm against the cpu backend, and input checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { SymbolTokenizer } from '../../src/tokenizers/symbols.js';
import { ByteTokenizer, type ByteTokenizerConfig } from '../../src/tokenizers/bytes.js';
import type { SequenceTokenizer } from '../../src/tokenizers/embedding.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';
import { onBackend, relError } from '../engine/helpers.js';
import { gelu } from '../../src/nn/activations.js';
import { useBackend } from './helpers.js';

/** Deterministic ids [b, l] in [0, vocab), with the last `pad` positions of every row set to padId. */
function ids(b: number, l: number, vocab: number, seed: number, pad = 0, padId = vocab - 1): tf.Tensor2D {
  const rng = new Rng(seed);
  const v = Array.from({ length: b * l }, (_, i) => (i % l >= l - pad ? padId : rng.int(vocab)));
  return tf.tensor2d(v, [b, l], 'int32');
}

const builders: [string, (rng: Rng) => SequenceTokenizer, number][] = [
  ['symbols', (rng) => new SymbolTokenizer({ vocabSize: 9, maxLength: 6, tokenDim: 5, padId: 8 }, rng), 9],
  ['bytes g=2', (rng) => new ByteTokenizer({ maxLength: 6, tokenDim: 5, embedDim: 3, groupSize: 2 }, rng), 257],
  ['bytes g=2 ngram=3', (rng) => new ByteTokenizer({ maxLength: 6, tokenDim: 5, embedDim: 3, groupSize: 2, ngram: 3 }, rng), 257],
];

describe('SymbolTokenizer', () => {
  beforeAll(() => useBackend('wasm'));

  it('ids [B, L] → [B, L, tokenDim] = embedding[id] + position; parameters embedding, positionalEmbedding', () => {
    const tok = new SymbolTokenizer({ vocabSize: 12, maxLength: 10, tokenDim: 4 }, new Rng(0));
    expect([...tok.namedParameters().keys()]).toEqual(['embedding', 'positionalEmbedding']);
    expect([tok.numTokens, tok.tokenDim, ...tok.inputShape]).toEqual([10, 4, 10]);
    expect(tok.config.padId).toBeNull();
    const x = ids(3, 10, 12, 1);
    const err = tf.tidy(() => {
      const y = tok.forward(x);
      expect(y.shape).toEqual([3, 10, 4]);
      const want = tf.gather(tok.embedding, x).add(tok.positionalEmbedding);
      return tf.max(tf.abs(y.sub(want))).dataSync()[0]!;
    });
    expect(err).toBe(0);
    x.dispose();
    tok.dispose();
  });

  it('zeroes padded tokens; integral float32 ids give the same tokens as int32', () => {
    const tok = new SymbolTokenizer({ vocabSize: 5, maxLength: 6, tokenDim: 3, padId: 4 }, new Rng(1));
    const x = ids(2, 6, 4, 2, 2, 4);
    const y = tok.forward(x).arraySync() as number[][][];
    for (const row of y) {
      expect(row.slice(4).flat().map(Math.abs)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(row.slice(0, 4).every((t) => t.some((v) => v !== 0))).toBe(true);
    }
    const yf = tf.tidy(() => tok.forward(x.toFloat()).arraySync());
    expect(yf).toEqual(y);
    x.dispose();
    tok.dispose();
  });

  it('rejects inputs of the wrong shape and out-of-range ids', () => {
    const tok = new SymbolTokenizer({ vocabSize: 5, maxLength: 6, tokenDim: 3 }, new Rng(1));
    const bad = [tf.zeros([2, 5], 'int32'), tf.zeros([2, 6, 1], 'int32'), tf.zeros([2, 6], 'bool')];
    for (const t of bad) expect(() => tok.forward(t)).toThrow(/SymbolTokenizer: expected ids int32 \[B, 6\]/);
    const out = tf.tensor2d([[0, 1, 2, 3, 4, 5]], [1, 6], 'int32');
    expect(() => tf.tidy(() => tok.forward(out))).toThrow(/index/i);
    tf.dispose([...bad, out]);
    tok.dispose();
  });
});

describe('ByteTokenizer', () => {
  beforeAll(() => useBackend('wasm'));

  for (const [l, g] of [
    [1024, 4],
    [16, 1],
    [12, 3],
  ] as const) {
    it(`${l} bytes with groupSize ${g} → ${l / g} tokens`, () => {
      const cfg: ByteTokenizerConfig = { maxLength: l, tokenDim: 8, embedDim: 4, groupSize: g };
      const tok = new ByteTokenizer(cfg, new Rng(0));
      const x = ids(2, l, 257, 3);
      const y = tok.forward(x);
      expect(y.shape).toEqual([2, l / g, 8]);
      expect(tok.numTokens).toBe(l / g);
      expect(tok.config).toEqual({ ...cfg, vocabSize: 257, padId: 256, ngram: 0 });
      const shapes = [...tok.namedParameters()].map(([n, v]) => `${n}:${v.shape.join('x')}`);
      expect(shapes).toEqual(['embedding:257x4', `positionalEmbedding:${l / g}x8`, `projection.weight:${4 * g}x8`, 'projection.bias:8']);
      tf.dispose([x, y]);
      tok.dispose();
    });
  }

  it('token j is Linear(concat of the embeddings of bytes jg…jg+g−1) + position j; all-padding groups are zero', () => {
    const tok = new ByteTokenizer({ maxLength: 8, tokenDim: 5, embedDim: 3, groupSize: 2 }, new Rng(2));
    // Row 0: bytes then one half-padded group and one fully padded group; row 1: no padding.
    const x = tf.tensor2d(
      [
        [65, 66, 67, 68, 69, 256, 256, 256],
        [1, 2, 3, 4, 5, 6, 7, 8],
      ],
      [2, 8],
      'int32',
    );
    const err = tf.tidy(() => {
      const y = tok.forward(x);
      const grouped = tf.gather(tok.embedding, x).reshape([2, 4, 6]);
      const want = tok.projection!.forward(grouped).add(tok.positionalEmbedding);
      const mask = tf.tensor3d([
        [[1], [1], [1], [0]],
        [[1], [1], [1], [1]],
      ]);
      return tf.max(tf.abs(y.sub(want.mul(mask)))).dataSync()[0]!;
    });
    expect(err).toBeLessThan(1e-6);
    const last = tf.tidy(() => tok.forward(x).slice([0, 3, 0], [1, 1, 5]).abs().max().dataSync()[0]);
    expect(last).toBe(0);
    x.dispose();
    tok.dispose();
  });
});

describe('ByteTokenizer with byte n-grams', () => {
  beforeAll(() => useBackend('wasm'));

  it('token j is the max over its g positions of GELU(Linear(window of k embeddings)) + position j', () => {
    const [l, g, k, e, d] = [8, 4, 3, 2, 5];
    const tok = new ByteTokenizer({ maxLength: l, tokenDim: d, embedDim: e, groupSize: g, ngram: k }, new Rng(3));
    expect([...tok.namedParameters()].map(([n, v]) => `${n}:${v.shape.join('x')}`)).toEqual([
      'embedding:257x2',
      'positionalEmbedding:2x5',
      'ngramProjection.weight:6x5',
      'ngramProjection.bias:5',
    ]);
    const rows = [
      [72, 105, 33, 10, 72, 105, 256, 256],
      [0, 1, 2, 3, 4, 5, 6, 7],
    ];
    const x = tf.tensor2d(rows, [2, l], 'int32');
    const table = tok.embedding.arraySync() as number[][];
    // Windows built by hand: bytes i … i+k−1, zero vectors past the end.
    const windows = rows.map((row) =>
      row.map((_, i) => Array.from({ length: k }, (_, j) => (i + j < l ? table[row[i + j]!]! : [0, 0])).flat()),
    );
    const features = tf.tidy(() => gelu(tok.ngramProjection!.forward(tf.tensor3d(windows))).arraySync() as number[][][]);
    const pos = tok.positionalEmbedding.arraySync() as number[][];
    const want = features.map((f) =>
      [0, 1].map((t) => Array.from({ length: d }, (_, c) => Math.max(...f.slice(t * g, t * g + g).map((v) => v[c]!)) + pos[t]![c]!)),
    );
    const got = tf.tidy(() => tok.forward(x).arraySync() as number[][][]);
    expect(relError(got.flat(2), want.flat(2))).toBeLessThan(1e-6);
    x.dispose();
    tok.dispose();
  });

  it('a word shifted inside its group gives the same token (grouping by concatenation does not)', () => {
    // With k = 2, group 0 of both rows holds the windows {xa, ab, bx, xx}: "ab" moved by one byte.
    const x = tf.tensor2d(
      [
        [120, 97, 98, 120, 120, 120, 120, 120],
        [120, 120, 97, 98, 120, 120, 120, 120],
      ],
      [2, 8],
      'int32',
    );
    const token0 = (ngram: number): number[][] =>
      tf.tidy(() => {
        const tok = new ByteTokenizer({ maxLength: 8, tokenDim: 4, embedDim: 3, groupSize: 4, ngram }, new Rng(5));
        const y = tok.forward(x).slice([0, 0, 0], [2, 1, 4]).reshape([2, 4]).arraySync() as number[][];
        tok.dispose();
        return y;
      });
    const [n0, n1] = token0(2);
    expect(n1).toEqual(n0);
    const [c0, c1] = token0(0);
    expect(relError(c1!, c0!)).toBeGreaterThan(1e-3);
    x.dispose();
  });

  it('rejects a negative ngram, naming the field', () => {
    expect(() => new ByteTokenizer({ maxLength: 8, tokenDim: 4, ngram: -1 }, new Rng(0))).toThrow(/ngram/);
  });
});

describe('sequence tokenizers train on wasm', () => {
  beforeAll(() => useBackend('wasm'));

  for (const [name, build, vocab] of builders) {
    it(`${name}: gradients of every parameter match finite differences`, () => {
      const tok = build(new Rng(4));
      const x = ids(3, 6, vocab, 5, 2, vocab - 1);
      const r = randomProjection([3, tok.numTokens, tok.tokenDim], 6);
      const f = (): tf.Scalar => tf.tidy(() => tf.sum(tok.forward(x).mul(r)) as tf.Scalar);
      const res = gradCheck(f, tok.trainableParameters(), { samples: 10 });
      expect(res.maxRelError).toBeLessThan(2e-2);
      tf.dispose([x, r]);
      tok.dispose();
    });

    it(`${name}: the gradient through the embedding lookup on wasm equals the cpu backend's`, async () => {
      const run = (): tf.Tensor[] => {
        const tok = build(new Rng(7));
        const x = ids(4, 6, vocab, 8, 1, vocab - 1);
        const r = randomProjection([4, tok.numTokens, tok.tokenDim], 9);
        const { value, grads } = tf.variableGrads(() => tf.sum(tok.forward(x).mul(r).square()) as tf.Scalar, tok.trainableParameters());
        const out = [value, ...tok.trainableParameters().map((v) => grads[v.name]!)];
        tok.dispose();
        return out;
      };
      const wasm = await onBackend('wasm', run);
      const cpu = await onBackend('cpu', run);
      expect(wasm).toHaveLength(cpu.length);
      wasm.forEach((w, i) => expect(relError(w, cpu[i]!)).toBeLessThan(1e-5));
      expect(wasm[1]!.some((v) => v !== 0)).toBe(true); // the embedding gradient is not empty
    });
  }
});
