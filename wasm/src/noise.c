/*
 * Uniform counter-hash noise (src/engine/random.ts) in 128-bit WebAssembly SIMD, four elements per
 * step, bit for bit what the JavaScript hashNoiseArray computes: bits_i = h(h(i ⊕ key) + key) with
 * lowbias32 h, u_i = (bits_i >> 8)·2⁻²⁴, out_i = lo + range·u_i in float32.
 *
 *   hash_uniform(out, n, key, lo, range)
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

static inline v128_t lowbias32(v128_t x) {
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat(0x7feb352d));
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 15));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat((int32_t)0x846ca68b));
  return wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
}

static inline v128_t uniform4(v128_t i, v128_t key, v128_t lo, v128_t range) {
  const v128_t bits = lowbias32(wasm_i32x4_add(lowbias32(wasm_v128_xor(i, key)), key));
  const v128_t u = wasm_f32x4_mul(wasm_f32x4_convert_u32x4(wasm_u32x4_shr(bits, 8)), wasm_f32x4_splat(0x1p-24f));
  return wasm_f32x4_add(lo, wasm_f32x4_mul(range, u));
}

EXPORT("hash_uniform")
void hash_uniform(float *out, int n, uint32_t key, float lo, float range) {
  const v128_t k = wasm_i32x4_splat((int32_t)key), l = wasm_f32x4_splat(lo), r = wasm_f32x4_splat(range);
  v128_t i = wasm_i32x4_make(0, 1, 2, 3);
  const v128_t four = wasm_i32x4_splat(4);
  int j = 0;
  for (; j + 4 <= n; j += 4, i = wasm_i32x4_add(i, four)) wasm_v128_store(out + j, uniform4(i, k, l, r));
  for (; j < n; j++) out[j] = wasm_f32x4_extract_lane(uniform4(wasm_i32x4_splat(j), k, l, r), 0);
}
