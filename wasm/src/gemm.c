/*
 * Single-precision matrix products in 128-bit WebAssembly SIMD (the core: gemm-core.h): 43-48 GFLOP/s on
 * one core of the idle reference machine (bench/matmul.mjs) before A was packed, 6-12 % more since
 * (bench/simd-gemm-ab.mjs), where tfjs-backend-wasm 4.22 multiplies transposed or stacked matrices in a
 * scalar loop at 2-3 GFLOP/s and single untransposed ones through XNNPACK at 25-35.
 *
 * The module imports tfjs-backend-wasm's linear memory: every pointer is a byte offset on the tfjs heap.
 * It owns no memory of its own (no data, no stack): the caller passes a scratch buffer for packing.
 *
 *   gemm_batched(a, b, c, scratch, batch, m, n, k, transA, transB, strideA, strideB)
 *     the plain-wasm BatchMatMul (src/engine/kernels/matmul-simd.ts): C[i] = op(A[i])·op(B[i]) for
 *     i < batch, C dense [batch, m, n]; op(A) is m×k (stored k×m when transA), op(B) is k×n (stored n×k
 *     when transB); strideA/strideB are elements between consecutive matrices (0: one matrix for all).
 *
 *   gemm_linear(x, scale, period, w, bias, gain, residual, out, scratch, m, n, k)
 *     the fused eval linear map (src/engine/kernels/linear-simd.ts):
 *     out = residual + gain ⊙ ((x ⊙ scale[i mod period])·w + bias), x [m, k], w [k, n], scale
 *     [period, k], bias and gain [n], residual and out [m, n]; scale, bias, gain and residual may be 0
 *     (absent). Each entry is computed as the unfused ops compute it (product, sum in k order, + bias,
 *     × gain, residual +), so both give the same floats.
 *
 *   gemm_linear_geglu(x, scale, period, w, bias, out, scratch, m, n2, k, block)
 *     GEGLU of gemm_linear's (x ⊙ scale)·w + bias, z = [a | g] (n2 = 2h wide): out [m, h] = a·GELU(g),
 *     computed `block` rows at a time (block a multiple of period), so z stays in cache instead of
 *     going through memory; scratch: gemm_scratch_floats(n2, k) + block·n2 floats. The same floats as
 *     gemm_linear then geglu (wasm/src/unary.c).
 *
 *   gemm_linear_parts(x, x2, rows, rows2, batch, scale, w, bias, gain, residual, out, scratch, n, k)
 *     gemm_linear of two inputs as if joined along the module axis, without joining them: x [batch,
 *     rows, k] and x2 [batch, rows2, k] act as one [batch, rows + rows2, k] input (each batch entry's x
 *     rows, then its x2 rows; the senders of a propagator layer, read-in then propagator states), with
 *     scale [rows + rows2, k] (or 0), residual and out [batch, rows + rows2, n]. The same floats as
 *     gemm_linear on the joined input. scratch: gemm_scratch_floats(n, k).
 *
 *   gemm_strided(a, sam, sak, b, ldb, transB, c, ldc, m, n, k, scratch)
 *     one product with explicit strides: A[i][p] at a[i·sam + p·sak], op(B) as gemm_batched's with row
 *     stride ldb, C[i][j] at c[i·ldc + j]; a block of rows or columns of a larger product, in place
 *     (src/engine/kernels/simd-threads.ts splits products between threads this way).
 *
 *   gemm_scratch_floats(n, k): floats of scratch either needs for an n-column, k-deep product.
 */
#include "gemm-core.h"
#include "vmath.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("gemm_batched")
void gemm_batched(const float *a, const float *b, float *c, float *scratch, int batch, int m, int n, int k, int trans_a,
                  int trans_b, int stride_a, int stride_b) {
  const int sam = trans_a ? 1 : k, sak = trans_a ? m : 1, ldb = trans_b ? k : n;
  /* Only one packing when every product shares B and it fits one block. */
  for (int i = 0; i < batch; i++)
    gemm_plain(a + i * stride_a, sam, sak, 0, 0, b + i * stride_b, ldb, trans_b, c + i * m * n, n, m, n, k, scratch,
               i > 0 && stride_b == 0);
}

/* The epilogue on rows × n finished entries at c (row stride n): (c + bias)·gain, then residual +. */
static void finish_rows(float *c, int rows, int n, const float *bias, const float *gain, const float *residual) {
  for (int i = 0; i < rows; i++, c += n) {
    const float *res = residual == 0 ? 0 : residual + i * n;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v128_t v = wasm_v128_load(c + j);
      if (bias != 0) v = wasm_f32x4_add(v, wasm_v128_load(bias + j));
      if (gain != 0) v = wasm_f32x4_mul(v, wasm_v128_load(gain + j));
      if (res != 0) v = wasm_f32x4_add(wasm_v128_load(res + j), v);
      wasm_v128_store(c + j, v);
    }
    for (; j < n; j++) {
      float v = c[j];
      if (bias != 0) v = v + bias[j];
      if (gain != 0) v = v * gain[j];
      if (res != 0) v = res[j] + v;
      c[j] = v;
    }
  }
}

EXPORT("gemm_linear")
void gemm_linear(const float *x, const float *scale, int period, const float *w, const float *bias, const float *gain,
                 const float *residual, float *out, float *scratch, int m, int n, int k) {
  if (bias == 0 && gain == 0 && residual == 0) {
    gemm_plain(x, k, 1, period > 0 ? scale : 0, period, w, n, 0, out, n, m, n, k, scratch, 0);
    return;
  }
  /* A block of rows at a time (whole scale periods), finished while it is in cache. With k > KC every
     block packs B again, so the blocks are larger there. */
  const int target = k <= KC ? 64 : 256, p = period > 0 ? period : 1;
  const int block = p * (target / p > 1 ? target / p : 1);
  for (int r0 = 0; r0 < m; r0 += block) {
    const int rows = m - r0 < block ? m - r0 : block;
    gemm_plain(x + r0 * k, k, 1, period > 0 ? scale : 0, period, w, n, 0, out + r0 * n, n, rows, n, k, scratch, r0 > 0);
    finish_rows(out + r0 * n, rows, n, bias, gain, residual == 0 ? 0 : residual + r0 * n);
  }
}

EXPORT("gemm_linear_parts")
void gemm_linear_parts(const float *x, const float *x2, int rows, int rows2, int batch, const float *scale, const float *w,
                       const float *bias, const float *gain, const float *residual, float *out, float *scratch, int n, int k) {
  const int u = rows + rows2;
  int packed = 0; /* W is packed once for all blocks when it fits one contraction block */
  for (int b = 0; b < batch; b++)
    for (int part = 0; part < 2; part++) {
      const int m = part == 0 ? rows : rows2, first = part == 0 ? 0 : rows; /* the part's first row in the entry */
      if (m == 0) continue;
      const float *xp = part == 0 ? x + b * rows * k : x2 + b * rows2 * k;
      float *o = out + (b * u + first) * n;
      gemm_plain(xp, k, 1, scale == 0 ? 0 : scale + first * k, m, w, n, 0, o, n, m, n, k, scratch, packed);
      finish_rows(o, m, n, bias, gain, residual == 0 ? 0 : residual + (b * u + first) * n);
      packed = 1;
    }
}

EXPORT("gemm_linear_geglu")
void gemm_linear_geglu(const float *x, const float *scale, int period, const float *w, const float *bias, float *out, float *scratch,
                       int m, int n2, int k, int block) {
  const int h = n2 / 2;
  float *z = scratch + gemm_scratch(n2, k); /* block × n2: one block of the pre-activation, in L2 */
  for (int r0 = 0; r0 < m; r0 += block) {
    const int rows = m - r0 < block ? m - r0 : block;
    gemm_plain(x + r0 * k, k, 1, period > 0 ? scale : 0, period, w, n2, 0, z, n2, rows, n2, k, scratch, r0 > 0);
    for (int i = 0; i < rows; i++) {
      float *zi = z + i * n2, *oi = out + (r0 + i) * h;
      int j = 0;
      for (; j + 4 <= h; j += 4) {
        v128_t a = wasm_v128_load(zi + j), g = wasm_v128_load(zi + h + j);
        if (bias != 0) a = ADD(a, wasm_v128_load(bias + j)), g = ADD(g, wasm_v128_load(bias + h + j));
        wasm_v128_store(oi + j, MUL(a, gelu4(g)));
      }
      for (; j < h; j++) {
        float a = zi[j], g = zi[h + j];
        if (bias != 0) a = a + bias[j], g = g + bias[h + j];
        oi[j] = a * wasm_f32x4_extract_lane(gelu4(wasm_f32x4_splat(g)), 0);
      }
    }
  }
}

EXPORT("gemm_strided")
void gemm_strided(const float *a, int sam, int sak, const float *b, int ldb, int trans_b, float *c, int ldc, int m, int n, int k,
                  float *scratch) {
  gemm_plain(a, sam, sak, 0, 0, b, ldb, trans_b, c, ldc, m, n, k, scratch, 0);
}

EXPORT("gemm_scratch_floats")
int gemm_scratch_floats(int n, int k) { return gemm_scratch(n, k); }
