/*
 * The sparse eval attention for four batch entries at once, one per SIMD lane, for attention.c: when the
 * bias (the mask) is shared by the batch, the four entries keep the same pairs, so every score, exponential
 * and p·v term is one vertical SIMD operation over the four, with no horizontal sums, no gathered bias and
 * no per-row scalar work (attention-sparse.h's row path spends much of its time there on rows of about 30
 * kept keys). Q, K and V are interleaved by lanes as they are read; outputs are de-interleaved as stored. A
 * last group of fewer than four entries fills the spare lanes with copies of its last entry, so every entry
 * takes the same operations wherever it sits in the batch (and however threads split the batch).
 */
#ifndef NAC_ATTENTION_LANES_H
#define NAC_ATTENTION_LANES_H
#include "gemm-core.h"
#include "vmath.h"

/*
 * Interleaves n·w floats of `lanes` (1..4) entries (entry l's row r at src + l·entry + r·ld) by lanes:
 * dst[(r·w + c)·4 + l] = entry l's (r, c); lanes past `lanes` repeat the last entry. w is a multiple of 4.
 */
static void interleave4(const float *src, int entry, int lanes, int ld, int n, int w, float *dst) {
  const int e1 = lanes > 1 ? entry : 0, e2 = lanes > 2 ? 2 * entry : e1, e3 = lanes > 3 ? 3 * entry : e2;
  for (int r = 0; r < n; r++)
    for (int c = 0; c < w; c += 4) {
      const float *x = src + r * ld + c;
      store_transposed4(dst + (r * w + c) * 4, 4, wasm_v128_load(x), wasm_v128_load(x + e1), wasm_v128_load(x + e2), wasm_v128_load(x + e3));
    }
}

/* store_transposed4 for the first `lanes` (1..4) columns only: column l (r0[l], ..., r3[l]) at dst + l·stride. */
GEMM_INLINE void store_lanes(float *dst, int stride, int lanes, v128_t r0, v128_t r1, v128_t r2, v128_t r3) {
  if (lanes == 4) {
    store_transposed4(dst, stride, r0, r1, r2, r3);
    return;
  }
  const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
  const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
  wasm_v128_store(dst, wasm_i64x2_shuffle(t0, t1, 0, 2));
  if (lanes > 1) wasm_v128_store(dst + stride, wasm_i64x2_shuffle(t0, t1, 1, 3));
  if (lanes > 2) wasm_v128_store(dst + 2 * stride, wasm_i64x2_shuffle(t2, t3, 0, 2));
}

/*
 * One head of `lanes` (1..4) batch entries: for each row i, o = Σ_t p_t·V[J_t] with p = softmax(q_i·K[J_t]ᵀ·scale +
 * bias[i, J_t]) over row i's kept keys J (idx + i·nk, counts[i]), each lane an entry. qt, kt, vt: the head's
 * Q, K and V interleaved (interleave4); out: entry 0's head at row 0 (rows ld apart, entries `entry` apart);
 * sc: 4·nk floats. An empty row gives NaN, as the dense path does.
 */
static __attribute__((noinline)) void lanes_head(int entry, int lanes, int ld, int nq, int nk, int dh, const float *bias,
                                                 const int *idx, const int *counts, float scale, const float *kt, const float *vt, const float *qt,
                                                 float *sc, float *out) {
  const v128_t vscale = F(scale);
  for (int i = 0; i < nq; i++) {
    const int *J = idx + i * nk, n = counts[i];
    const float *qi = qt + i * dh * 4;
    /* Scores, four keys at a time. */
    int t = 0;
    for (; t + 4 <= n; t += 4) {
      const float *k0 = kt + J[t] * dh * 4, *k1 = kt + J[t + 1] * dh * 4, *k2 = kt + J[t + 2] * dh * 4, *k3 = kt + J[t + 3] * dh * 4;
      v128_t a0 = F(0.0f), a1 = a0, a2 = a0, a3 = a0;
      int c = 0;
      for (; c + 8 <= 4 * dh; c += 8) {
        const v128_t x = wasm_v128_load(qi + c), y = wasm_v128_load(qi + c + 4);
        FMA(a0, x, wasm_v128_load(k0 + c)), FMA(a1, x, wasm_v128_load(k1 + c));
        FMA(a2, x, wasm_v128_load(k2 + c)), FMA(a3, x, wasm_v128_load(k3 + c));
        FMA(a0, y, wasm_v128_load(k0 + c + 4)), FMA(a1, y, wasm_v128_load(k1 + c + 4));
        FMA(a2, y, wasm_v128_load(k2 + c + 4)), FMA(a3, y, wasm_v128_load(k3 + c + 4));
      }
      if (c < 4 * dh) {
        const v128_t x = wasm_v128_load(qi + c);
        FMA(a0, x, wasm_v128_load(k0 + c)), FMA(a1, x, wasm_v128_load(k1 + c));
        FMA(a2, x, wasm_v128_load(k2 + c)), FMA(a3, x, wasm_v128_load(k3 + c));
      }
      wasm_v128_store(sc + 4 * t, a0), wasm_v128_store(sc + 4 * t + 4, a1);
      wasm_v128_store(sc + 4 * t + 8, a2), wasm_v128_store(sc + 4 * t + 12, a3);
    }
    for (; t < n; t++) {
      const float *k0 = kt + J[t] * dh * 4;
      v128_t a0 = F(0.0f);
      for (int c = 0; c < 4 * dh; c += 4) FMA(a0, wasm_v128_load(qi + c), wasm_v128_load(k0 + c));
      wasm_v128_store(sc + 4 * t, a0);
    }
    /* Softmax per lane, as the dense path (softmax_exp_row): s·scale + bias, max, e^(s - max) (0 below CUTOFF). */
    const float *bi = bias + i * nk;
    v128_t vmax = F(-__builtin_inff());
    for (t = 0; t < n; t++) {
      const v128_t x = ADD(MUL(wasm_v128_load(sc + 4 * t), vscale), wasm_v128_load32_splat(bi + J[t]));
      wasm_v128_store(sc + 4 * t, x);
      vmax = wasm_f32x4_pmax(vmax, x);
    }
    v128_t vsum = F(0.0f);
    for (t = 0; t < n; t++) {
      const v128_t d = SUB(wasm_v128_load(sc + 4 * t), vmax);
      const v128_t e = softmax_exp4(d);
      wasm_v128_store(sc + 4 * t, e);
      vsum = ADD(vsum, e);
    }
    const v128_t inv = wasm_f32x4_div(F(1.0f), vsum);
    /* Σ e_t·v_t, 4 columns at a time in registers (8 spilled in V8), de-interleaved into the four entries' rows. */
    float *o = out + i * ld;
    for (int c = 0; c < dh; c += 4) {
      v128_t o0 = F(0.0f), o1 = o0, o2 = o0, o3 = o0;
      for (t = 0; t < n; t++) {
        const v128_t pt = wasm_v128_load(sc + 4 * t);
        const float *x = vt + (J[t] * dh + c) * 4;
        FMA(o0, pt, wasm_v128_load(x)), FMA(o1, pt, wasm_v128_load(x + 4));
        FMA(o2, pt, wasm_v128_load(x + 8)), FMA(o3, pt, wasm_v128_load(x + 12));
      }
      store_lanes(o + c, entry, lanes, MUL(o0, inv), MUL(o1, inv), MUL(o2, inv), MUL(o3, inv));
    }
  }
}

#endif
