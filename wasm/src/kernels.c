/*
 * The native add-on's elementwise compute cores (native/src/core) exported from the wasm SIMD module,
 * for the plain-wasm kernels: the same code, compiled for 128-bit WebAssembly SIMD instead of x86-64.
 * Pointers are byte offsets on the tfjs heap; argument checks are the TypeScript callers' job
 * (src/engine/kernels/simd-module.ts), as there is no way to throw from here.
 *
 *   layer_norm(mode, x, dy, out, rows, d, eps)      mode 0 forward, 1 input gradient (layer-norm-core.h)
 *   layer_norm_affine(x, gamma, beta, out, rows, d, eps)  forward, then ·gamma + beta per row (eval:
 *                                                   src/engine/kernels/layer-norm-affine-simd.ts)
 *   sum_rows(x, out, scratch, outer, reduced, inner) scratch: `inner` doubles (sum-core.h)
 *   binary(op, a, b, out, d0..d3, sa0..sa3, sb0..sb3) (binary-core.h)
 */
#include "binary-core.h"
#include "layer-norm-core.h"
#include "sum-core.h"

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("layer_norm")
void layer_norm(int mode, const float *x, const float *dy, float *out, int rows, int d, double eps) {
  if (mode == 0)
    nac_ln_forward(x, out, rows, d, eps);
  else
    nac_ln_backward(x, dy, out, rows, d, eps);
}

EXPORT("sum_rows")
void sum_rows(const float *x, float *out, double *scratch, int outer, int reduced, int inner) {
  nac_core_sum_rows(x, out, scratch, outer, reduced, inner);
}

EXPORT("binary")
void binary(int op, const float *a, const float *b, float *out, int d0, int d1, int d2, int d3, int sa0, int sa1, int sa2, int sa3, int sb0,
            int sb1, int sb2, int sb3) {
  const int64_t d[4] = {d0, d1, d2, d3}, sa[4] = {sa0, sa1, sa2, sa3}, sb[4] = {sb0, sb1, sb2, sb3};
  nac_binary_apply(op, a, b, out, d, sa, sb);
}

EXPORT("layer_norm_affine")
void layer_norm_affine(const float *x, const float *gamma, const float *beta, float *out, int rows, int d, double eps) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *y = out + r * d;
    float mean, rstd;
    nac_ln_row_stats(xr, d, eps, &mean, &rstd);
    /* One pass, three roundings as the three kernels this replaces (layer norm, Multiply, Add; no
       contraction: -ffp-contract=off). */
    if (gamma != 0 && beta != 0)
      for (int i = 0; i < d; i++) y[i] = (xr[i] - mean) * rstd * gamma[i] + beta[i];
    else if (gamma != 0)
      for (int i = 0; i < d; i++) y[i] = (xr[i] - mean) * rstd * gamma[i];
    else if (beta != 0)
      for (int i = 0; i < d; i++) y[i] = (xr[i] - mean) * rstd + beta[i];
    else
      for (int i = 0; i < d; i++) y[i] = (xr[i] - mean) * rstd;
  }
}
