/*
 * The 128-bit SIMD GEMM core shared by gemm.c (BatchMatMul, the fused eval linear map) and
 * attention.c (fused eval attention).
 *
 * Layout: B is packed in 8-column panels (kc × 8, zero-padded), A in interleaved 4-row strips
 * (dst[4r + i] = op(A)(i, r)), so the 4×8 micro-kernel reads both at constant offsets from one pointer
 * each. The contraction runs in blocks of KC (packed B in L2, the A strip in L1), accumulating into C
 * after the first. Every entry of C is Σ_r A(i, r)·B(r, j) summed in r order, whatever the blocking.
 *
 * Arguments travel as scalars, never structs: the wasm32 ABI passes structs through the C stack, which
 * this module does not have (wasm/build.mjs rejects stack use).
 */
#ifndef NAC_GEMM_CORE_H
#define NAC_GEMM_CORE_H
#include <stdint.h>
#include <wasm_simd128.h>

#define GEMM_INLINE static inline __attribute__((always_inline))

/* Depth of one block of the contraction: a packed block of B (KC × n) stays in L2, an A strip in L1. */
#define KC 128

/* Floats of scratch a product needs: packed B (n columns, k deep), then one packed 4-row A strip. */
GEMM_INLINE int gemm_scratch(int n, int k) { return ((n + 7) / 8 * 8 + 4) * (k < KC ? k : KC); }

/* Stores the 4×4 block with rows r0..r3 transposed: its column i (r0[i], r1[i], r2[i], r3[i]) at dst + i·stride. */
GEMM_INLINE void store_transposed4(float *dst, int stride, v128_t r0, v128_t r1, v128_t r2, v128_t r3) {
  const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(dst, wasm_i64x2_shuffle(t0, t1, 0, 2));
  wasm_v128_store(dst + stride, wasm_i64x2_shuffle(t0, t1, 1, 3));
  wasm_v128_store(dst + 2 * stride, wasm_i64x2_shuffle(t2, t3, 0, 2));
  wasm_v128_store(dst + 3 * stride, wasm_i64x2_shuffle(t2, t3, 1, 3));
}

/*
 * Copies kc rows of op(B) (kc × n, starting at b) into 8-column panels, panel p at dst + p·8kc, row r of
 * it at + 8r, zero-padded. op(B)(r, j) is b[r·ld + j], or b[j·ld + r] when trans.
 */
static void pack_b(const float *b, float *dst, int k, int n, int trans, int ld) {
  for (int n0 = 0; n0 < n; n0 += 8) {
    const int w = n - n0 < 8 ? n - n0 : 8;
    float *d = dst + n0 * k;
    int r0 = 0;
    if (!trans && w == 8) {
      for (; r0 < k; r0++) {
        wasm_v128_store(d + 8 * r0, wasm_v128_load(b + r0 * ld + n0));
        wasm_v128_store(d + 8 * r0 + 4, wasm_v128_load(b + r0 * ld + n0 + 4));
      }
    } else if (trans && w == 8) {
      /* Columns of op(B) are rows of b: 4×4 blocks transposed in registers, two per 4 rows of the panel. */
      for (; r0 + 4 <= k; r0 += 4)
        for (int h = 0; h < 8; h += 4) {
          const float *src = b + (n0 + h) * ld + r0;
          store_transposed4(d + 8 * r0 + h, 8, wasm_v128_load(src), wasm_v128_load(src + ld), wasm_v128_load(src + 2 * ld),
                            wasm_v128_load(src + 3 * ld));
        }
    }
    {
      for (int r = r0; r < k; r++)
        for (int j = 0; j < 8; j++) d[8 * r + j] = j < w ? (trans ? b[(n0 + j) * ld + r] : b[r * ld + n0 + j]) : 0.0f;
    }
  }
}

/* Stores the first w (1..8) lanes of lo:hi at c. */
GEMM_INLINE void store_row(float *c, v128_t lo, v128_t hi, int w) {
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
GEMM_INLINE void load_row(const float *c, v128_t *lo, v128_t *hi, int w) {
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
 * dst[4r + i] = op(A)(i, r), times s_i[r] when s0 is not null (the fused linear map's row scaling;
 * then all four are set). The micro-kernel then reads A at constant offsets from one pointer.
 */
static void pack_a4(const float *a, int sam, int sak, int kc, const float *s0, const float *s1, const float *s2, const float *s3,
                    float *dst) {
  int r = 0;
  if (sak == 1) {
    /* Rows contiguous: 4×4 blocks transposed in registers. */
    for (; r + 4 <= kc; r += 4) {
      v128_t r0 = wasm_v128_load(a + r), r1 = wasm_v128_load(a + sam + r);
      v128_t r2 = wasm_v128_load(a + 2 * sam + r), r3 = wasm_v128_load(a + 3 * sam + r);
      if (s0 != 0) {
        r0 = wasm_f32x4_mul(r0, wasm_v128_load(s0 + r)), r1 = wasm_f32x4_mul(r1, wasm_v128_load(s1 + r));
        r2 = wasm_f32x4_mul(r2, wasm_v128_load(s2 + r)), r3 = wasm_f32x4_mul(r3, wasm_v128_load(s3 + r));
      }
      store_transposed4(dst + 4 * r, 4, r0, r1, r2, r3);
    }
  } else if (sam == 1 && s0 == 0) {
    /* Transposed A: the 4 entries of a column are contiguous. */
    for (; r < kc; r++) wasm_v128_store(dst + 4 * r, wasm_v128_load(a + r * sak));
  }
  for (; r < kc; r++)
    for (int i = 0; i < 4; i++) {
      const float *si = i == 0 ? s0 : i == 1 ? s1 : i == 2 ? s2 : s3;
      dst[4 * r + i] = s0 != 0 ? a[i * sam + r * sak] * si[r] : a[i * sam + r * sak];
    }
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
 * pa or p: the scalar address arithmetic per step, not the multiplies, is what limited the unpacked
 * kernel (wasm addresses cannot fold a register add). One step per iteration: unrolled, clang
 * interleaves the steps and V8's code spills registers (15-30 % slower).
 */
GEMM_INLINE void kernel_4x8(const float *pa, const float *p, int k, float *c, int ldc, int w, int acc) {
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
GEMM_INLINE void kernel_1x8(const float *a, int sak, const float *p, int k, float *c, int w, int acc) {
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

/*
 * C (m × n, row i at c + i·ldc) = op(A)·op(B); op(A) row i at a + i·sam, element r at + r·sak, times
 * scale[(i mod period)·k + r] when scale is not null; op(B) as pack_b reads it (b, ldb, trans_b).
 * scratch: gemm_scratch(n, k) floats; packed_b: scratch already holds op(B) packed (used only when
 * k ≤ KC). Out of line, so that V8 allocates the micro-kernel's registers in a function of its own,
 * whatever calls it.
 */
static __attribute__((noinline)) void gemm_plain(const float *a, int sam, int sak, const float *scale, int period, const float *b,
                                                 int ldb, int trans_b, float *c, int ldc, int m, int n, int k, float *scratch,
                                                 int packed_b) {
  if (k == 0) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) c[i * ldc + j] = 0.0f;
    return;
  }
  for (int k0 = 0; k0 < k; k0 += KC) {
    const int kc = k - k0 < KC ? k - k0 : KC, acc = k0 > 0;
    if (!packed_b || k > KC) pack_b(trans_b ? b + k0 : b + k0 * ldb, scratch, kc, n, trans_b, ldb);
    const float *ak = a + k0 * sak;
    float *apack = scratch + (n + 7) / 8 * 8 * kc;
    int row = 0;
    for (; row + 4 <= m; row += 4) {
      const float *s0 = 0, *s1 = 0, *s2 = 0, *s3 = 0;
      if (scale != 0) {
        s0 = scale + (row % period) * k + k0, s1 = scale + ((row + 1) % period) * k + k0;
        s2 = scale + ((row + 2) % period) * k + k0, s3 = scale + ((row + 3) % period) * k + k0;
      }
      pack_a4(ak + row * sam, sam, sak, kc, s0, s1, s2, s3, apack);
      for (int n0 = 0; n0 < n; n0 += 8)
        kernel_4x8(apack, scratch + n0 * kc, kc, c + row * ldc + n0, ldc, n - n0 < 8 ? n - n0 : 8, acc);
    }
    for (; row < m; row++) {
      const float *ar = ak + row * sam;
      int sr_ = sak;
      if (scale != 0) {
        /* A remainder row, scaled into the A strip's space first. */
        const float *sr = scale + (row % period) * k + k0;
        for (int r = 0; r < kc; r++) apack[r] = ar[r * sak] * sr[r];
        ar = apack, sr_ = 1;
      }
      for (int n0 = 0; n0 < n; n0 += 8) kernel_1x8(ar, sr_, scratch + n0 * kc, kc, c + row * ldc + n0, n - n0 < 8 ? n - n0 : 8, acc);
    }
  }
}

/*
 * C (strips·4 × n, row i at c + i·ldc) = A·B with A given as `strips` packed 4-row strips of depth k
 * (k ≤ KC; strip t at pa + 4·k·t, as pack_a4 writes them) and B k × n untransposed (row r at b + r·ldb).
 * scratch: gemm_scratch(n, k) floats. For producers that write A packed (the attention's softmax).
 */
static __attribute__((noinline)) void gemm_packed_a(const float *pa, int strips, const float *b, int ldb, float *c, int ldc, int n, int k,
                                                    float *scratch) {
  pack_b(b, scratch, k, n, 0, ldb);
  for (int t = 0; t < strips; t++)
    for (int n0 = 0; n0 < n; n0 += 8)
      kernel_4x8(pa + 4 * k * t, scratch + n0 * k, k, c + 4 * t * ldc + n0, ldc, n - n0 < 8 ? n - n0 : 8, 0);
}

#endif
