/* Elementwise functions of unary-math.c (compiled with -ffast-math for libmvec), called by unary.c. */
#ifndef NAC_UNARY_MATH_H
#define NAC_UNARY_MATH_H
#include <stdint.h>

enum { NAC_UNARY_EXP = 0, NAC_UNARY_LOG = 1, NAC_UNARY_LOG1P = 2, NAC_UNARY_ERF = 3, NAC_UNARY_SOFTPLUS = 4 };

/* y[i] = f_op(x[i]) for i < n (x == y allowed); returns 0 for an unknown op. */
int nac_unary_apply(int op, const float *x, float *y, int64_t n);

/*
 * Exact GELU, mode 0: out = ½·x·(1 + erf(x/√2)); mode 1, its input gradient for upstream dy:
 * out = dy·(½·(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)). Returns 0 for an unknown mode.
 */
int nac_gelu_apply(int mode, const float *x, const float *dy, float *out, int64_t n);

#endif
