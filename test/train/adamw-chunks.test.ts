// AdamW in chunks: packing of parameters into chunks, bounded temporaries of the flat updates on a large
// synthetic parameter set (the regression that crashed the paper-size NAC on wasm), identical results
// with and without chunks, and no leaked moment tensors.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW, type AdamWImpl } from '../../src/train/adamw.js';
import { planChunks, type Slot } from '../../src/train/adamw-chunks.js';
import { Rng } from '../../src/util/rng.js';

const slot = (name: string, size: number): Slot => ({
  name,
  variable: null as unknown as tf.Variable,
  shape: [size],
  size,
  offset: -1,
  t: 0,
});

/** 64 parameters of 4096 scalars (262,144 in all), seeded values and gradients. */
function syntheticSet(seed: number): { params: Map<string, tf.Variable>; grads: Map<string, tf.Tensor> } {
  const rng = new Rng(seed);
  const params = new Map<string, tf.Variable>();
  const grads = new Map<string, tf.Tensor>();
  for (let i = 0; i < 64; i++) {
    const shape = i % 2 ? [64, 64] : [4096];
    params.set(`layer${i}.${i % 2 ? 'weight' : 'bias'}`, tf.variable(tf.tensor(rng.normalArray(4096, 1), shape)));
    grads.set(`layer${i}.${i % 2 ? 'weight' : 'bias'}`, tf.tensor(rng.normalArray(4096, 0.1), shape));
  }
  return { params, grads };
}

/** Bytes that one step holds at its peak beyond what was allocated before it (tf.profile). */
async function stepPeakBytes(opt: AdamW, grads: Map<string, tf.Tensor>, lr: number): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => opt.step(grads, lr, 0.5));
  return info.peakBytes - before;
}

describe('planChunks', () => {
  it('packs parameters in order into runs of at most chunkSize scalars; a larger one gets its own chunk', () => {
    const slots = [slot('a', 3), slot('b', 5), slot('c', 2), slot('d', 10), slot('e', 1), slot('f', 1)];
    const chunks = planChunks(true, slots, 8);
    expect(chunks.map((c) => c.slots.map((s) => s.name))).toEqual([['a', 'b'], ['c'], ['d'], ['e', 'f']]);
    expect(chunks.map((c) => c.size)).toEqual([8, 2, 10, 2]);
    expect(slots.map((s) => s.offset)).toEqual([0, 3, 0, 0, 0, 1]);
    expect(chunks.every((c) => c.decay)).toBe(true);
    expect(planChunks(false, [], 8)).toEqual([]);
  });

  it('rejects a bad chunkSize naming the option', () => {
    const ps = new Map([['w', tf.variable(tf.ones([2]))]]);
    expect(() => new AdamW(ps, { lr: 0.1, chunkSize: 0 })).toThrow(/chunkSize must be an integer ≥ 1, got 0/);
    expect(() => new AdamW(ps, { lr: 0.1, chunkSize: 1.5 })).toThrow(/chunkSize/);
    ps.forEach((v) => v.dispose());
  });
});

describe.each(['flat', 'flat-read'] as AdamWImpl[])('AdamW in chunks (%s)', (impl) => {
  it('bounds the temporaries of a step by the chunk, not the model, with identical results', async () => {
    const total = 64 * 4096;
    const chunkSize = 8192; // two parameters per chunk
    const a = syntheticSet(1);
    const b = syntheticSet(1);
    const chunked = new AdamW(a.params, { lr: 1e-2, impl, chunkSize });
    const whole = new AdamW(b.params, { lr: 1e-2, impl, chunkSize: total });
    // Second step: step counts and moments are non-trivial; the first one warms the kernels.
    chunked.step(a.grads, 1e-2, 0.5);
    whole.step(b.grads, 1e-2, 0.5);
    const peakChunked = await stepPeakBytes(chunked, a.grads, 2e-2);
    const peakWhole = await stepPeakBytes(whole, b.grads, 2e-2);
    // ~20 float32 vectors (tf.memory counts views too) of one chunk: 32 KiB each; unchunked, of one
    // decay group (half of the 1 MiB parameter vector).
    expect(peakChunked).toBeLessThanOrEqual(24 * chunkSize * 4);
    expect(peakWhole).toBeGreaterThan(16 * (total / 2) * 4);
    for (const [k, v] of a.params) expect(Array.from(v.dataSync())).toEqual(Array.from((b.params.get(k) as tf.Variable).dataSync()));
    const sa = chunked.getState();
    const sb = whole.getState();
    expect(sa.paramSteps).toEqual(sb.paramSteps);
    for (const [k, t] of sa.tensors) expect(Array.from(t.data)).toEqual(Array.from(sb.tensors.get(k)?.data ?? []));
    [chunked, whole].forEach((o) => o.dispose());
    for (const s of [a, b]) [s.params, s.grads].forEach((m) => m.forEach((t) => t.dispose()));
  });

  it("agrees with 'js' across chunks with a missing gradient and mixed step counts", () => {
    const a = syntheticSet(2);
    const b = syntheticSet(2);
    const flat = new AdamW(a.params, { lr: 1e-2, impl, chunkSize: 10_000 });
    const js = new AdamW(b.params, { lr: 1e-2, impl: 'js', chunkSize: 10_000 });
    const partial = new Map([...a.grads].filter(([k]) => !k.startsWith('layer7.')));
    for (const [g, lr] of [
      [a.grads, 1e-2],
      [partial, 2e-2],
      [a.grads, 5e-3],
    ] as const) {
      flat.step(g, lr);
      js.step(g, lr);
    }
    let worst = 0;
    for (const [k, v] of a.params) {
      const x = v.dataSync();
      const y = (b.params.get(k) as tf.Variable).dataSync();
      for (let i = 0; i < x.length; i++)
        worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)) / (Math.abs(y[i] as number) + 0.035));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(flat.getState().paramSteps?.['layer7.weight']).toBe(2);
    [flat, js].forEach((o) => o.dispose());
    for (const s of [a, b]) [s.params, s.grads].forEach((m) => m.forEach((t) => t.dispose()));
  });

  it('holds exactly two moment tensors per chunk and frees them all on dispose', () => {
    const { params, grads } = syntheticSet(3);
    const before = tf.memory().numTensors;
    const opt = new AdamW(params, { lr: 1e-3, impl, chunkSize: 4096 * 8 }); // 4 chunks per decay group
    const chunks = planChunks(
      true,
      [...params.keys()].filter((k) => k.endsWith('weight')).map((k) => slot(k, 4096)),
      4096 * 8,
    ).length;
    const noDecay = planChunks(
      false,
      [...params.keys()].filter((k) => k.endsWith('bias')).map((k) => slot(k, 4096)),
      4096 * 8,
    ).length;
    expect(tf.memory().numTensors - before).toBe(2 * (chunks + noDecay));
    opt.step(grads, 1e-3);
    expect(tf.memory().numTensors - before).toBe(2 * (chunks + noDecay));
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    [params, grads].forEach((m) => m.forEach((t) => t.dispose()));
  });
});
