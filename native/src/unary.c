/*
 * unary(heap, op, xOffset, outOffset, n): an elementwise function (unary-math.h's op codes: 0 exp,
 * 1 log, 2 log1p, 3 erf, 4 softplus) over n floats, in place on the tfjs wasm heap, for the wasm
 * kernels of src/engine/kernels/unary-native.ts.
 */
#include "napi-args.h"
#include "unary-math.h"

napi_value nac_unary(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 5) THROW(env, "unary: expected 5 arguments");
  char *heap = NULL;
  uint64_t len = 0;
  if (!get_heap(env, argv[0], &heap, &len)) THROW(env, "unary: heap must be an ArrayBuffer (the wasm memory buffer)");
  int64_t v[4];
  for (int i = 0; i < 4; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "unary: op, offsets and size must be non-negative integers");
  }
  const int64_t op = v[0], x_off = v[1], out_off = v[2], n = v[3];
  if (n > ((int64_t)1 << 40)) THROW(env, "unary: bad size");
  const uint64_t bytes = 4u * (uint64_t)n;
  if (((x_off | out_off) & 3) != 0 || (uint64_t)x_off + bytes > len || (uint64_t)out_off + bytes > len)
    THROW(env, "unary: operand out of the heap's bounds or misaligned");
  if (op > 4) THROW(env, "unary: unknown op (0 exp, 1 log, 2 log1p, 3 erf, 4 softplus)");
  if (n > 0) nac_unary_apply((int)op, (const float *)(heap + x_off), (float *)(heap + out_off), n);
  return NULL;
}

/*
 * gelu(heap, mode, xOffset, dyOffset, outOffset, n): exact GELU (mode 0) or its input gradient for
 * upstream dy (mode 1; dyOffset unused in mode 0), for src/engine/kernels/gelu-native.ts.
 */
napi_value nac_gelu(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 6) THROW(env, "gelu: expected 6 arguments");
  char *heap = NULL;
  uint64_t len = 0;
  if (!get_heap(env, argv[0], &heap, &len)) THROW(env, "gelu: heap must be an ArrayBuffer (the wasm memory buffer)");
  int64_t v[5];
  for (int i = 0; i < 5; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "gelu: mode, offsets and size must be non-negative integers");
  }
  const int64_t mode = v[0], x_off = v[1], dy_off = v[2], out_off = v[3], n = v[4];
  if (mode > 1) THROW(env, "gelu: mode must be 0 (forward) or 1 (input gradient)");
  if (n > ((int64_t)1 << 40)) THROW(env, "gelu: bad size");
  const uint64_t bytes = 4u * (uint64_t)n;
  if (((x_off | out_off | (mode == 1 ? dy_off : 0)) & 3) != 0 || (uint64_t)x_off + bytes > len || (uint64_t)out_off + bytes > len ||
      (mode == 1 && (uint64_t)dy_off + bytes > len))
    THROW(env, "gelu: operand out of the heap's bounds or misaligned");
  if (n > 0) nac_gelu_apply((int)mode, (const float *)(heap + x_off), (const float *)(heap + dy_off), (float *)(heap + out_off), n);
  return NULL;
}
