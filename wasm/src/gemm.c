/*
 * Batched single-precision matrix products in 128-bit WebAssembly SIMD, for the plain-wasm BatchMatMul
 * of src/engine/kernels/matmul-simd.ts: every float32 product, transposed or stacked (tfjs-backend-wasm
 * 4.22 runs those in a scalar loop at 2-3 GFLOP/s, and untransposed single products through XNNPACK at
 * 25-35). 43-48 GFLOP/s on one core of the reference machine (bench/matmul.mjs).
 *
 * The module imports tfjs-backend-wasm's linear memory: every pointer is a byte offset on the tfjs heap.
 * It owns no memory of its own (no data, no stack): the caller passes a scratch buffer for packed B.
 *
 *   gemm_batched(a, b, c, scratch, batch, m, n, k, transA, transB, strideA, strideB)
 *
 * C[i] = op(A[i]) · op(B[i]) for i < batch, C dense [batch, m, n]; op(A) is m×k (stored k×m when transA),
 * op(B) is k×n (stored n×k when transB); strideA/strideB are elements between consecutive matrices (0 to
 * broadcast one matrix). scratch holds (ceil(n / 8) · 8 + 4) · min(k, 128) floats: packed B, then one
 * packed 4-row strip of A. The contraction runs in blocks of 128 (packed B in L2, the A strip in L1),
 * accumulating into C after the first.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/*
 * Copies kc rows of op(B) (kc × n, starting at b) into 8-column panels, panel p at dst + p·8kc, row r of
 * it at + 8r, zero-padded. op(B)(r, j) is b[r·n + j], or b[j·ldt + r] when trans (B stored n × ldt).
 */
static void pack_b(const float *b, float *dst, int k, int n, int trans, int ldt) {
  for (int n0 = 0; n0 < n; n0 += 8) {
    const int w = n - n0 < 8 ? n - n0 : 8;
    float *d = dst + n0 * k;
    if (!trans && w == 8) {
      for (int r = 0; r < k; r++) {
        wasm_v128_store(d + 8 * r, wasm_v128_load(b + r * n + n0));
        wasm_v128_store(d + 8 * r + 4, wasm_v128_load(b + r * n + n0 + 4));
      }
    } else {
      for (int r = 0; r < k; r++)
        for (int j = 0; j < 8; j++) d[8 * r + j] = j < w ? (trans ? b[(n0 + j) * ldt + r] : b[r * n + n0 + j]) : 0.0f;
    }
  }
}

/* Stores the first w (1..8) lanes of lo:hi at c. */
static inline void store_row(float *c, v128_t lo, v128_t hi, int w) {
  if (w == 8) {
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  if (w > 0) c[0] = wasm_f32x4_extract_lane(lo, 0);
  if (w > 1) c[1] = wasm_f32x4_extract_lane(lo, 1);
  if (w > 2) c[2] = wasm_f32x4_extract_lane(lo, 2);
  if (w > 3) c[3] = wasm_f32x4_extract_lane(lo, 3);
  if (w > 4) c[4] = wasm_f32x4_extract_lane(hi, 0);
  if (w > 5) c[5] = wasm_f32x4_extract_lane(hi, 1);
  if (w > 6) c[6] = wasm_f32x4_extract_lane(hi, 2);
}

/* Loads the first w (1..8) entries of a row of C into lo:hi (zeros beyond w). */
static inline __attribute__((always_inline)) void load_row(const float *c, v128_t *lo, v128_t *hi, int w) {
  if (w == 8) {
    *lo = wasm_v128_load(c);
    *hi = wasm_v128_load(c + 4);
    return;
  }
  *lo = wasm_f32x4_make(c[0], w > 1 ? c[1] : 0.0f, w > 2 ? c[2] : 0.0f, w > 3 ? c[3] : 0.0f);
  *hi = wasm_f32x4_make(w > 4 ? c[4] : 0.0f, w > 5 ? c[5] : 0.0f, w > 6 ? c[6] : 0.0f, 0.0f);
}

/*
 * Copies a 4-row strip of op(A) (rows at a + i·sam, element r at + r·sak), kc deep, interleaved:
 * dst[4r + i] = op(A)(i, r). The micro-kernel then reads A at constant offsets from one pointer.
 */
static void pack_a4(const float *a, int sam, int sak, int kc, float *dst) {
  int r = 0;
  if (sak == 1) {
    /* Rows contiguous: 4×4 blocks transposed in registers. */
    for (; r + 4 <= kc; r += 4) {
      const v128_t r0 = wasm_v128_load(a + r), r1 = wasm_v128_load(a + sam + r);
      const v128_t r2 = wasm_v128_load(a + 2 * sam + r), r3 = wasm_v128_load(a + 3 * sam + r);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      wasm_v128_store(dst + 4 * r, wasm_i64x2_shuffle(t0, t1, 0, 2));
      wasm_v128_store(dst + 4 * r + 4, wasm_i64x2_shuffle(t0, t1, 1, 3));
      wasm_v128_store(dst + 4 * r + 8, wasm_i64x2_shuffle(t2, t3, 0, 2));
      wasm_v128_store(dst + 4 * r + 12, wasm_i64x2_shuffle(t2, t3, 1, 3));
    }
  } else if (sam == 1) {
    /* Transposed A: the 4 entries of a column are contiguous. */
    for (; r < kc; r++) wasm_v128_store(dst + 4 * r, wasm_v128_load(a + r * sak));
  }
  for (; r < kc; r++)
    for (int i = 0; i < 4; i++) dst[4 * r + i] = a[i * sam + r * sak];
}

#define FMA(acc, x, y) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(x, y))

/* One contraction step u of the 4×8 tile: packed A at pa + 4u, packed B at p + 8u. */
#define STEP_4x8(u)                                                                                        \
  do {                                                                                                     \
    const v128_t b0 = wasm_v128_load(p + 8 * (u)), b1 = wasm_v128_load(p + 8 * (u) + 4);                  \
    const v128_t x0 = wasm_v128_load32_splat(pa + 4 * (u)), x1 = wasm_v128_load32_splat(pa + 4 * (u) + 1); \
    const v128_t x2 = wasm_v128_load32_splat(pa + 4 * (u) + 2);                                            \
    const v128_t x3 = wasm_v128_load32_splat(pa + 4 * (u) + 3);                                            \
    FMA(c00, x0, b0), FMA(c01, x0, b1), FMA(c10, x1, b0), FMA(c11, x1, b1);                                \
    FMA(c20, x2, b0), FMA(c21, x2, b1), FMA(c30, x3, b0), FMA(c31, x3, b1);                                \
  } while (0)

/*
 * 4 rows of C (w columns, w ≤ 8) from a packed A strip (pack_a4) and one packed B panel, both k deep;
 * adds to C's current values when acc, else overwrites them. Every load is at a constant offset from
 * pa or p and the loop runs 4 steps per iteration: the scalar address arithmetic per step, not the
 * multiplies, is what limited the unpacked kernel (wasm addresses cannot fold a register add).
 */
static inline __attribute__((always_inline)) void kernel_4x8(const float *pa, const float *p, int k, float *c, int ldc, int w, int acc) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (acc) {
    load_row(c, &c00, &c01, w);
    load_row(c + ldc, &c10, &c11, w);
    load_row(c + 2 * ldc, &c20, &c21, w);
    load_row(c + 3 * ldc, &c30, &c31, w);
  }
#pragma clang loop unroll(disable)
  for (int r = 0; r < k; r++, pa += 4, p += 8) STEP_4x8(0);
  store_row(c, c00, c01, w);
  store_row(c + ldc, c10, c11, w);
  store_row(c + 2 * ldc, c20, c21, w);
  store_row(c + 3 * ldc, c30, c31, w);
}

/* One row of C (w columns) from one packed panel; adds to C when acc. */
static inline __attribute__((always_inline)) void kernel_1x8(const float *a, int sak, const float *p, int k, float *c, int w, int acc) {
  v128_t c0 = wasm_f32x4_splat(0), c1 = c0;
  if (acc) load_row(c, &c0, &c1, w);
  for (int r = 0; r < k; r++) {
    const v128_t x = wasm_v128_load32_splat(a);
    a += sak;
    FMA(c0, x, wasm_v128_load(p)), FMA(c1, x, wasm_v128_load(p + 4));
    p += 8;
  }
  store_row(c, c0, c1, w);
}

/* Depth of one block of the contraction: a packed block of B (KC × n) stays in L2, an A strip in L1. */
#define KC 128

EXPORT("gemm_batched")
void gemm_batched(const float *a, const float *b, float *c, float *scratch, int batch, int m, int n, int k, int trans_a,
                  int trans_b, int stride_a, int stride_b) {
  const int sam = trans_a ? 1 : k, sak = trans_a ? m : 1;
  const int sbk = trans_b ? 1 : n; /* elements between rows r and r + 1 of op(B) */
  for (int i = 0; i < batch; i++) {
    const float *ai = a + i * stride_a, *bi = b + i * stride_b;
    float *ci = c + i * m * n;
    if (k == 0) {
      for (int j = 0; j < m * n; j++) ci[j] = 0.0f;
      continue;
    }
    for (int k0 = 0; k0 < k; k0 += KC) {
      const int kc = k - k0 < KC ? k - k0 : KC, acc = k0 > 0;
      /* Only one packing when every product shares B and it fits one block. */
      if (i == 0 || stride_b != 0 || k > KC) pack_b(bi + k0 * sbk, scratch, kc, n, trans_b, k);
      const float *ak = ai + k0 * sak;
      float *apack = scratch + (n + 7) / 8 * 8 * kc;
      int row = 0;
      for (; row + 4 <= m; row += 4) {
        pack_a4(ak + row * sam, sam, sak, kc, apack);
        for (int n0 = 0; n0 < n; n0 += 8)
          kernel_4x8(apack, scratch + n0 * kc, kc, ci + row * n + n0, n, n - n0 < 8 ? n - n0 : 8, acc);
      }
      for (; row < m; row++)
        for (int n0 = 0; n0 < n; n0 += 8)
          kernel_1x8(ak + row * sam, sak, scratch + n0 * kc, kc, ci + row * n + n0, n - n0 < 8 ? n - n0 : 8, acc);
    }
  }
}

/* Floats of the scratch buffer gemm_batched needs for an n-column, k-deep op(B). */
EXPORT("gemm_scratch_floats")
int gemm_scratch_floats(int n, int k) {
  return ((n + 7) / 8 * 8 + 4) * (k < KC ? k : KC);
}
