/**
 * The native OpenBLAS add-on: loading and its report, the raw sgemmBatched call (results, strides,
 * alpha/beta, bounds and argument checks, thread setting) and initBackend's `native` option. Its BatchMatMul kernel is checked against the
 * cpu backend in matmul.test.ts. Without the add-on these tests are skipped (the suite name says
 * why), unless NAC_REQUIRE_NATIVE=1, which turns its absence into a failure.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { wasmMatMulMode } from '../../src/engine/kernels/matmul.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { quietTfjs, randomData } from './helpers.js';

quietTfjs();
const status = await loadNativeBlas();
const blas = status.blas;
const required = process.env.NAC_REQUIRE_NATIVE === '1';

afterAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** C = op(A)·op(B) for row-major data, in float64. */
function naive(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

describe('native add-on availability', () => {
  it(`is loaded, or its absence is explained${required ? ' (NAC_REQUIRE_NATIVE=1: required)' : ''}`, () => {
    if (required) expect(blas, `NAC_REQUIRE_NATIVE=1 but ${status.detail}`).not.toBeNull();
    if (blas == null) expect(status.detail).toMatch(/native BLAS add-on (not built|disabled|failed to load)/);
    else expect(status.detail).toMatch(/^native OpenBLAS \S+ \(\w+( via OPENBLAS_CORETYPE)?, \d+ threads?\)$/);
  });

  it('initBackend({ native: true }) throws when the add-on is disabled, changing nothing', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const before = wasmMatMulMode();
    const saved = process.env.NAC_NATIVE;
    process.env.NAC_NATIVE = '0';
    vi.resetModules();
    try {
      const fresh = await import('../../src/engine/backend.js');
      const err = await fresh.initBackend({ backend: 'wasm', native: true, quiet: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect((err as Error).name).toBe('BackendUnavailableError');
      expect((err as Error).message).toMatch(/native: true.*disabled by NAC_NATIVE=0/);
      expect(wasmMatMulMode()).toBe(before);
      expect(tf.getBackend()).toBe('wasm');
      const off = await fresh.initBackend({ backend: 'wasm', quiet: true });
      expect(off.matMul).toEqual({ impl: 'simd', detail: expect.stringMatching(/^plain wasm .*disabled by NAC_NATIVE=0$/) });
    } finally {
      if (saved == null) delete process.env.NAC_NATIVE;
      else process.env.NAC_NATIVE = saved;
      vi.resetModules();
    }
    await initBackend({ backend: 'wasm', quiet: true, native: false });
    await initBackend({ backend: 'wasm', quiet: true });
    expect(wasmMatMulMode()).toBe(before);
  });

  it('initBackend({ native: false }) uses plain wasm with the SIMD GEMM and says so', async () => {
    const r = await initBackend({ backend: 'wasm', native: false, quiet: true });
    expect(r.matMul).toEqual({
      impl: 'simd',
      detail: 'plain wasm (128-bit SIMD kernels (wasm/src)); native add-on off (native: false)',
    });
    expect(wasmMatMulMode()).toBe('simd');
    await expect(initBackend({ native: 'yes' as never })).rejects.toThrow(RangeError);
  });
});

describe.skipIf(blas == null)(`native add-on${blas == null ? ` (skipped: ${status.detail})` : ''}`, () => {
  const lib = blas!;

  it("initBackend's default ('auto') and native: true use it and report it", async () => {
    for (const native of ['auto', true] as const) {
      const r = await initBackend({ backend: 'wasm', native, quiet: true });
      expect(r.matMul).toEqual({ impl: 'native', detail: status.detail });
      expect(wasmMatMulMode()).toBe('native');
      // With the add-on, of the SIMD module's fused eval kernels only attention runs (its sparse paths pay there).
      expect(tf.getKernel('NacAttention', 'wasm')).toBeDefined();
      expect(tf.getKernel('NacLinear', 'wasm')).toBeUndefined();
    }
    expect(lib.info().config).toMatch(/OpenBLAS/);
  });

  it('sgemmBatched computes every transpose combination with strides and broadcast operands', () => {
    const [m, n, k, batch] = [5, 3, 4, 3];
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        for (const [sa, sb] of [
          [m * k, k * n],
          [0, k * n],
          [m * k, 0],
        ] as const) {
          const a = randomData(batch * m * k, 1);
          const b = randomData(batch * k * n, 2);
          const heap = new ArrayBuffer(4 * (a.length + b.length + batch * m * n) + 8);
          const f = new Float32Array(heap, 8);
          f.set(a, 0);
          f.set(b, a.length);
          const cOff = 8 + 4 * (a.length + b.length);
          lib.sgemmBatched(heap, 8, 8 + 4 * a.length, cOff, batch, m, n, k, ta, tb, sa, sb, 1, 0);
          const c = new Float32Array(heap, cOff, batch * m * n);
          for (let i = 0; i < batch; i++) {
            const want = naive(a.subarray(i * sa, i * sa + m * k), b.subarray(i * sb, i * sb + k * n), m, n, k, ta, tb);
            const got = c.subarray(i * m * n, (i + 1) * m * n);
            want.forEach((w, j) => expect(Math.abs(got[j]! - w), `ta=${ta} tb=${tb} strides ${sa},${sb}`).toBeLessThan(1e-5));
          }
        }
      }
    }
  });

  it('honours alpha and beta, and k = 0', () => {
    const heap = new ArrayBuffer(4 * 12);
    const f = new Float32Array(heap);
    f.set([1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30, 40]); // A 2×2, B 2×2, C 2×2
    lib.sgemmBatched(heap, 0, 16, 32, 1, 2, 2, 2, false, false, 0, 0, 2, 0.5);
    expect(Array.from(f.subarray(8))).toEqual([2 * 19 + 5, 2 * 22 + 10, 2 * 43 + 15, 2 * 50 + 20]);
    lib.sgemmBatched(heap, 0, 16, 32, 1, 2, 2, 0, false, false, 0, 0, 1, 0);
    expect(Array.from(f.subarray(8))).toEqual([0, 0, 0, 0]);
  });

  it('refuses operands outside the heap, misaligned offsets and bad arguments', () => {
    const heap = new ArrayBuffer(64);
    expect(() => lib.sgemmBatched(heap, 0, 0, 48, 1, 2, 2, 2, false, false, 0, 0, 1, 0)).not.toThrow();
    expect(() => lib.sgemmBatched(heap, 0, 0, 52, 1, 2, 2, 2, false, false, 0, 0, 1, 0)).toThrow(/out of the heap's bounds/);
    expect(() => lib.sgemmBatched(heap, 0, 0, 0, 2, 2, 2, 2, false, false, 16, 0, 1, 0)).toThrow(/bounds/);
    expect(() => lib.sgemmBatched(heap, 2, 0, 0, 1, 2, 2, 2, false, false, 0, 0, 1, 0)).toThrow(/aligned/);
    expect(() => lib.sgemmBatched(heap, -4, 0, 0, 1, 2, 2, 2, false, false, 0, 0, 1, 0)).toThrow(/non-negative integers/);
    expect(() => lib.sgemmBatched(new Float32Array(4) as never, 0, 0, 0, 1, 1, 1, 1, false, false, 0, 0, 1, 0)).toThrow(/ArrayBuffer/);
    expect(() => (lib.sgemmBatched as (...a: unknown[]) => void)(heap, 0)).toThrow(/14 arguments/);
  });

  it('setNumThreads changes the thread count and validates its argument', () => {
    const n = lib.info().threads;
    lib.setNumThreads(1);
    expect(lib.info().threads).toBe(1);
    lib.setNumThreads(n);
    expect(lib.info().threads).toBe(n);
    expect(() => lib.setNumThreads(0)).toThrow(/positive integer/);
  });

  it('its kernel writes to the live wasm heap when allocating the output grows it', async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    const before = heap.buffer.byteLength;
    const rows = Math.ceil(before / 4 / 1024) + 1024; // output alone is larger than the current heap
    const a = tf.fill([rows, 1], 2);
    const b = tf.range(0, 1024).reshape([1, 1024]);
    const y = tf.matMul(a, b);
    expect((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength).toBeGreaterThan(before);
    const last = tf.slice(y, [rows - 1, 0], [1, 1024]);
    expect(Array.from(last.dataSync())).toEqual(Array.from({ length: 1024 }, (_, j) => 2 * j));
    tf.dispose([a, b, y, last]);
  });
});
