/**
 * The 128-bit WebAssembly SIMD module (wasm/src, committed as src/engine/kernels/simd-wasm-binary.ts):
 * the committed binary is current with its C sources, holds no data and imports its memory, loads on
 * tfjs-backend-wasm's heap, its GEMM matches a hand computation in place on that heap, and its own
 * transcendental functions (wasm/src/unary.c) are accurate to a few ulp against float64 references.
 * The kernels built on it are tested with the native add-on's in ./matmul.test.ts, ./sum.test.ts,
 * ./binary-native.test.ts, ./unary-native.test.ts and ./layer-norm-native.test.ts; its fused eval kernels
 * in ./fused-eval.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { sourcesHash } from '../../wasm/build.mjs';
import { initBackend } from '../../src/engine/backend.js';
import { loadSimdKernels, type SimdKernels } from '../../src/engine/kernels/simd-module.js';
import { SIMD_WASM_BASE64, SIMD_WASM_SOURCES_SHA256 } from '../../src/engine/kernels/simd-wasm-binary.js';
import { quietTfjs, randomData } from './helpers.js';

/** The distance between |v| rounded to float32 and the next float32 up. */
function ulp(v: number): number {
  const f = Math.fround(Math.abs(v));
  const bits = new Float32Array([f]);
  new Int32Array(bits.buffer)[0]! += 1;
  return (bits[0] as number) - f;
}

/** erf in float64: its Taylor series below 3, a continued fraction for erfc above. */
function erf64(x: number): number {
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    let sum = 0;
    let term = a;
    for (let k = 0; k < 200 && Math.abs(term) > 1e-18; k++) {
      sum += term / (2 * k + 1);
      term *= (-a * a) / (k + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let k = 60; k >= 1; k--) f = k / 2 / (a + f);
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
  }
  return Math.sign(x) * r;
}

quietTfjs();

describe('the committed SIMD module', () => {
  it('was built from the current wasm/src sources (else run node wasm/build.mjs)', () => {
    expect(SIMD_WASM_SOURCES_SHA256).toBe((sourcesHash as () => string)());
  });

  it('imports its memory, defines none and has no data to write into the tfjs heap', () => {
    const module = new WebAssembly.Module(Buffer.from(SIMD_WASM_BASE64, 'base64'));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).map((e) => e.name)).toContain('gemm_batched');
    expect(WebAssembly.Module.exports(module).some((e) => e.kind === 'memory')).toBe(false);
  });
});

describe('loadSimdKernels', () => {
  let simd: SimdKernels;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const status = await loadSimdKernels(tf.findBackend('wasm')!);
    expect(status.kernels, status.detail).not.toBeNull();
    simd = status.kernels!;
  });

  it('reports why when the backend is not tfjs-backend-wasm', async () => {
    const status = await loadSimdKernels({});
    expect(status.kernels).toBeNull();
    expect(status.detail).toMatch(/not a tfjs-backend-wasm backend/);
  });

  it('loads once per backend', async () => {
    expect((await loadSimdKernels(tf.findBackend('wasm')!)).kernels).toBe(simd);
  });

  it('multiplies in place on the tfjs heap: two products, B transposed and shared, A stacked', () => {
    const wasm = (tf.findBackend('wasm') as unknown as { wasm: { HEAPF32: Float32Array } }).wasm;
    // A[0] = [[1, 2, 3], [4, 5, 6]], A[1] = [[-1, 0, 2], [0.5, 1, 1]]; Bᵀ stored 2×3: [[1, 0, -1], [2, 1, 0]].
    const a = simd.malloc(12 * 4);
    const b = simd.malloc(6 * 4);
    const c = simd.malloc(8 * 4);
    const scratch = simd.malloc(4 * simd.gemmScratchFloats(2, 3));
    expect(simd.gemmScratchFloats(2, 3)).toBe(36); // one 8-column B panel and a 4-row A strip, 3 deep
    expect(simd.gemmScratchFloats(9, 1000)).toBe(20 * 128); // two B panels and an A strip, one 128-deep block
    try {
      const heap = (): Float32Array => wasm.HEAPF32;
      heap().set([1, 2, 3, 4, 5, 6, -1, 0, 2, 0.5, 1, 1], a / 4);
      heap().set([1, 0, -1, 2, 1, 0], b / 4);
      heap().fill(Number.NaN, c / 4, c / 4 + 8);
      simd.gemmBatched(a, b, c, scratch, 2, 2, 2, 3, 0, 1, 6, 0);
      // C[0] = [[1-3, 2+2], [4-6, 8+5]], C[1] = [[-1-2, -2], [0.5-1, 1+1]]
      expect(Array.from(heap().subarray(c / 4, c / 4 + 8))).toEqual([-2, 4, -2, 13, -3, -2, -0.5, 2]);
    } finally {
      for (const p of [a, b, c, scratch]) simd.free(p);
    }
  });

  it('computes exp, log, log1p, erf and softplus to a few ulp of float64 references', () => {
    const wasm = (tf.findBackend('wasm') as unknown as { wasm: { HEAPF32: Float32Array } }).wasm;
    const n = 20000;
    const u = randomData(n, 11); // uniform in [-1, 1)
    const softplus = (x: number): number => (x < -13.942385 ? Math.exp(x) : x > 13.942385 ? x : Math.log1p(Math.exp(x)));
    const cases: Array<[string, number, (x: number) => number, (v: number) => number, number, number]> = [
      // name, op, reference, input from u, max ulp, max absolute error
      ['exp', 0, Math.exp, (v) => v * 100, 1.5, Infinity],
      ['log', 1, Math.log, (v) => Math.exp(v * 90), 1.5, Infinity],
      ['log1p', 2, Math.log1p, (v) => (v > 0 ? Math.exp(v * 40) - 0.999 : v * 1e-3), 3, Infinity],
      ['erf', 3, erf64, (v) => v * 5, Infinity, 2e-7],
      ['softplus', 4, softplus, (v) => v * 30, 3, Infinity],
    ];
    const x = simd.malloc(4 * n);
    const y = simd.malloc(4 * n);
    try {
      for (const [name, op, ref, input, maxUlp, maxAbs] of cases) {
        const xs = Float32Array.from(u, input);
        wasm.HEAPF32.set(xs, x / 4);
        simd.heap.unary(new ArrayBuffer(0), op, x, y, n);
        const ys = wasm.HEAPF32.subarray(y / 4, y / 4 + n);
        let worstUlp = 0;
        let worstAbs = 0;
        for (let i = 0; i < n; i++) {
          const want = ref(xs[i]!);
          if (!Number.isFinite(Math.fround(want)) || Math.abs(want) < 1e-37) continue;
          worstUlp = Math.max(worstUlp, Math.abs(ys[i]! - want) / ulp(want));
          worstAbs = Math.max(worstAbs, Math.abs(ys[i]! - want));
        }
        expect(worstUlp, `${name}: ulp`).toBeLessThanOrEqual(maxUlp);
        expect(worstAbs, `${name}: absolute error`).toBeLessThanOrEqual(maxAbs);
      }
    } finally {
      simd.free(x);
      simd.free(y);
    }
  });

  it('computes GELU and its gradient within 1.5e-6 of float64 (its rational erf: wasm/fit-erf.py)', () => {
    const wasm = (tf.findBackend('wasm') as unknown as { wasm: { HEAPF32: Float32Array } }).wasm;
    const n = 40001;
    const xs = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / (n - 1));
    const [x, dy, y] = [simd.malloc(4 * n), simd.malloc(4 * n), simd.malloc(4 * n)];
    try {
      wasm.HEAPF32.set(xs, x / 4);
      wasm.HEAPF32.fill(1, dy / 4, dy / 4 + n);
      const refs: Array<(v: number) => number> = [
        (v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)),
        (v) => 0.5 * (1 + erf64(v / Math.SQRT2)) + (v * Math.exp((-v * v) / 2)) / Math.sqrt(2 * Math.PI),
      ];
      for (const mode of [0, 1] as const) {
        simd.heap.gelu(new ArrayBuffer(0), mode, x, dy, y, n);
        const ys = wasm.HEAPF32.subarray(y / 4, y / 4 + n);
        let worstAbs = 0;
        let worstRel = 0;
        for (let i = 0; i < n; i++) {
          const want = refs[mode]!(xs[i]!);
          const err = Math.abs(ys[i]! - want);
          worstAbs = Math.max(worstAbs, err);
          if (Math.abs(want) > 0.1) worstRel = Math.max(worstRel, err / Math.abs(want));
        }
        expect(worstAbs, `mode ${mode}: absolute`).toBeLessThan(1.5e-6);
        expect(worstRel, `mode ${mode}: relative where |y| > 0.1`).toBeLessThan(1.5e-6);
      }
    } finally {
      for (const p of [x, dy, y]) simd.free(p);
    }
  });
});
