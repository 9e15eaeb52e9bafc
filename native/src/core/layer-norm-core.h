/*
 * Non-affine layer normalisation over the last axis of [rows, d] and its input gradient: the compute
 * core of native/src/layer-norm.c and of the wasm SIMD module (wasm/src/kernels.c).
 *
 *   forward:  y = (x − μ)·r, r = 1/√(σ² + eps), σ² the biased variance of each row
 *   backward: dx = r·(dy − mean(dy) − ŷ·mean(dy·ŷ)), ŷ = (x − μ)·r recomputed
 *
 * Row statistics are summed in double, in 8 lanes combined in a fixed order: the compiler may then
 * vectorise them without reassociating (a single accumulator is a serial chain of additions), and every
 * build (AVX-512, AVX2, baseline, wasm SIMD) adds in the same order, so gives the same bits.
 */
#ifndef NAC_LAYER_NORM_CORE_H
#define NAC_LAYER_NORM_CORE_H
#include "kernel-attrs.h"

#define NAC_LN_LANES 8

static inline double nac_ln_combine(const double *acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Mean and 1/√(σ² + eps) of one row. */
static inline __attribute__((always_inline)) void nac_ln_row_stats(const float *restrict x, int64_t d, double eps, float *mean, float *rstd) {
  double s[NAC_LN_LANES] = {0};
  int64_t i = 0;
  for (; i + NAC_LN_LANES <= d; i += NAC_LN_LANES)
    for (int j = 0; j < NAC_LN_LANES; j++) s[j] += x[i + j];
  double sum = nac_ln_combine(s);
  for (; i < d; i++) sum += x[i];
  const double m = sum / (double)d;
  double v[NAC_LN_LANES] = {0};
  for (i = 0; i + NAC_LN_LANES <= d; i += NAC_LN_LANES)
    for (int j = 0; j < NAC_LN_LANES; j++) {
      const double c = x[i + j] - m;
      v[j] += c * c;
    }
  double var = nac_ln_combine(v);
  for (; i < d; i++) {
    const double c = x[i] - m;
    var += c * c;
  }
  *mean = (float)m;
  *rstd = (float)(1.0 / __builtin_sqrt(var / (double)d + eps));
}

NAC_CLONES static void nac_ln_forward(const float *restrict x, float *restrict y, int64_t rows, int64_t d, double eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * d;
    float *restrict yr = y + r * d;
    float mean, rstd;
    nac_ln_row_stats(xr, d, eps, &mean, &rstd);
    for (int64_t i = 0; i < d; i++) yr[i] = (xr[i] - mean) * rstd;
  }
}

NAC_CLONES static void nac_ln_backward(const float *restrict x, const float *restrict dy, float *restrict dx, int64_t rows, int64_t d,
                                       double eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * d;
    const float *restrict gr = dy + r * d;
    float *restrict out = dx + r * d;
    float mean, rstd;
    nac_ln_row_stats(xr, d, eps, &mean, &rstd);
    double ga[NAC_LN_LANES] = {0}, gya[NAC_LN_LANES] = {0};
    int64_t i = 0;
    for (; i + NAC_LN_LANES <= d; i += NAC_LN_LANES)
      for (int j = 0; j < NAC_LN_LANES; j++) {
        ga[j] += gr[i + j];
        gya[j] += (double)gr[i + j] * ((xr[i + j] - mean) * rstd);
      }
    double g = nac_ln_combine(ga), gy = nac_ln_combine(gya);
    for (; i < d; i++) {
      g += gr[i];
      gy += (double)gr[i] * ((xr[i] - mean) * rstd);
    }
    const float gMean = (float)(g / (double)d), gyMean = (float)(gy / (double)d);
    for (i = 0; i < d; i++) out[i] = rstd * (gr[i] - gMean - (xr[i] - mean) * rstd * gyMean);
  }
}

#endif
