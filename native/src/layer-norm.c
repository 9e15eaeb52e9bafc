/*
 * Non-affine layer normalisation over the last axis and its input gradient, in place on the tfjs
 * wasm heap, for the NacLayerNorm / NacLayerNormGrad kernels of the wasm backend (composed of tfjs
 * ops, one layer norm is about 7 kernels forward and 20 backward).
 *
 *   layerNorm(heap, mode, xOffset, dyOffset, outOffset, rows, d, eps)
 *     mode 0: out = (x − μ)·r, r = 1/√(σ² + eps), σ² the biased variance of each row (dyOffset unused)
 *     mode 1: out = r·(dy − mean(dy) − ŷ·mean(dy·ŷ)), ŷ = (x − μ)·r recomputed
 *
 * Row statistics are summed in double, in 8 lanes; all loops vectorise (target_clones: AVX-512, AVX2, baseline).
 */
#include <math.h>

#include "napi-args.h"

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

/*
 * Row sums in LANES independent double accumulators, combined in a fixed order at the end: the compiler
 * may then vectorise them without reassociating (a single accumulator is a serial chain of 4-cycle
 * additions), and every clone (AVX-512, AVX2, baseline) adds in the same order, so gives the same bits.
 */
#define LANES 8

static inline double combine(const double *acc) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Mean and 1/√(σ² + eps) of one row. */
CLONES static void row_stats(const float *restrict x, int64_t d, double eps, float *mean, float *rstd) {
  double s[LANES] = {0};
  int64_t i = 0;
  for (; i + LANES <= d; i += LANES)
    for (int j = 0; j < LANES; j++) s[j] += x[i + j];
  double sum = combine(s);
  for (; i < d; i++) sum += x[i];
  const double m = sum / (double)d;
  double v[LANES] = {0};
  for (i = 0; i + LANES <= d; i += LANES)
    for (int j = 0; j < LANES; j++) {
      const double c = x[i + j] - m;
      v[j] += c * c;
    }
  double var = combine(v);
  for (; i < d; i++) {
    const double c = x[i] - m;
    var += c * c;
  }
  *mean = (float)m;
  *rstd = (float)(1.0 / sqrt(var / (double)d + eps));
}

CLONES static void forward(const float *restrict x, float *restrict y, int64_t rows, int64_t d, double eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * d;
    float *restrict yr = y + r * d;
    float mean, rstd;
    row_stats(xr, d, eps, &mean, &rstd);
    for (int64_t i = 0; i < d; i++) yr[i] = (xr[i] - mean) * rstd;
  }
}

CLONES static void backward(const float *restrict x, const float *restrict dy, float *restrict dx, int64_t rows, int64_t d, double eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * d;
    const float *restrict gr = dy + r * d;
    float *restrict out = dx + r * d;
    float mean, rstd;
    row_stats(xr, d, eps, &mean, &rstd);
    double ga[LANES] = {0}, gya[LANES] = {0};
    int64_t i = 0;
    for (; i + LANES <= d; i += LANES)
      for (int j = 0; j < LANES; j++) {
        ga[j] += gr[i + j];
        gya[j] += (double)gr[i + j] * ((xr[i + j] - mean) * rstd);
      }
    double g = combine(ga), gy = combine(gya);
    for (; i < d; i++) {
      g += gr[i];
      gy += (double)gr[i] * ((xr[i] - mean) * rstd);
    }
    const float gMean = (float)(g / (double)d), gyMean = (float)(gy / (double)d);
    for (i = 0; i < d; i++) out[i] = rstd * (gr[i] - gMean - (xr[i] - mean) * rstd * gyMean);
  }
}

napi_value nac_layer_norm(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 8) THROW(env, "layerNorm: expected 8 arguments");
  char *heap = NULL;
  uint64_t len = 0;
  if (!get_heap(env, argv[0], &heap, &len)) THROW(env, "layerNorm: heap must be an ArrayBuffer (the wasm memory buffer)");
  int64_t v[6];
  for (int i = 0; i < 6; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "layerNorm: mode, offsets and sizes must be non-negative integers");
  }
  double eps;
  if (!get_f64(env, argv[7], &eps) || !(eps >= 0)) THROW(env, "layerNorm: eps must be a non-negative number");
  const int64_t mode = v[0], x_off = v[1], dy_off = v[2], out_off = v[3], rows = v[4], d = v[5];
  if (mode > 1) THROW(env, "layerNorm: mode must be 0 (forward) or 1 (input gradient)");
  if (rows > ((int64_t)1 << 40) || d > ((int64_t)1 << 40)) THROW(env, "layerNorm: bad shape");
  const uint64_t bytes = 4u * (uint64_t)rows * (uint64_t)d;
  if (((x_off | out_off | (mode == 1 ? dy_off : 0)) & 3) != 0 || (uint64_t)x_off + bytes > len || (uint64_t)out_off + bytes > len ||
      (mode == 1 && (uint64_t)dy_off + bytes > len))
    THROW(env, "layerNorm: operand out of the heap's bounds or misaligned");
  if (rows == 0 || d == 0) return NULL;
  const float *x = (const float *)(heap + x_off);
  float *out = (float *)(heap + out_off);
  if (mode == 0)
    forward(x, out, rows, d, eps);
  else
    backward(x, (const float *)(heap + dy_off), out, rows, d, eps);
  return NULL;
}
