/*
 * Exp, Log, Log1p, Erf and tfjs' Softplus over float32 arrays in 128-bit WebAssembly SIMD, for the
 * plain-wasm kernels of src/engine/kernels/unary-native.ts (tfjs-backend-wasm makes one scalar libm call
 * per element). The native add-on uses glibc's vector math instead (native/src/unary-math.c), which
 * WebAssembly lacks, so the functions are written here:
 *
 *   exp:   x = n·ln2 + r (ln2 in two parts), |r| ≤ ln2/2, e^r by a degree-7 polynomial, times 2^n in
 *          two steps (so results down to the subnormal range are scaled without overflow)
 *   log:   x = 2^e·m with m in [√½, √2), log(m) = f − f²/2 + f³·P(f) with f = m − 1; subnormals are
 *          scaled by 2^23 first
 *   log1p: log(u)·x/(u − 1) with u = 1 + x (exact where u = 1: returns x), which cancels u's rounding
 *   erf:   |x| ≤ 1 its Taylor series; above, Abramowitz–Stegun 7.1.26, as tfjs' cpu backend computes it
 *          (absolute error ≤ 1.5e-7; near 0 its 1 − q would cancel in float32, hence the series)
 *   softplus: tfjs' definition: e^x below log(ε) + 2, x above its negation, log1p(e^x) between
 *
 * NaN gives NaN, ±∞ and 0 give what libm gives. Measured against float64 references (test/engine/
 * simd-wasm.test.ts): exp, log ≤ 1 ulp, log1p and softplus ≤ 3 ulp, erf ≤ 2e-7 absolute, GELU and its
 * gradient within 1.5e-6 (absolute, and relative where |y| > 0.1).
 *
 *   unary(op, x, out, n)   op: 0 exp, 1 log, 2 log1p, 3 erf, 4 softplus (NATIVE_UNARY_OPS)
 *   gelu(mode, x, dy, out, n)   exact GELU (mode 0) or its input gradient for upstream dy (mode 1), with
 *                               a cheaper rational erf (erf_rational4) than Erf's
 *   geglu(z, out, rows, h)      GEGLU of [rows, 2h] into [rows, h] (eval: src/engine/kernels/linear-simd.ts)
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))
#include "vmath.h"

INLINE v128_t log4(v128_t x) {
  /* Subnormals: scale into the normal range first. */
  const v128_t sub = wasm_f32x4_lt(x, F(1.17549435e-38f));
  const v128_t xs = SEL(sub, MUL(x, F(8388608.0f)), x);
  const v128_t bits = xs;
  v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(bits, 23), I(126)); /* x = 2^e · m, m in [0.5, 1) */
  e = SEL(sub, wasm_i32x4_sub(e, I(23)), e);
  v128_t m = wasm_v128_or(wasm_v128_and(bits, I(0x007fffff)), I(0x3f000000));
  const v128_t small = wasm_f32x4_lt(m, F(0.707106781186547524f));
  e = SEL(small, wasm_i32x4_sub(e, I(1)), e);
  m = SEL(small, SUB(ADD(m, m), F(1.0f)), SUB(m, F(1.0f)));
  const v128_t ef = wasm_f32x4_convert_i32x4(e);
  const v128_t z = MUL(m, m);
  v128_t p = F(7.0376836292e-2f);
  p = ADD(MUL(p, m), F(-1.1514610310e-1f));
  p = ADD(MUL(p, m), F(1.1676998740e-1f));
  p = ADD(MUL(p, m), F(-1.2420140846e-1f));
  p = ADD(MUL(p, m), F(1.4249322787e-1f));
  p = ADD(MUL(p, m), F(-1.6668057665e-1f));
  p = ADD(MUL(p, m), F(2.0000714765e-1f));
  p = ADD(MUL(p, m), F(-2.4999993993e-1f));
  p = ADD(MUL(p, m), F(3.3333331174e-1f));
  v128_t y = MUL(MUL(p, m), z);
  y = ADD(y, MUL(ef, F(-2.12194440e-4f)));
  y = SUB(y, MUL(z, F(0.5f)));
  v128_t out = ADD(ADD(m, y), MUL(ef, F(0.693359375f)));
  out = SEL(wasm_f32x4_eq(x, F(0.0f)), F(-__builtin_inff()), out);
  out = SEL(wasm_f32x4_eq(x, F(__builtin_inff())), x, out);
  return SEL(wasm_f32x4_ge(x, F(0.0f)), out, F(__builtin_nanf(""))); /* x < 0 and NaN: NaN */
}

INLINE v128_t log1p4(v128_t x) {
  const v128_t u = ADD(x, F(1.0f));
  const v128_t d = SUB(u, F(1.0f));
  v128_t out = MUL(log4(u), wasm_f32x4_div(x, d));
  out = SEL(wasm_f32x4_eq(d, F(0.0f)), x, out); /* u = 1: log1p(x) = x to float precision */
  out = SEL(wasm_f32x4_eq(x, F(__builtin_inff())), x, out);
  return SEL(wasm_f32x4_eq(x, F(-1.0f)), F(-__builtin_inff()), out);
}

INLINE v128_t erf4(v128_t x) {
  const v128_t a = wasm_f32x4_abs(x);
  /* |x| ≤ 1: the Taylor series 2/√π · Σ (−1)^k x^(2k+1) / (k! (2k+1)), to k = 11 (next term < 1e-9). */
  const v128_t z = MUL(x, x);
  v128_t s = F(-1.089222104e-09f);
  s = ADD(MUL(s, z), F(1.312253296e-08f));
  s = ADD(MUL(s, z), F(-1.450385222e-07f));
  s = ADD(MUL(s, z), F(1.458916900e-06f));
  s = ADD(MUL(s, z), F(-1.322751323e-05f));
  s = ADD(MUL(s, z), F(1.068376068e-04f));
  s = ADD(MUL(s, z), F(-7.575757576e-04f));
  s = ADD(MUL(s, z), F(4.629629630e-03f));
  s = ADD(MUL(s, z), F(-2.380952381e-02f));
  s = ADD(MUL(s, z), F(1.000000000e-01f));
  s = ADD(MUL(s, z), F(-3.333333333e-01f));
  s = ADD(MUL(s, z), F(1.000000000e+00f));
  const v128_t series = MUL(MUL(s, x), F(1.12837916709551257f));
  /* Above: Abramowitz–Stegun 7.1.26, 1 − t·P(t)·e^(−x²) with t = 1/(1 + p|x|), no cancellation there. */
  const v128_t t = wasm_f32x4_div(F(1.0f), ADD(F(1.0f), MUL(F(0.3275911f), a)));
  v128_t p = F(1.061405429f);
  p = ADD(MUL(p, t), F(-1.453152027f));
  p = ADD(MUL(p, t), F(1.421413741f));
  p = ADD(MUL(p, t), F(-0.284496736f));
  p = ADD(MUL(p, t), F(0.254829592f));
  const v128_t y = SUB(F(1.0f), MUL(MUL(p, t), exp4(wasm_f32x4_neg(z))));
  const v128_t as = wasm_v128_or(y, wasm_v128_and(x, I((int32_t)0x80000000))); /* sign of x; y ≥ 0 */
  return SEL(wasm_f32x4_le(a, F(1.0f)), series, as);
}

INLINE v128_t softplus4(v128_t x) {
  const float threshold = -13.942385f; /* logf(FLT_EPSILON) + 2, as tfjs */
  const v128_t e = exp4(x);
  const v128_t mid = log1p4(e);
  return SEL(wasm_f32x4_lt(x, F(threshold)), e, SEL(wasm_f32x4_gt(x, F(-threshold)), x, mid));
}

#define DEFINE_APPLY(name, FN)                                                           \
  static void name(const float *x, float *y, int n) {                                    \
    int i = 0;                                                                           \
    for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, FN(wasm_v128_load(x + i)));       \
    for (; i < n; i++) y[i] = wasm_f32x4_extract_lane(FN(wasm_f32x4_splat(x[i])), 0);    \
  }

DEFINE_APPLY(apply_exp, exp4)
DEFINE_APPLY(apply_log, log4)
DEFINE_APPLY(apply_log1p, log1p4)
DEFINE_APPLY(apply_erf, erf4)
DEFINE_APPLY(apply_softplus, softplus4)

/* GELU's derivative times dy: Φ(x) + x·φ(x). */
INLINE v128_t gelu_grad4(v128_t x, v128_t dy) {
  const v128_t cdf = MUL(F(0.5f), ADD(F(1.0f), erf_rational4(MUL(x, F(0.70710678118654752f)))));
  const v128_t pdf = MUL(exp4(MUL(F(-0.5f), MUL(x, x))), F(0.39894228040143268f));
  return MUL(dy, ADD(cdf, MUL(x, pdf)));
}

/* Exact GELU (mode 0) or its input gradient for upstream dy (mode 1), as native/src/unary-math.c. */
EXPORT("gelu")
void gelu(int mode, const float *x, const float *dy, float *out, int n) {
  int i = 0;
  if (mode == 0) {
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, gelu4(wasm_v128_load(x + i)));
    for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(gelu4(wasm_f32x4_splat(x[i])), 0);
  } else {
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, gelu_grad4(wasm_v128_load(x + i), wasm_v128_load(dy + i)));
    for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(gelu_grad4(wasm_f32x4_splat(x[i]), wasm_f32x4_splat(dy[i])), 0);
  }
}

/*
 * GEGLU over rows of z = [a | g] (2h wide): out[i, j] = a[i, j]·GELU(g[i, j]), out [rows, h]; GELU as
 * gelu() computes it, so this equals a Multiply of the GELU kernel's output bit for bit.
 */
EXPORT("geglu")
void geglu(const float *z, float *out, int rows, int h) {
  for (int i = 0; i < rows; i++, z += 2 * h, out += h) {
    int j = 0;
    for (; j + 4 <= h; j += 4) wasm_v128_store(out + j, MUL(wasm_v128_load(z + j), gelu4(wasm_v128_load(z + h + j))));
    for (; j < h; j++) out[j] = z[j] * wasm_f32x4_extract_lane(gelu4(wasm_f32x4_splat(z[h + j])), 0);
  }
}

EXPORT("unary")
void unary(int op, const float *x, float *out, int n) {
  switch (op) {
    case 0: apply_exp(x, out, n); break;
    case 1: apply_log(x, out, n); break;
    case 2: apply_log1p(x, out, n); break;
    case 3: apply_erf(x, out, n); break;
    default: apply_softplus(x, out, n); break;
  }
}
