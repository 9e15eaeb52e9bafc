/*
 * Sum over a contiguous block of axes that is not innermost ([outer, reduced, inner] → [outer, inner]),
 * in place on the tfjs wasm heap, for the wasm Sum kernel of src/engine/kernels/sum.ts (bias gradients
 * and other broadcast reductions; the JavaScript loop there runs at several ns per element).
 *
 *   sumRows(heap, xOffset, outOffset, outer, reduced, inner)
 *
 * Accumulates in double, like the JavaScript version (core/sum-core.h, shared with the wasm SIMD module).
 */
#include <stdlib.h>

#include "napi-args.h"
#include "core/sum-core.h"

napi_value nac_sum_rows(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 6) THROW(env, "sumRows: expected 6 arguments");
  char *heap = NULL;
  uint64_t len = 0;
  if (!get_heap(env, argv[0], &heap, &len)) THROW(env, "sumRows: heap must be an ArrayBuffer (the wasm memory buffer)");
  int64_t v[5];
  for (int i = 0; i < 5; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "sumRows: offsets and sizes must be non-negative integers");
  }
  const int64_t x_off = v[0], out_off = v[1], outer = v[2], reduced = v[3], inner = v[4];
  const int64_t limit = (int64_t)1 << 40;
  if (outer > limit || reduced > limit || inner > limit) THROW(env, "sumRows: bad shape");
  const uint64_t in_bytes = 4u * (uint64_t)outer * (uint64_t)reduced * (uint64_t)inner, out_bytes = 4u * (uint64_t)outer * (uint64_t)inner;
  if (((x_off | out_off) & 3) != 0 || (uint64_t)x_off + in_bytes > len || (uint64_t)out_off + out_bytes > len)
    THROW(env, "sumRows: operand out of the heap's bounds or misaligned");
  if (outer == 0 || inner == 0) return NULL;
  double *acc = malloc((size_t)inner * sizeof(double));
  if (acc == NULL) THROW(env, "sumRows: out of memory");
  nac_core_sum_rows((const float *)(heap + x_off), (float *)(heap + out_off), acc, outer, reduced, inner);
  free(acc);
  return NULL;
}
