/*
 * Sum over a contiguous block of axes that is not innermost ([outer, reduced, inner] → [outer, inner]),
 * accumulated in double (acc: `inner` doubles of scratch): the compute core of native/src/sum.c and of
 * the wasm SIMD module (wasm/src/kernels.c). The row loop vectorises.
 */
#ifndef NAC_SUM_CORE_H
#define NAC_SUM_CORE_H
#include "kernel-attrs.h"

NAC_CLONES static void nac_core_sum_rows(const float *restrict x, float *restrict out, double *restrict acc, int64_t outer, int64_t reduced,
                                         int64_t inner) {
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t i = 0; i < inner; i++) acc[i] = 0;
    const float *restrict base = x + o * reduced * inner;
    for (int64_t r = 0; r < reduced; r++) {
      const float *restrict row = base + r * inner;
      for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
    }
    float *restrict dst = out + o * inner;
    for (int64_t i = 0; i < inner; i++) dst[i] = (float)acc[i];
  }
}

#endif
