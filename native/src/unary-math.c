/*
 * Elementwise transcendental functions over float arrays: exp, log, log1p, erf and tfjs' softplus, and
 * the exact GELU with its gradient (one pass each instead of 5 and about 10 tfjs kernels).
 * tfjs-backend-wasm computes them one scalar libm call at a time (about 10-30 ns per element); here
 * the loops vectorise into glibc's libmvec (e.g. _ZGVeN16v_expf on AVX-512, at most 4 ulp).
 *
 * This is the only file of the add-on compiled with -ffast-math (binding.gyp's nac_fastmath
 * target), because glibc declares its vector variants only under __FAST_MATH__. Nothing here depends
 * on reassociation: every element is computed on its own, and NaN inputs still give NaN.
 */
#include <math.h>
#include <stdint.h>

#include "unary-math.h"

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

/* tfjs' softplus: exp(x) below log(eps) + 2, x above its negation, log(1 + exp(x)) between. */
static const float SOFTPLUS_THRESHOLD = -13.942385f; /* logf(FLT_EPSILON) + 2 */

CLONES static void apply_exp(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

CLONES static void apply_log(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = logf(x[i]);
}

CLONES static void apply_log1p(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = log1pf(x[i]);
}

CLONES static void apply_erf(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = erff(x[i]);
}

CLONES static void apply_softplus(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i], e = expf(v);
    y[i] = v < SOFTPLUS_THRESHOLD ? e : v > -SOFTPLUS_THRESHOLD ? v : log1pf(e);
  }
}

CLONES static void apply_gelu(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678118654752f));
}

CLONES static void apply_gelu_grad(const float *restrict x, const float *restrict dy, float *restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.0f + erff(v * 0.70710678118654752f));
    out[i] = dy[i] * (cdf + v * expf(-0.5f * v * v) * 0.39894228040143268f);
  }
}

int nac_gelu_apply(int mode, const float *x, const float *dy, float *out, int64_t n) {
  switch (mode) {
    case 0: apply_gelu(x, out, n); return 1;
    case 1: apply_gelu_grad(x, dy, out, n); return 1;
    default: return 0;
  }
}

int nac_unary_apply(int op, const float *x, float *y, int64_t n) {
  switch (op) {
    case NAC_UNARY_EXP: apply_exp(x, y, n); return 1;
    case NAC_UNARY_LOG: apply_log(x, y, n); return 1;
    case NAC_UNARY_LOG1P: apply_log1p(x, y, n); return 1;
    case NAC_UNARY_ERF: apply_erf(x, y, n); return 1;
    case NAC_UNARY_SOFTPLUS: apply_softplus(x, y, n); return 1;
    default: return 0;
  }
}
