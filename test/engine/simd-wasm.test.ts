/**
 * The 128-bit WebAssembly SIMD module (wasm/src, committed as src/engine/kernels/simd-wasm-binary.ts):
 * the committed binary is current with its C sources, holds no data and imports its memory, loads on
 * tfjs-backend-wasm's heap, and its GEMM matches a hand computation in place on that heap. The
 * BatchMatMul built on it is tested with the other modes in ./matmul.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { sourcesHash } from '../../wasm/build.mjs';
import { initBackend } from '../../src/engine/backend.js';
import { loadSimdKernels, type SimdKernels } from '../../src/engine/kernels/simd-module.js';
import { SIMD_WASM_BASE64, SIMD_WASM_SOURCES_SHA256 } from '../../src/engine/kernels/simd-wasm-binary.js';
import { quietTfjs } from './helpers.js';

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
    expect(simd.gemmScratchFloats(2, 3)).toBe(24); // one 8-column panel, 3 deep
    expect(simd.gemmScratchFloats(9, 1000)).toBe(16 * 128); // two panels, one 128-deep block
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
});
