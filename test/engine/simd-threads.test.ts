/**
 * The SIMD kernels split over worker threads (src/engine/kernels/simd-threads.ts, simd-pool.ts): every
 * split kernel gives the same floats as the single-threaded one (bit for bit) on shapes that split, by
 * batch entries and by rows (A stored plainly and transposed, B both ways), with the modulation, bias,
 * gain and residual of the fused linear maps, GEGLU, parts and attention with a per-example bias; how
 * work is divided; a failing worker's error reaches the caller; `initBackend({ threads })` reports the
 * threads and a NAC's logits and gradients do not change with them.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { loadSimdKernels, type SimdKernels } from '../../src/engine/kernels/simd-module.js';
import { splitRanges, threadedSimdKernels } from '../../src/engine/kernels/simd-threads.js';
import { PoolJob, SimdPool } from '../../src/engine/kernels/simd-pool.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { randomData } from './helpers.js';

let one: SimdKernels;
let two: SimdKernels;
let three: SimdKernels;
const held: number[] = [];

beforeAll(async () => {
  await initBackend({ backend: 'wasm', native: false, threads: 1, quiet: true });
  const status = await loadSimdKernels(tf.findBackend('wasm') as object);
  if (status.kernels == null) throw new Error(status.detail);
  one = status.kernels;
  // Small parts, so that small test shapes split (the default leaves calls under MIN_PART_MACS whole).
  const pools = await Promise.all([SimdPool.create(one.bytes, 1), SimdPool.create(one.bytes, 2)]);
  for (const p of pools) if (typeof p === 'string') throw new Error(p);
  two = threadedSimdKernels(one, pools[0] as SimdPool, 1000);
  three = threadedSimdKernels(one, pools[1] as SimdPool, 1000);
});

afterAll(() => held.splice(0).forEach((p) => one.free(p)));

/** A heap array of `n` floats filled with seeded values; returns its byte offset. */
function heapArray(n: number, seed: number): number {
  const p = one.malloc(4 * Math.max(4, n));
  held.push(p);
  new Float32Array(one.memory.buffer, p, n).set(randomData(n, seed));
  return p;
}

/** Runs `call` with one, two and three threads on fresh outputs of `n` floats; expects the same floats, and that they changed. */
function sameOnThreads(n: number, call: (k: SimdKernels, out: number) => void, splits = true): void {
  const results = [one, two, three].map((k, i) => {
    const out = heapArray(n, 99);
    const jobs = SimdPool.jobsPosted;
    call(k, out);
    expect(SimdPool.jobsPosted - jobs).toBe(splits ? i : 0);
    return Array.from(new Float32Array(one.memory.buffer, out, n));
  });
  expect(results[0]!.some((v, i) => v !== randomData(n, 99)[i])).toBe(true);
  expect(results[1]).toEqual(results[0]);
  expect(results[2]).toEqual(results[0]);
}

describe('splitRanges', () => {
  it('splits into whole units, nearly equal, the calling thread first', () => {
    expect(splitRanges(2048, 2, 64)).toEqual([
      [0, 1024],
      [1024, 2048],
    ]);
    expect(splitRanges(10, 3, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(splitRanges(5, 4, 1)).toEqual([
      [0, 1],
      [1, 3],
      [3, 4],
      [4, 5],
    ]);
  });

  it('gives each part at least minUnits units, else fewer parts', () => {
    expect(splitRanges(100, 2, 1, 60)).toEqual([[0, 100]]);
    expect(splitRanges(100, 4, 1, 30)).toEqual([
      [0, 33],
      [33, 67],
      [67, 100],
    ]);
  });
});

describe('threaded SIMD kernels: the same floats as one thread', () => {
  const scratch = (k: number, n: number): number => heapArray(one.gemmScratchFloats(n, k) + 64 * n, 0);

  for (const [ta, tb] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ] as const) {
    it(`one product split by rows, transA ${ta} transB ${tb}`, () => {
      const [m, n, k] = [198, 72, 150];
      const a = heapArray(m * k, 1);
      const b = heapArray(k * n, 2);
      const s = scratch(k, n);
      sameOnThreads(m * n, (K, c) => K.gemmBatched(a, b, c, s, 1, m, n, k, ta, tb, 0, 0));
    });
  }

  it('batched products split by entries, with and without a shared B', () => {
    const [batch, m, n, k] = [7, 40, 36, 60];
    const a = heapArray(batch * m * k, 3);
    const b = heapArray(batch * k * n, 4);
    const s = scratch(k, n);
    sameOnThreads(batch * m * n, (K, c) => K.gemmBatched(a, b, c, s, batch, m, n, k, 0, 1, m * k, k * n));
    sameOnThreads(batch * m * n, (K, c) => K.gemmBatched(a, b, c, s, batch, m, n, k, 1, 0, m * k, 0));
  });

  it('the fused linear map with modulation, bias, gain and residual, split by whole periods', () => {
    const [period, m, n, k] = [12, 12 * 30, 64, 96];
    const [x, scale, w, bias, gain, res] = [m * k, period * k, k * n, n, n, m * n].map((len, i) => heapArray(len, 10 + i));
    const s = scratch(k, n);
    sameOnThreads(m * n, (K, out) => K.gemmLinear(x!, scale!, period, w!, bias!, gain!, res!, out, s, m, n, k));
    sameOnThreads(m * n, (K, out) => K.gemmLinear(x!, 0, 0, w!, 0, 0, 0, out, s, m, n, k));
  });

  it('GEGLU of the fused linear map, split by blocks', () => {
    const [period, m, n2, k] = [8, 8 * 40, 96, 80];
    const [x, scale, w, bias] = [m * k, period * k, k * n2, n2].map((len, i) => heapArray(len, 20 + i));
    const s = heapArray(one.gemmScratchFloats(n2, k) + 16 * n2, 0);
    sameOnThreads((m * n2) / 2, (K, out) => K.gemmLinearGeglu(x!, scale!, period, w!, bias!, out, s, m, n2, k, 16));
  });

  it('the fused linear map on two parts of the senders, split by batch entries', () => {
    const [batch, rows, rows2, n, k] = [9, 5, 7, 48, 64];
    const u = rows + rows2;
    const [x, x2, scale, w, bias, gain, res] = [batch * rows * k, batch * rows2 * k, u * k, k * n, n, n, batch * u * n].map((len, i) =>
      heapArray(len, 30 + i),
    );
    const s = scratch(k, n);
    sameOnThreads(batch * u * n, (K, out) => K.gemmLinearParts(x!, x2!, rows, rows2, batch, scale!, w!, bias!, gain!, res!, out, s, n, k));
  });

  it('fused attention with a per-example and a shared bias, split by batch entries', () => {
    const [batch, nq, nk, heads, dh] = [10, 24, 30, 4, 16];
    const d = heads * dh;
    const [q, kk, v, bias] = [batch * nq * d, batch * nk * d, batch * nk * d, batch * nq * nk].map((len, i) => heapArray(len, 40 + i));
    const s = heapArray(one.attentionScratchFloats(nq, nk, heads, dh), 0);
    sameOnThreads(batch * nq * d, (K, out) => K.attention(q!, kk!, v!, bias!, nq * nk, out, s, batch, nq, nk, heads, dh, 0.25));
    sameOnThreads(batch * nq * d, (K, out) => K.attention(q!, kk!, v!, bias!, 0, out, s, batch, nq, nk, heads, dh, 0.25));
    // Masks that cut 3 pairs in 4 (the sparse paths: four entries per lane where the bias is shared, rows otherwise).
    const heap = new Float32Array(one.memory.buffer);
    for (let i = 0; i < batch * nq * nk; i++) if (i % 4 !== 0) heap[bias! / 4 + i] = -Infinity;
    sameOnThreads(batch * nq * d, (K, out) => K.attention(q!, kk!, v!, bias!, nq * nk, out, s, batch, nq, nk, heads, dh, 0.25));
    sameOnThreads(batch * nq * d, (K, out) => K.attention(q!, kk!, v!, bias!, 0, out, s, batch, nq, nk, heads, dh, 0.25));
  });

  it('leaves calls under the least part on the calling thread', () => {
    const [m, n, k] = [4, 8, 8];
    const a = heapArray(m * k, 5);
    const b = heapArray(k * n, 6);
    const s = scratch(k, n);
    sameOnThreads(m * n, (K, c) => K.gemmBatched(a, b, c, s, 1, m, n, k, 0, 0, 0, 0), false);
  });
});

describe('the worker pool', () => {
  it("rethrows a worker's failure and keeps working afterwards", async () => {
    const pool = await SimdPool.create(one.bytes, 1);
    if (typeof pool === 'string') throw new Error(pool);
    const bad = new PoolJob();
    const out = bad.output(heapArray(4, 0), 4);
    // A pointer far past the worker's memory: the kernel traps.
    bad.call('gemm_strided', [0x7ff00000, 1, 1, 0x7ff00000, 1, 0, out, 1, 1, 1, 1, 64]);
    expect(() => pool.run(one.memory, [bad], () => undefined)).toThrow(/a SIMD worker thread failed: .*RuntimeError/);
    const good = new PoolJob();
    const a = good.input(heapArray(4, 7), 4);
    const target = heapArray(1, 0);
    const c = good.output(target, 1);
    good.call('gemm_strided', [a, 4, 1, a, 1, 0, c, 1, 1, 1, 4, good.scratch(one.gemmScratchFloats(1, 4))]);
    pool.run(one.memory, [good], () => undefined);
    const v = randomData(4, 7);
    const expected = Math.fround(
      Math.fround(Math.fround(Math.fround(v[0]! * v[0]!) + Math.fround(v[1]! * v[1]!)) + Math.fround(v[2]! * v[2]!)) +
        Math.fround(v[3]! * v[3]!),
    );
    expect(new Float32Array(one.memory.buffer, target, 1)[0]).toBeCloseTo(expected, 5);
    // This thread's part failing: the worker's part is still waited for (and written), the error rethrown.
    new Float32Array(one.memory.buffer, target, 1)[0] = 0;
    expect(() =>
      pool.run(one.memory, [good], () => {
        throw new Error('own part failed');
      }),
    ).toThrow('own part failed');
    expect(new Float32Array(one.memory.buffer, target, 1)[0]).toBeCloseTo(expected, 5);
    pool.run(one.memory, [bad.call('gemm_strided', [64, 1, 1, 64, 1, 0, out, 1, 1, 1, 1, 128])], () => undefined);
  });
});

describe('initBackend({ threads })', () => {
  it('reports the threads and leaves a NAC unchanged, forward and gradients', async () => {
    await initBackend({ backend: 'wasm', native: false, threads: 1, quiet: true });
    // Batch 256: the tiny model's products only split when large enough (MIN_PART_MACS).
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 5 });
    const x = tf.tensor(randomData(256 * 8 * 8, 8), [256, 8, 8, 1]);
    const run = (): { logits: Float32Array; grads: Float32Array[] } => {
      model.eval();
      const logits = tf.tidy(() => model.forward(x).dataSync() as Float32Array);
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => model.forward(x).square().mean()) as tf.Scalar);
      const g = Object.keys(grads)
        .sort()
        .map((name) => grads[name]!.dataSync() as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
      return { logits, grads: g };
    };
    const single = run();
    const report = await initBackend({ backend: 'wasm', native: false, threads: 2, quiet: true });
    expect(report.matMul?.detail).toMatch(/2 threads/);
    const before = tf.memory().numTensors;
    const jobs = SimdPool.jobsPosted;
    const threaded = run();
    expect(SimdPool.jobsPosted - jobs).toBeGreaterThan(10);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(threaded.logits)).toEqual(Array.from(single.logits));
    threaded.grads.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(single.grads[i]!)));
    await initBackend({ backend: 'wasm', native: false, threads: 1, quiet: true });
    x.dispose();
    model.dispose();
  });

  it('takes the count from NAC_THREADS when given none, and names the variable when it is wrong', async () => {
    try {
      process.env.NAC_THREADS = 'two';
      await expect(initBackend({ backend: 'wasm', native: false, quiet: true })).rejects.toThrow(
        /NAC_THREADS must be a positive integer, got 'two'/,
      );
      process.env.NAC_THREADS = '2';
      expect((await initBackend({ backend: 'wasm', native: false, quiet: true })).matMul?.detail).toMatch(/2 threads/);
    } finally {
      delete process.env.NAC_THREADS;
      await initBackend({ backend: 'wasm', native: false, threads: 1, quiet: true });
    }
  });
});
