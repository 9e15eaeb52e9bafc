/**
 * The SIMD module's batched GEMM (wasm/src/gemm.c, loaded by ./simd-module.ts) as a HeapGemm for the
 * plain-wasm BatchMatMul: every float32 product, transposed or stacked, runs in one 4×8-blocked
 * 128-bit SIMD kernel (about 45 GFLOP/s on one core of the reference machine, where tfjs-backend-wasm
 * multiplies at 25–35 GFLOP/s untransposed through XNNPACK and at 2–3 GFLOP/s in its scalar loop).
 */
import type { HeapGemm } from './matmul-native.js';
import type { SimdKernels } from './simd-module.js';

/** `simd`'s gemm_batched as a HeapGemm; it allocates its scratch on the tfjs heap for each call. */
export function simdGemm(simd: SimdKernels): HeapGemm {
  return (_heap, a, b, c, batch, m, n, k, ta, tb, sa, sb) => {
    const scratch = simd.malloc(Math.max(16, 4 * simd.gemmScratchFloats(n, k)));
    try {
      simd.gemmBatched(a, b, c, scratch, batch, m, n, k, ta ? 1 : 0, tb ? 1 : 0, sa, sb);
    } finally {
      simd.free(scratch);
    }
  };
}
