/*
 * Uniform counter-hash noise (src/engine/random.ts) in 128-bit WebAssembly SIMD, four elements per
 * step, bit for bit what the JavaScript hashNoiseArray computes: bits_i = h(h(i ⊕ key) + key) with
 * lowbias32 h, u_i = (bits_i >> 8)·2⁻²⁴, out_i = lo + range·u_i in float32.
 *
 *   hash_uniform(out, n, key, lo, range)
 *
 * Normal noise by Box–Muller on two such streams, z_i = sqrt(-2 ln u1_i)·cos(2π u2_i) with u1 = u + 2⁻²⁵
 * under key1 (in (0, 1)) and u2 under key2, in float32 with the polynomials below (within a few ulp
 * of the float64 JavaScript, which the cpu backend keeps):
 *
 *   hash_normal(out, n, key1, key2)
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define F(v) wasm_f32x4_splat(v)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define SEL(mask, a, b) wasm_v128_bitselect(a, b, mask) /* mask ? a : b */

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

/*
 * ln x for normal positive float32 x: x = m·2^e with m in [√½, √2), ln m = 2 atanh(s) for s = (m-1)/(m+1),
 * |s| ≤ 0.172, by its series to s⁹ (truncation under 1e-9), plus e·ln 2 in two parts.
 */
static inline v128_t log4(v128_t x) {
  v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(x, 23), wasm_i32x4_splat(127));
  v128_t m = wasm_v128_or(wasm_v128_and(x, wasm_i32x4_splat(0x007fffff)), wasm_i32x4_splat(0x3f800000)); /* [1, 2) */
  const v128_t big = wasm_f32x4_gt(m, F(1.41421356f));
  m = SEL(big, MUL(m, F(0.5f)), m);
  e = wasm_i32x4_sub(e, big); /* big lanes are -1: e + 1 */
  const v128_t s = wasm_f32x4_div(SUB(m, F(1.0f)), ADD(m, F(1.0f))), s2 = MUL(s, s);
  v128_t p = F(2.0f / 9.0f);
  p = ADD(MUL(p, s2), F(2.0f / 7.0f));
  p = ADD(MUL(p, s2), F(2.0f / 5.0f));
  p = ADD(MUL(p, s2), F(2.0f / 3.0f));
  p = ADD(MUL(p, s2), F(2.0f));
  const v128_t ef = wasm_f32x4_convert_i32x4(e);
  return ADD(MUL(ef, F(0.693359375f)), ADD(MUL(ef, F(-2.12194440e-4f)), MUL(p, s)));
}

/*
 * cos 2πu for u in [0, 1): reduced to b = the distance of u to the nearest integer or half-integer
 * mirror, in [0, ¼], then cos 2πb (b ≤ ⅛) or sin 2π(¼ - b) (b > ⅛), each a Taylor polynomial on
 * [0, π/4] (truncation under 1e-9; no cancellation near the zeros of cos), sign flipped past a quarter.
 */
static inline v128_t cos2pi4(v128_t u) {
  const v128_t a = wasm_f32x4_abs(SUB(u, wasm_f32x4_nearest(u))); /* [0, ½] */
  const v128_t flip = wasm_f32x4_gt(a, F(0.25f));
  const v128_t b = SEL(flip, SUB(F(0.5f), a), a); /* [0, ¼]: cos 2πa = ∓cos 2πb */
  const v128_t useSin = wasm_f32x4_gt(b, F(0.125f));
  const v128_t x = MUL(SEL(useSin, SUB(F(0.25f), b), b), F(6.28318530717958648f)), x2 = MUL(x, x); /* [0, π/4] */
  v128_t c = F(1.0f / 479001600.0f); /* cos: 1 - x²/2! + … - x¹⁰/10! + x¹²/12! */
  c = ADD(MUL(c, x2), F(-1.0f / 3628800.0f));
  c = ADD(MUL(c, x2), F(1.0f / 40320.0f));
  c = ADD(MUL(c, x2), F(-1.0f / 720.0f));
  c = ADD(MUL(c, x2), F(1.0f / 24.0f));
  c = ADD(MUL(c, x2), F(-0.5f));
  c = ADD(MUL(c, x2), F(1.0f));
  v128_t sn = F(-1.0f / 39916800.0f); /* sin: x - x³/3! + … - x¹¹/11! */
  sn = ADD(MUL(sn, x2), F(1.0f / 362880.0f));
  sn = ADD(MUL(sn, x2), F(-1.0f / 5040.0f));
  sn = ADD(MUL(sn, x2), F(1.0f / 120.0f));
  sn = ADD(MUL(sn, x2), F(-1.0f / 6.0f));
  sn = MUL(ADD(MUL(sn, x2), F(1.0f)), x);
  const v128_t r = SEL(useSin, sn, c);
  return SEL(flip, wasm_f32x4_neg(r), r);
}

static inline v128_t normal4(v128_t i, v128_t k1, v128_t k2) {
  const v128_t u1 = uniform4(i, k1, F(0x1p-25f), F(1.0f)), u2 = uniform4(i, k2, F(0.0f), F(1.0f));
  return MUL(wasm_f32x4_sqrt(MUL(F(-2.0f), log4(u1))), cos2pi4(u2));
}

EXPORT("hash_normal")
void hash_normal(float *out, int n, uint32_t key1, uint32_t key2) {
  const v128_t k1 = wasm_i32x4_splat((int32_t)key1), k2 = wasm_i32x4_splat((int32_t)key2);
  v128_t i = wasm_i32x4_make(0, 1, 2, 3);
  const v128_t four = wasm_i32x4_splat(4);
  int j = 0;
  for (; j + 4 <= n; j += 4, i = wasm_i32x4_add(i, four)) wasm_v128_store(out + j, normal4(i, k1, k2));
  for (; j < n; j++) out[j] = wasm_f32x4_extract_lane(normal4(wasm_i32x4_splat(j), k1, k2), 0);
}
