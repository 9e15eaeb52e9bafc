/* Elementwise functions of unary-math.c (compiled with -ffast-math for libmvec), called by unary.c. */
#ifndef NAC_UNARY_MATH_H
#define NAC_UNARY_MATH_H
#include <stdint.h>

enum { NAC_UNARY_EXP = 0, NAC_UNARY_LOG = 1, NAC_UNARY_LOG1P = 2, NAC_UNARY_ERF = 3, NAC_UNARY_SOFTPLUS = 4 };

/* y[i] = f_op(x[i]) for i < n (x == y allowed); returns 0 for an unknown op. */
int nac_unary_apply(int op, const float *x, float *y, int64_t n);

#endif
