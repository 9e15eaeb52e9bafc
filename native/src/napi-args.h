/*
 * Argument helpers shared by the add-on's source files: integer, number and flag arguments read
 * with range checks, and THROW for a JavaScript Error from inside a napi callback.
 */
#ifndef NAC_NAPI_ARGS_H
#define NAC_NAPI_ARGS_H
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

#define THROW(env, msg)                        \
  do {                                         \
    napi_throw_error((env), "NAC_BLAS", (msg)); \
    return NULL;                               \
  } while (0)

/* A non-negative integral JavaScript number (up to 2^53 - 1). */
static inline int get_i64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return 0;
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  if (!(d >= 0 && d <= 9007199254740991.0) || d != (double)(int64_t)d) return 0;
  *out = (int64_t)d;
  return 1;
}

static inline int get_f64(napi_env env, napi_value v, double *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return 0;
  return napi_get_value_double(env, v, out) == napi_ok;
}

static inline int get_flag(napi_env env, napi_value v, int *out) {
  napi_value b;
  bool flag;
  if (napi_coerce_to_bool(env, v, &b) != napi_ok || napi_get_value_bool(env, b, &flag) != napi_ok) return 0;
  *out = flag ? 1 : 0;
  return 1;
}

/* The wasm heap argument: an ArrayBuffer's address and length. */
static inline int get_heap(napi_env env, napi_value v, char **data, uint64_t *len) {
  bool is_ab = false;
  napi_is_arraybuffer(env, v, &is_ab);
  if (!is_ab) return 0;
  void *p = NULL;
  size_t n = 0;
  if (napi_get_arraybuffer_info(env, v, &p, &n) != napi_ok) return 0;
  *data = (char *)p;
  *len = n;
  return 1;
}

/* napi callbacks of depthwise.c, layer-norm.c, sum.c, unary.c and binary.c. */
napi_value nac_depthwise(napi_env env, napi_callback_info cbinfo);
napi_value nac_layer_norm(napi_env env, napi_callback_info cbinfo);
napi_value nac_sum_rows(napi_env env, napi_callback_info cbinfo);
napi_value nac_unary(napi_env env, napi_callback_info cbinfo);
napi_value nac_gelu(napi_env env, napi_callback_info cbinfo);
napi_value nac_binary(napi_env env, napi_callback_info cbinfo);

#endif
