/*
 * The fused eval attention over kept pairs only, for attention.c: in evaluation a NAC's truncated kernel
 * masks most module pairs (-Infinity in the bias; 69 % in the reference config's eval forward), and the dense
 * path still multiplies and exponentiates every one of them. Each row lists its kept keys once per bias
 * (shared by the heads, and by the batch when the bias is). A bias shared by the batch goes to the lane path
 * (attention-lanes.h, four entries at a time); this file's row path takes per-example biases, and head sizes
 * that are not a multiple of 4: per batch entry, head and row, the scores of the kept keys, their softmax
 * and Σ p·V. Same float operations as the dense path per term; the sums run in another order (lanes of 4,
 * then across), so results agree to float32 rounding.
 */
#ifndef NAC_ATTENTION_SPARSE_H
#define NAC_ATTENTION_SPARSE_H
#include "gemm-core.h"
#include "vmath.h"

/*
 * The sparse paths run when at most this percentage of a bias's pairs are kept. On the reference NAC's
 * propagator shape (bench/simd-gemm-ab.mjs) the lane path (attention-lanes.h) took 0.63x the dense path's time
 * at 31 % kept (the model's eval mask), about 0.8x at 45 % and about as long at 55-60 %.
 */
#define SPARSE_MAX_KEPT_PERCENT 50

/* Row i's kept keys (bias ≠ -Infinity, NaN included) at idx + i·nk, their count at counts[i]. Returns the total. */
static int kept_keys(const float *bias, int nq, int nk, int *idx, int *counts) {
  int total = 0;
  for (int i = 0; i < nq; i++) {
    int c = 0;
    for (int j = 0; j < nk; j++)
      if (bias[i * nk + j] != -__builtin_inff()) idx[i * nk + c++] = j;
    counts[i] = c;
    total += c;
  }
  return total;
}

/*
 * Copies n rows of heads·dh floats (src, read in order) head-major to dst: head h's row r at dst + (h·n + r)·dh,
 * so that each head's rows are contiguous (strided heads·dh floats apart, they would share few L1 sets).
 */
static void split_heads(const float *src, int n, int heads, int dh, float *dst) {
  for (int r = 0; r < n; r++)
    for (int h = 0; h < heads; h++) {
      const float *x = src + (r * heads + h) * dh;
      float *y = dst + (h * n + r) * dh;
      int c = 0;
      for (; c + 4 <= dh; c += 4) wasm_v128_store(y + c, wasm_v128_load(x + c));
      for (; c < dh; c++) y[c] = x[c];
    }
}

/* Lane t of the result: the sum of the t-th argument's four lanes. */
GEMM_INLINE v128_t hsum4(v128_t a, v128_t b, v128_t c, v128_t d) {
  const v128_t ab = ADD(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  const v128_t cd = ADD(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return ADD(wasm_i64x2_shuffle(ab, cd, 0, 2), wasm_i64x2_shuffle(ab, cd, 1, 3));
}

/* q·x over dh floats: lanes of 4, then across, then the tail. */
GEMM_INLINE float dot(const float *q, const float *x, int dh) {
  v128_t a = F(0.0f);
  int c = 0;
  for (; c + 4 <= dh; c += 4) FMA(a, wasm_v128_load(q + c), wasm_v128_load(x + c));
  float s = wasm_f32x4_extract_lane(hsum4(a, a, a, a), 0);
  for (; c < dh; c++) s += q[c] * x[c];
  return s;
}

/*
 * One row of one head: o (dh floats) = Σ_t p_t·v[J_t·ld], p = softmax(q·k[J_t·ld]·scale + bias[J_t]) over
 * the n kept keys J. sc: n + 4 floats. An empty row (all masked) gives NaN, as the dense path does. Out of
 * line, so that V8 allocates its registers in a function of its own (inlined in attention(), it spilled).
 */
static __attribute__((noinline)) void sparse_row(const float *q, const float *k, const float *v, int ld, const float *bias, const int *J, int n, int dh, float scale,
                       float *sc, float *o) {
  int t = 0;
  for (; t + 4 <= n; t += 4) {
    const float *k0 = k + J[t] * ld, *k1 = k + J[t + 1] * ld, *k2 = k + J[t + 2] * ld, *k3 = k + J[t + 3] * ld;
    v128_t a0 = F(0.0f), a1 = a0, a2 = a0, a3 = a0;
    int c = 0;
    for (; c + 8 <= dh; c += 8) {
      const v128_t x = wasm_v128_load(q + c), y = wasm_v128_load(q + c + 4);
      FMA(a0, x, wasm_v128_load(k0 + c)), FMA(a1, x, wasm_v128_load(k1 + c));
      FMA(a2, x, wasm_v128_load(k2 + c)), FMA(a3, x, wasm_v128_load(k3 + c));
      FMA(a0, y, wasm_v128_load(k0 + c + 4)), FMA(a1, y, wasm_v128_load(k1 + c + 4));
      FMA(a2, y, wasm_v128_load(k2 + c + 4)), FMA(a3, y, wasm_v128_load(k3 + c + 4));
    }
    for (; c + 4 <= dh; c += 4) {
      const v128_t x = wasm_v128_load(q + c);
      FMA(a0, x, wasm_v128_load(k0 + c)), FMA(a1, x, wasm_v128_load(k1 + c));
      FMA(a2, x, wasm_v128_load(k2 + c)), FMA(a3, x, wasm_v128_load(k3 + c));
    }
    v128_t s = hsum4(a0, a1, a2, a3);
    if (c < dh) {
      float r0 = 0.0f, r1 = 0.0f, r2 = 0.0f, r3 = 0.0f;
      for (; c < dh; c++) r0 += q[c] * k0[c], r1 += q[c] * k1[c], r2 += q[c] * k2[c], r3 += q[c] * k3[c];
      s = ADD(s, wasm_f32x4_make(r0, r1, r2, r3));
    }
    wasm_v128_store(sc + t, s);
  }
  for (; t < n; t++) sc[t] = dot(q, k + J[t] * ld, dh);
  /* Scale, bias and max as the dense path (softmax_exp_row), without branches; padded with -Infinity to a multiple of 4. */
  for (t = n; t & 3; t++) sc[t] = -__builtin_inff();
  const v128_t vscale = F(scale), ninf = F(-__builtin_inff());
  v128_t vmax = ninf;
  for (t = 0; t < n; t += 4) {
    const v128_t b = wasm_f32x4_make(bias[J[t]], t + 1 < n ? bias[J[t + 1]] : 0.0f, t + 2 < n ? bias[J[t + 2]] : 0.0f,
                                     t + 3 < n ? bias[J[t + 3]] : 0.0f);
    const v128_t x = ADD(MUL(wasm_v128_load(sc + t), vscale), b);
    wasm_v128_store(sc + t, x);
    vmax = wasm_f32x4_pmax(vmax, x);
  }
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 2, 3, 0, 1));
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 0, 3, 2));
  const float mx = wasm_f32x4_extract_lane(vmax, 0);
  const v128_t m = F(mx);
  v128_t vsum = F(0.0f);
  for (t = 0; t < n; t += 4) {
    const v128_t d = SUB(wasm_v128_load(sc + t), m);
    const v128_t e = softmax_exp4(d);
    wasm_v128_store(sc + t, e);
    vsum = ADD(vsum, e);
  }
  const v128_t inv = F(1.0f / wasm_f32x4_extract_lane(hsum4(vsum, vsum, vsum, vsum), 0));
  /* Σ e_t·v_t, 32 columns at a time in registers, then 4, then one. */
  int c = 0;
  for (; c + 32 <= dh; c += 32) {
    v128_t o0 = F(0.0f), o1 = o0, o2 = o0, o3 = o0, o4 = o0, o5 = o0, o6 = o0, o7 = o0;
    for (t = 0; t < n; t++) {
      const v128_t p = wasm_v128_load32_splat(sc + t);
      const float *x = v + J[t] * ld + c;
      FMA(o0, p, wasm_v128_load(x)), FMA(o1, p, wasm_v128_load(x + 4)), FMA(o2, p, wasm_v128_load(x + 8));
      FMA(o3, p, wasm_v128_load(x + 12)), FMA(o4, p, wasm_v128_load(x + 16)), FMA(o5, p, wasm_v128_load(x + 20));
      FMA(o6, p, wasm_v128_load(x + 24)), FMA(o7, p, wasm_v128_load(x + 28));
    }
    wasm_v128_store(o + c, MUL(o0, inv)), wasm_v128_store(o + c + 4, MUL(o1, inv)), wasm_v128_store(o + c + 8, MUL(o2, inv));
    wasm_v128_store(o + c + 12, MUL(o3, inv)), wasm_v128_store(o + c + 16, MUL(o4, inv)), wasm_v128_store(o + c + 20, MUL(o5, inv));
    wasm_v128_store(o + c + 24, MUL(o6, inv)), wasm_v128_store(o + c + 28, MUL(o7, inv));
  }
  for (; c + 4 <= dh; c += 4) {
    v128_t o0 = F(0.0f);
    for (t = 0; t < n; t++) FMA(o0, wasm_v128_load32_splat(sc + t), wasm_v128_load(v + J[t] * ld + c));
    wasm_v128_store(o + c, MUL(o0, inv));
  }
  for (; c < dh; c++) {
    float r = 0.0f;
    for (t = 0; t < n; t++) r += sc[t] * v[J[t] * ld + c];
    o[c] = r * wasm_f32x4_extract_lane(inv, 0);
  }
}

#endif
