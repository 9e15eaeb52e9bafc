/*
 * Elementwise a OP b with broadcasting (OP: 0 add, 1 subtract, 2 multiply, 3 divide), in place on the
 * tfjs wasm heap, for the wasm kernels of src/engine/kernels/binary-native.ts. tfjs-backend-wasm's
 * broadcasting path runs at about 3 ns per element for shapes such as [32, 80, 128] × [128] (a bias or
 * a per-channel scale); core/binary-core.h (shared with the wasm SIMD module) vectorises for the CPU.
 *
 *   binary(heap, op, aOffset, bOffset, outOffset, d0, d1, d2, d3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3)
 *
 * The caller collapses the broadcast to at most 4 dims (out is dense [d0, d1, d2, d3]); sa/sb are element
 * strides of a and b per dim, 0 where that operand is broadcast; the innermost strides are 0 or 1.
 */
#include "napi-args.h"
#include "core/binary-core.h"

/* Largest element offset (+1) an operand with these strides reaches. */
static uint64_t extent(const int64_t *d, const int64_t *s) {
  uint64_t e = 1;
  for (int k = 0; k < 4; k++) e += (uint64_t)(d[k] - 1) * (uint64_t)s[k];
  return e;
}

napi_value nac_binary(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 17;
  napi_value argv[17];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 17) THROW(env, "binary: expected 17 arguments");
  char *heap = NULL;
  uint64_t len = 0;
  if (!get_heap(env, argv[0], &heap, &len)) THROW(env, "binary: heap must be an ArrayBuffer (the wasm memory buffer)");
  int64_t v[16];
  for (int i = 0; i < 16; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "binary: op, offsets, dims and strides must be non-negative integers");
  }
  const int64_t op = v[0], a_off = v[1], b_off = v[2], out_off = v[3];
  const int64_t *d = v + 4, *sa = v + 8, *sb = v + 12;
  if (op > 3) THROW(env, "binary: unknown op (0 add, 1 subtract, 2 multiply, 3 divide)");
  if (sa[3] > 1 || sb[3] > 1) THROW(env, "binary: innermost strides must be 0 or 1");
  uint64_t n = 1;
  for (int k = 0; k < 4; k++) {
    if (d[k] > ((int64_t)1 << 40) || sa[k] > ((int64_t)1 << 40) || sb[k] > ((int64_t)1 << 40)) THROW(env, "binary: bad shape");
    n *= (uint64_t)d[k];
  }
  if (n == 0) return NULL;
  if (n > ((uint64_t)1 << 40)) THROW(env, "binary: bad shape");
  if (((a_off | b_off | out_off) & 3) != 0 || (uint64_t)out_off + 4 * n > len || (uint64_t)a_off + 4 * extent(d, sa) > len ||
      (uint64_t)b_off + 4 * extent(d, sb) > len)
    THROW(env, "binary: operand out of the heap's bounds or misaligned");
  const float *a = (const float *)(heap + a_off), *b = (const float *)(heap + b_off);
  float *o = (float *)(heap + out_off);
  nac_binary_apply((int)op, a, b, o, d, sa, sb);
  return NULL;
}
