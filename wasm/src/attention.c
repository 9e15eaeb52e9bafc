/*
 * Fused multi-head attention for evaluation (no gradient), in 128-bit WebAssembly SIMD, for
 * src/engine/kernels/attention-simd.ts: per batch entry and head, S = Q·Kᵀ·scale + bias, P = softmax(S)
 * by rows, O = P·V, reading Q, K, V and writing O in their [batch, tokens, heads·dh] layout, so the
 * head split and merge (three transposes in, one out), the scaling, the bias add, the softmax and the
 * two products are one kernel instead of nine.
 *
 *   attention(q, k, v, bias, biasStride, out, scratch, batch, nq, nk, heads, dh, scale)
 *     q, out [batch, nq, heads·dh]; k, v [batch, nk, heads·dh]; bias [nq, nk] per batch entry at
 *     bias + b·biasStride (biasStride 0: one for all; bias 0: none), shared by the heads; entries of
 *     -Infinity mask a pair. scratch: attention_scratch_floats(nq, nk, heads, dh) floats.
 *
 * The products are gemm-core.h's (sums in k order, as the BatchMatMul kernel computes them); the
 * softmax is max-subtracted, e^(s - max) by vmath.h's exp4_softmax (0 where subnormal or masked), times
 * 1/Σ while the probabilities are packed for the P·V product. A bias that masks at least half the pairs
 * (SPARSE_MAX_KEPT_PERCENT) takes a sparse path over the kept pairs only instead: attention-lanes.h (four
 * batch entries per SIMD lane) when the bias is shared by the batch and dh is a multiple of 4, else
 * attention-sparse.h's rows.
 */
#include "gemm-core.h"
#include "vmath.h"

#define EXPORT(name) __attribute__((export_name(name)))

/*
 * Below this, e^x is (nearly) subnormal in float32 and is taken as 0 (masked entries, -Infinity, included), and
 * exp's argument is clamped to it: subnormal results make x86 multiplies take microcode assists, which
 * slowed this kernel by half on masked scores. XNNPACK's softmax, which tfjs-backend-wasm runs,
 * flushes them the same way.
 */
#define CUTOFF -87.0f

/* e^d for max-subtracted scores d ≤ 0, 0 below CUTOFF (masked pairs included): every path's softmax. */
GEMM_INLINE v128_t softmax_exp4(v128_t d) { return SEL(wasm_f32x4_lt(d, F(CUTOFF)), F(0.0f), exp4_softmax(wasm_f32x4_pmax(d, F(CUTOFF)))); }

#include "attention-sparse.h"
#include "attention-lanes.h"

/*
 * Row of n scores in place: s·scale + bias, then e^(s - max) (0 below CUTOFF). Returns 1/Σ, by which
 * the caller normalises (while it packs the row for the P·V product).
 */
static float softmax_exp_row(float *s, const float *bias, int n, float scale) {
  const v128_t vs = wasm_f32x4_splat(scale);
  v128_t vmax = wasm_f32x4_splat(-__builtin_inff());
  float mx = -__builtin_inff();
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    v128_t x = MUL(wasm_v128_load(s + j), vs);
    if (bias != 0) x = ADD(x, wasm_v128_load(bias + j));
    wasm_v128_store(s + j, x);
    vmax = wasm_f32x4_pmax(vmax, x);
  }
  for (; j < n; j++) {
    float x = s[j] * scale;
    if (bias != 0) x = x + bias[j];
    s[j] = x;
    mx = x > mx ? x : mx;
  }
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 2, 3, 0, 1));
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 0, 3, 2));
  mx = wasm_f32x4_extract_lane(vmax, 0) > mx ? wasm_f32x4_extract_lane(vmax, 0) : mx;
  const v128_t m = wasm_f32x4_splat(mx);
  v128_t vsum = wasm_f32x4_splat(0.0f);
  float sum = 0.0f;
  for (j = 0; j + 4 <= n; j += 4) {
    const v128_t d = SUB(wasm_v128_load(s + j), m);
    const v128_t e = softmax_exp4(d);
    wasm_v128_store(s + j, e);
    vsum = ADD(vsum, e);
  }
  for (; j < n; j++) {
    const float d = s[j] - mx;
    const float e = d < CUTOFF ? 0.0f : wasm_f32x4_extract_lane(exp4_softmax(wasm_f32x4_splat(d)), 0);
    s[j] = e;
    sum += e;
  }
  sum += wasm_f32x4_extract_lane(vsum, 0) + wasm_f32x4_extract_lane(vsum, 1) + wasm_f32x4_extract_lane(vsum, 2) +
         wasm_f32x4_extract_lane(vsum, 3);
  return 1.0f / sum;
}

/*
 * Softmax of 4 score rows (at s, stride n), normalised and written as one packed A strip for the P·V
 * product (dst[4j + i] = P(i, j), see pack_a4): the normalisation and the packing are one pass.
 */
static void softmax_strip(float *s, const float *bias, int n, float scale, float *dst) {
  const float i0 = softmax_exp_row(s, bias, n, scale), i1 = softmax_exp_row(s + n, bias == 0 ? 0 : bias + n, n, scale);
  const float i2 = softmax_exp_row(s + 2 * n, bias == 0 ? 0 : bias + 2 * n, n, scale);
  const float i3 = softmax_exp_row(s + 3 * n, bias == 0 ? 0 : bias + 3 * n, n, scale);
  const v128_t v0 = wasm_f32x4_splat(i0), v1 = wasm_f32x4_splat(i1), v2 = wasm_f32x4_splat(i2), v3 = wasm_f32x4_splat(i3);
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    const v128_t r0 = MUL(wasm_v128_load(s + j), v0), r1 = MUL(wasm_v128_load(s + n + j), v1);
    const v128_t r2 = MUL(wasm_v128_load(s + 2 * n + j), v2), r3 = MUL(wasm_v128_load(s + 3 * n + j), v3);
    store_transposed4(dst + 4 * j, 4, r0, r1, r2, r3);
  }
  for (; j < n; j++) {
    dst[4 * j] = s[j] * i0, dst[4 * j + 1] = s[n + j] * i1;
    dst[4 * j + 2] = s[2 * n + j] * i2, dst[4 * j + 3] = s[3 * n + j] * i3;
  }
}

/* A remainder row: softmax normalised in place (the row then feeds gemm_plain unpacked). */
static void softmax_row(float *s, const float *bias, int n, float scale) {
  const v128_t inv = wasm_f32x4_splat(softmax_exp_row(s, bias, n, scale));
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(s + j, MUL(wasm_v128_load(s + j), inv));
  for (; j < n; j++) s[j] *= wasm_f32x4_extract_lane(inv, 0);
}

EXPORT("attention_scratch_floats")
int attention_scratch_floats(int nq, int nk, int heads, int dh) {
  const int dense_a = gemm_scratch(nk, dh), dense_b = gemm_scratch(dh, nk);
  const int rows = 2 * nk * heads * dh + nk + 4, lanes = 8 * nk * dh + 4 * nq * dh + 4 * nk; /* the sparse paths' */
  int most = dense_a > dense_b ? dense_a : dense_b;
  most = most > rows ? most : rows;
  return 2 * nq * nk + (most > lanes ? most : lanes);
}

/* Whether the sparse paths pay for this bias (listing its kept keys in idx and counts); never without keys. */
static int sparse_pays(const float *bias, int nq, int nk, int *idx, int *counts) {
  return nq > 0 && nk > 0 && 100LL * kept_keys(bias, nq, nk, idx, counts) <= (long long)SPARSE_MAX_KEPT_PERCENT * nq * nk;
}

EXPORT("attention")
void attention(const float *q, const float *k, const float *v, const float *bias, int bias_stride, float *out, float *scratch,
               int batch, int nq, int nk, int heads, int dh, float scale) {
  const int ld = heads * dh;
  /* Scores, then the packed probabilities (4-row strips), then the GEMM's packing space. */
  float *s = scratch, *p = scratch + nq * nk, *gs = scratch + 2 * nq * nk;
  const int strips = nk <= KC ? nq / 4 : 0; /* rows packed by the softmax (one contraction block) */
  /* The sparse paths' kept-key lists (in the scores' space) and counts (in the probabilities'). */
  int *idx = (int *)s, *counts = (int *)p;
  int sparse = bias != 0 && bias_stride == 0 && sparse_pays(bias, nq, nk, idx, counts), b = 0;
  /* A mask shared by the batch: four entries at a time, one per lane. */
  if (sparse && dh % 4 == 0)
    for (; b < batch; b += 4) {
      const int lanes = batch - b < 4 ? batch - b : 4;
      for (int h = 0; h < heads; h++) {
        float *kt = gs, *vt = gs + 4 * nk * dh, *qt = vt + 4 * nk * dh, *sc = qt + 4 * nq * dh;
        interleave4(q + b * nq * ld + h * dh, nq * ld, lanes, ld, nq, dh, qt);
        interleave4(k + b * nk * ld + h * dh, nk * ld, lanes, ld, nk, dh, kt);
        interleave4(v + b * nk * ld + h * dh, nk * ld, lanes, ld, nk, dh, vt);
        lanes_head(nq * ld, lanes, ld, nq, nk, dh, bias, idx, counts, scale, kt, vt, qt, sc,
                   out + b * nq * ld + h * dh);
      }
    }
  for (; b < batch; b++) {
    const float *bb = bias == 0 ? 0 : bias + b * bias_stride;
    if (bias_stride != 0) sparse = sparse_pays(bb, nq, nk, idx, counts);
    if (sparse) {
      /* K and V head-major: each head's rows contiguous. */
      float *kp = gs, *vp = gs + nk * ld, *row = gs + 2 * nk * ld;
      split_heads(k + b * nk * ld, nk, heads, dh, kp);
      split_heads(v + b * nk * ld, nk, heads, dh, vp);
      for (int h = 0; h < heads; h++)
        for (int i = 0; i < nq; i++)
          sparse_row(q + (b * nq + i) * ld + h * dh, kp + h * nk * dh, vp + h * nk * dh, dh, bb + i * nk, idx + i * nk, counts[i], dh, scale,
                     row, out + (b * nq + i) * ld + h * dh);
      continue;
    }
    for (int h = 0; h < heads; h++) {
      const float *qb = q + b * nq * ld + h * dh, *kb = k + b * nk * ld + h * dh, *vb = v + b * nk * ld + h * dh;
      float *ob = out + b * nq * ld + h * dh;
      gemm_plain(qb, ld, 1, 0, 0, kb, ld, 1, s, nk, nq, nk, dh, gs, 0);
      for (int t = 0; t < strips; t++) softmax_strip(s + 4 * t * nk, bb == 0 ? 0 : bb + 4 * t * nk, nk, scale, p + 4 * t * nk);
      for (int i = 4 * strips; i < nq; i++) softmax_row(s + i * nk, bb == 0 ? 0 : bb + i * nk, nk, scale);
      if (strips > 0) gemm_packed_a(p, strips, vb, ld, ob, ld, dh, nk, gs);
      if (4 * strips < nq) gemm_plain(s + 4 * strips * nk, nk, 1, 0, 0, vb, ld, 0, ob + 4 * strips * ld, ld, nq - 4 * strips, dh, nk, gs, 0);
    }
  }
}
