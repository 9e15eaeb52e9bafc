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
 *     -Infinity mask a pair. scratch: attention_scratch_floats(nq, nk, dh) floats.
 *
 * The products are gemm-core.h's (sums in k order, as the BatchMatMul kernel computes them); the
 * softmax is max-subtracted, e^(s - max) by vmath.h's exp (0 where subnormal or masked), times 1/Σ.
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

/* Row i of the scores: s·scale + bias, then softmax in place (n entries). */
static void softmax_row(float *s, const float *bias, int n, float scale) {
  const v128_t vs = wasm_f32x4_splat(scale), ninf = wasm_f32x4_splat(-__builtin_inff());
  v128_t vmax = ninf;
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
    const v128_t x = wasm_v128_load(s + j);
    const v128_t d = SUB(x, m);
    const v128_t e = SEL(wasm_f32x4_lt(d, F(CUTOFF)), F(0.0f), exp4(wasm_f32x4_pmax(d, F(CUTOFF))));
    wasm_v128_store(s + j, e);
    vsum = ADD(vsum, e);
  }
  for (; j < n; j++) {
    const float d = s[j] - mx;
    const float e = d < CUTOFF ? 0.0f : wasm_f32x4_extract_lane(exp4(wasm_f32x4_splat(d)), 0);
    s[j] = e;
    sum += e;
  }
  sum += wasm_f32x4_extract_lane(vsum, 0) + wasm_f32x4_extract_lane(vsum, 1) + wasm_f32x4_extract_lane(vsum, 2) +
         wasm_f32x4_extract_lane(vsum, 3);
  const float inv = 1.0f / sum;
  const v128_t vinv = wasm_f32x4_splat(inv);
  for (j = 0; j + 4 <= n; j += 4) wasm_v128_store(s + j, MUL(wasm_v128_load(s + j), vinv));
  for (; j < n; j++) s[j] *= inv;
}

EXPORT("attention_scratch_floats")
int attention_scratch_floats(int nq, int nk, int dh) {
  const int a = gemm_scratch(nk, dh), b = gemm_scratch(dh, nk);
  return nq * nk + (a > b ? a : b);
}

EXPORT("attention")
void attention(const float *q, const float *k, const float *v, const float *bias, int bias_stride, float *out, float *scratch,
               int batch, int nq, int nk, int heads, int dh, float scale) {
  const int ld = heads * dh;
  float *s = scratch, *gs = scratch + nq * nk;
  for (int b = 0; b < batch; b++) {
    const float *bb = bias == 0 ? 0 : bias + b * bias_stride;
    for (int h = 0; h < heads; h++) {
      const float *qb = q + b * nq * ld + h * dh, *kb = k + b * nk * ld + h * dh, *vb = v + b * nk * ld + h * dh;
      gemm_plain(qb, ld, 1, 0, 0, kb, ld, 1, s, nk, nq, nk, dh, gs, 0);
      for (int i = 0; i < nq; i++) softmax_row(s + i * nk, bb == 0 ? 0 : bb + i * nk, nk, scale);
      gemm_plain(s, nk, 1, 0, 0, vb, ld, 0, out + b * nq * ld + h * dh, ld, nq, dh, nk, gs, 0);
    }
  }
}
