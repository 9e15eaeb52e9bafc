/*
 * Non-affine layer normalisation over the last axis and its input gradient, in place on the tfjs
 * wasm heap, for the NacLayerNorm / NacLayerNormGrad kernels of the wasm backend (composed of tfjs
 * ops, one layer norm is about 7 kernels forward and 20 backward).
 *
 *   layerNorm(heap, mode, xOffset, dyOffset, outOffset, rows, d, eps)
 *     mode 0: out = (x − μ)·r, r = 1/√(σ² + eps), σ² the biased variance of each row (dyOffset unused)
 *     mode 1: out = r·(dy − mean(dy) − ŷ·mean(dy·ŷ)), ŷ = (x − μ)·r recomputed
 *
 * The computation is core/layer-norm-core.h (shared with the wasm SIMD module); this file checks arguments.
 */
#include "napi-args.h"
#include "core/layer-norm-core.h"

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
    nac_ln_forward(x, out, rows, d, eps);
  else
    nac_ln_backward(x, (const float *)(heap + dy_off), out, rows, d, eps);
  return NULL;
}
