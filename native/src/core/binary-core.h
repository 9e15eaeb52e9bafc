/*
 * Elementwise a OP b with broadcasting over a dense [d0, d1, d2, d3] output (OP: 0 add, 1 subtract,
 * 2 multiply, 3 divide; sa/sb element strides of a and b per dim, 0 where broadcast, innermost 0 or 1):
 * the compute core of native/src/binary.c and of the wasm SIMD module (wasm/src/kernels.c). The inner
 * rows vectorise.
 */
#ifndef NAC_BINARY_CORE_H
#define NAC_BINARY_CORE_H
#include "kernel-attrs.h"

/* One op's inner row, for each combination of innermost strides (1 = contiguous, 0 = one value). */
#define DEFINE_ROW(name, EXPR)                                                                                          \
  static inline void name(const float *restrict a, const float *restrict b, float *restrict o, int64_t n, int ca, int cb) { \
    if (ca && cb) {                                                                                                     \
      for (int64_t j = 0; j < n; j++) {                                                                                 \
        const float x = a[j], y = b[j];                                                                                 \
        o[j] = EXPR;                                                                                                    \
      }                                                                                                                 \
    } else if (ca) {                                                                                                    \
      const float y = b[0];                                                                                             \
      for (int64_t j = 0; j < n; j++) {                                                                                 \
        const float x = a[j];                                                                                           \
        o[j] = EXPR;                                                                                                    \
      }                                                                                                                 \
    } else if (cb) {                                                                                                    \
      const float x = a[0];                                                                                             \
      for (int64_t j = 0; j < n; j++) {                                                                                 \
        const float y = b[j];                                                                                           \
        o[j] = EXPR;                                                                                                    \
      }                                                                                                                 \
    } else {                                                                                                            \
      const float x = a[0], y = b[0], v = EXPR;                                                                         \
      for (int64_t j = 0; j < n; j++) o[j] = v;                                                                         \
    }                                                                                                                   \
  }

DEFINE_ROW(row_add, x + y)
DEFINE_ROW(row_sub, x - y)
DEFINE_ROW(row_mul, x *y)
DEFINE_ROW(row_div, x / y)

typedef void (*row_fn)(const float *restrict, const float *restrict, float *restrict, int64_t, int, int);

#define DEFINE_APPLY(name, ROW)                                                                                       \
  NAC_CLONES static void name(const float *a, const float *b, float *o, const int64_t *d, const int64_t *sa, const int64_t *sb) { \
    for (int64_t i0 = 0; i0 < d[0]; i0++)                                                                             \
      for (int64_t i1 = 0; i1 < d[1]; i1++)                                                                           \
        for (int64_t i2 = 0; i2 < d[2]; i2++) {                                                                       \
          const int64_t ao = i0 * sa[0] + i1 * sa[1] + i2 * sa[2], bo = i0 * sb[0] + i1 * sb[1] + i2 * sb[2];         \
          ROW(a + ao, b + bo, o + ((i0 * d[1] + i1) * d[2] + i2) * d[3], d[3], sa[3] != 0, sb[3] != 0);               \
        }                                                                                                             \
  }

DEFINE_APPLY(apply_add, row_add)
DEFINE_APPLY(apply_sub, row_sub)
DEFINE_APPLY(apply_mul, row_mul)
DEFINE_APPLY(apply_div, row_div)

/* Applies op (0 add, 1 subtract, 2 multiply, other: divide). */
static inline void nac_binary_apply(int op, const float *a, const float *b, float *o, const int64_t *d, const int64_t *sa, const int64_t *sb) {
  switch (op) {
    case 0: apply_add(a, b, o, d, sa, sb); break;
    case 1: apply_sub(a, b, o, d, sa, sb); break;
    case 2: apply_mul(a, b, o, d, sa, sb); break;
    default: apply_div(a, b, o, d, sa, sb); break;
  }
}

#endif
