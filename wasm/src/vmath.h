/*
 * Vector helpers, exp and GELU in 128-bit WebAssembly SIMD, shared by unary.c (Exp, Log, Erf, GELU,
 * ...), attention.c (softmax) and gemm.c (GEGLU after a product). exp: x = n·ln2 + r (ln2 in two parts), |r| ≤ ln2/2, e^r by a degree-7
 * polynomial, times 2^n in two steps (so results down to the subnormal range are scaled without
 * overflow); ≤ 1 ulp against float64 (test/engine/simd-wasm.test.ts).
 */
#ifndef NAC_VMATH_H
#define NAC_VMATH_H
#include <stdint.h>
#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))

#define F(v) wasm_f32x4_splat(v)
#define I(v) wasm_i32x4_splat(v)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define SEL(mask, a, b) wasm_v128_bitselect(a, b, mask) /* mask ? a : b */

/* 2^k for integer lanes k in [-126, 127]. */
INLINE v128_t pow2i(v128_t k) { return wasm_i32x4_shl(wasm_i32x4_add(k, I(127)), 23); }

/* e^r for |r| ≤ ln2/2 after x = n·ln2 + r (ln2 in two parts): the reduction and a degree-7 polynomial. */
INLINE v128_t exp_reduced(v128_t x, v128_t n) {
  const v128_t r = SUB(SUB(x, MUL(n, F(0.693359375f))), MUL(n, F(-2.12194440e-4f)));
  v128_t p = F(1.9875691500e-4f);
  p = ADD(MUL(p, r), F(1.3981999507e-3f));
  p = ADD(MUL(p, r), F(8.3334519073e-3f));
  p = ADD(MUL(p, r), F(4.1665795894e-2f));
  p = ADD(MUL(p, r), F(1.6666665459e-1f));
  p = ADD(MUL(p, r), F(5.0000001201e-1f));
  return ADD(ADD(MUL(MUL(p, r), r), r), F(1.0f));
}

INLINE v128_t exp4(v128_t x) {
  /* pmin/pmax (one x86 instruction each, where min/max take about eight): a NaN x stays NaN, as it
     is the operand returned when a comparison fails. */
  const v128_t xc = wasm_f32x4_pmax(wasm_f32x4_pmin(x, F(89.0f)), F(-104.0f));
  const v128_t n = wasm_f32x4_nearest(MUL(xc, F(1.44269504088896341f)));
  const v128_t p = exp_reduced(xc, n);
  const v128_t ni = wasm_i32x4_trunc_sat_f32x4(n); /* in [-150, 129]; NaN lanes give 0 and p is NaN there */
  const v128_t n1 = wasm_i32x4_shr(ni, 1), n2 = wasm_i32x4_sub(ni, n1);
  return MUL(MUL(p, pow2i(n1)), pow2i(n2));
}

/*
 * e^x for x in [-87, 0] only (the softmax's max-subtracted scores, clamped): the same polynomial as
 * exp4 without its clamps or its two-step scaling (2^n stays normal for n ≥ -126), and n found by the
 * round-to-nearest magic constant 1.5·2^23 instead of a float-to-int conversion, which x86 wasm
 * engines expand into several instructions.
 */
INLINE v128_t exp4_softmax(v128_t x) {
  const v128_t magic = F(12582912.0f); /* 1.5·2^23: x·log2e + magic rounds to an integer in its low bits */
  const v128_t t = ADD(MUL(x, F(1.44269504088896341f)), magic);
  const v128_t n = SUB(t, magic);
  const v128_t p = exp_reduced(x, n);
  /* t's bits minus magic's are n (two's complement in the mantissa); shifted into the exponent: 2^n. */
  return MUL(p, pow2i(wasm_i32x4_sub(t, magic)));
}

/*
 * erf for GELU: x·P(x²)/Q(x²) on |x| ≤ 4 (clamped beyond, where erf is 1 in float32), a rational fit
 * made by wasm/fit-erf.py: error 1.5e-9 in exact arithmetic, ≤ 3.9e-7 evaluated in float32 (near
 * |x| = 3.6). A third of erf4's operations and no exp; in GELU that error is under 2 ulp of the result.
 */
INLINE v128_t erf_rational4(v128_t x) {
  const v128_t xc = wasm_f32x4_pmax(wasm_f32x4_pmin(x, F(4.0f)), F(-4.0f)); /* NaN stays NaN (see exp4) */
  const v128_t z = MUL(xc, xc);
  v128_t p = F(-1.366686903e-08f);
  p = ADD(MUL(p, z), F(4.780556320e-06f));
  p = ADD(MUL(p, z), F(3.826928563e-04f));
  p = ADD(MUL(p, z), F(3.839530511e-03f));
  p = ADD(MUL(p, z), F(5.433260948e-02f));
  p = ADD(MUL(p, z), F(1.847103403e-01f));
  p = ADD(MUL(p, z), F(1.128379182e+00f));
  v128_t q = F(6.400942954e-05f);
  q = ADD(MUL(q, z), F(1.309580151e-03f));
  q = ADD(MUL(q, z), F(1.545352096e-02f));
  q = ADD(MUL(q, z), F(1.138263174e-01f));
  q = ADD(MUL(q, z), F(4.970288225e-01f));
  q = ADD(MUL(q, z), F(1.0f));
  return wasm_f32x4_div(MUL(xc, p), q);
}

INLINE v128_t gelu4(v128_t x) { return MUL(MUL(F(0.5f), x), ADD(F(1.0f), erf_rational4(MUL(x, F(0.70710678118654752f))))); }

#endif
