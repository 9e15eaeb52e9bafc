// MultiHeadAttention against a direct per-head loop computation of softmax(q kᵀ/√d) v, and its layout conventions.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { MultiHeadAttention } from '../../src/baselines/attention.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from '../tokenizers/helpers.js';

type M = number[][];
const matmul = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const cols = (a: M, lo: number, hi: number): M => a.map((r) => r.slice(lo, hi));

describe('MultiHeadAttention', () => {
  beforeAll(() => useBackend('wasm'));

  it('matches a direct computation (heads take consecutive column blocks; kv = [keys | values])', () => {
    const [heads, dh, dq, dc, n, m] = [3, 2, 5, 4, 2, 3];
    const attn = new MultiHeadAttention({ queryDim: dq, contextDim: dc, heads, dimHead: dh }, new Rng(1));
    const x = tf.randomNormal([2, n, dq], 0, 1, 'float32', 1);
    const ctx = tf.randomNormal([2, m, dc], 0, 1, 'float32', 2);
    const ours = attn.forward(x, ctx).arraySync() as number[][][];
    const wq = attn.toQ.weight.arraySync() as M;
    const wkv = attn.toKV.weight.arraySync() as M;
    const wo = attn.toOut.weight.arraySync() as M;
    const bo = attn.toOut.bias!.arraySync() as number[];
    const inner = heads * dh;
    for (let b = 0; b < 2; b++) {
      const xb = (x.arraySync() as M[])[b]!;
      const cb = (ctx.arraySync() as M[])[b]!;
      const q = matmul(xb, wq);
      const kv = matmul(cb, wkv);
      const k = cols(kv, 0, inner);
      const v = cols(kv, inner, 2 * inner);
      const concat: M = Array.from({ length: n }, () => []);
      for (let h = 0; h < heads; h++) {
        const qh = cols(q, h * dh, (h + 1) * dh);
        const kh = cols(k, h * dh, (h + 1) * dh);
        const vh = cols(v, h * dh, (h + 1) * dh);
        for (let i = 0; i < n; i++) {
          const s = kh.map((kr) => kr.reduce((acc, kv_, j) => acc + kv_ * qh[i]![j]!, 0) / Math.sqrt(dh));
          const mx = Math.max(...s);
          const e = s.map((z) => Math.exp(z - mx));
          const z = e.reduce((a, c) => a + c, 0);
          const o = vh[0]!.map((_, j) => e.reduce((acc, w, r) => acc + (w / z) * vh[r]![j]!, 0));
          concat[i]!.push(...o);
        }
      }
      const want = matmul(concat, wo).map((r) => r.map((val, j) => val + bo[j]!));
      for (let i = 0; i < n; i++) for (let j = 0; j < dq; j++) expect(ours[b]![i]![j]!).toBeCloseTo(want[i]![j]!, 5);
    }
    const w = attn.attentionWeights(x, ctx);
    expect(w.shape).toEqual([2, heads, n, m]);
    expect(Array.from(w.sum(-1).dataSync()).every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
    tf.dispose([x, ctx, w]);
    attn.dispose();
  });

  it('has no q/kv bias and defaults the context to the queries (self-attention)', () => {
    const attn = new MultiHeadAttention({ queryDim: 6, heads: 2, dimHead: 4 }, new Rng(2));
    expect([...attn.namedParameters().keys()]).toEqual(['toQ.weight', 'toKV.weight', 'toOut.weight', 'toOut.bias']);
    expect(attn.toKV.weight.shape).toEqual([6, 16]);
    const x = tf.randomNormal([1, 5, 6], 0, 1, 'float32', 3);
    const a = attn.forward(x);
    const b = attn.forward(x, x);
    expect(tf.max(tf.abs(a.sub(b))).dataSync()[0]).toBe(0);
    tf.dispose([x, a, b]);
    attn.dispose();
  });
});
