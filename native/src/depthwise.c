/*
 * Depthwise 2-D convolution (channel multiplier 1) and its two gradients, in place on the tfjs wasm
 * heap, for the wasm backend's DepthwiseConv2dNative and its backprop kernels (tfjs-backend-wasm 4.22
 * runs the forward slowly and has no backprop kernels at all).
 *
 *   depthwise(heap, mode, aOffset, bOffset, outOffset, B, H, W, C, OH, OW, FH, FW, SH, SW, DH, DW, top, left)
 *     mode 0, forward:      a = x [B,H,W,C],   b = filter [FH,FW,C], out = y  [B,OH,OW,C]
 *     mode 1, input grad:   a = dy [B,OH,OW,C], b = filter,          out = dx [B,H,W,C]
 *     mode 2, filter grad:  a = x,             b = dy,              out = dw [FH,FW,C]
 *
 * Layouts are NHWC, row-major; output pixel (oh, ow) reads input (oh*SH - top + kh*DH, ow*SW - left +
 * kw*DW), windows outside the image count as zero. Every inner loop runs over contiguous channels, so
 * the compiler vectorises it; target_clones builds AVX-512, AVX2 and baseline versions and picks one
 * at load time. The filter gradient sums each image in float and the batch in double.
 */
#include <stdlib.h>
#include <string.h>

#include "napi-args.h"

typedef struct {
  int64_t B, H, W, C, OH, OW, FH, FW, SH, SW, DH, DW, top, left;
} geom;

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

static inline int64_t in_row(const geom *g, int64_t o, int64_t k) { return o * g->SH - g->top + k * g->DH; }
static inline int64_t in_col(const geom *g, int64_t o, int64_t k) { return o * g->SW - g->left + k * g->DW; }

CLONES static void forward(const geom *g, const float *restrict x, const float *restrict w, float *restrict y) {
  const int64_t C = g->C;
  for (int64_t b = 0; b < g->B; b++)
    for (int64_t oh = 0; oh < g->OH; oh++)
      for (int64_t ow = 0; ow < g->OW; ow++) {
        float *restrict yr = y + ((b * g->OH + oh) * g->OW + ow) * C;
        memset(yr, 0, (size_t)C * sizeof(float));
        for (int64_t kh = 0; kh < g->FH; kh++) {
          const int64_t ih = in_row(g, oh, kh);
          if (ih < 0 || ih >= g->H) continue;
          for (int64_t kw = 0; kw < g->FW; kw++) {
            const int64_t iw = in_col(g, ow, kw);
            if (iw < 0 || iw >= g->W) continue;
            const float *restrict xr = x + ((b * g->H + ih) * g->W + iw) * C;
            const float *restrict wr = w + (kh * g->FW + kw) * C;
            for (int64_t c = 0; c < C; c++) yr[c] += xr[c] * wr[c];
          }
        }
      }
}

CLONES static void input_grad(const geom *g, const float *restrict dy, const float *restrict w, float *restrict dx) {
  const int64_t C = g->C;
  memset(dx, 0, (size_t)(g->B * g->H * g->W * C) * sizeof(float));
  for (int64_t b = 0; b < g->B; b++)
    for (int64_t oh = 0; oh < g->OH; oh++)
      for (int64_t ow = 0; ow < g->OW; ow++) {
        const float *restrict dr = dy + ((b * g->OH + oh) * g->OW + ow) * C;
        for (int64_t kh = 0; kh < g->FH; kh++) {
          const int64_t ih = in_row(g, oh, kh);
          if (ih < 0 || ih >= g->H) continue;
          for (int64_t kw = 0; kw < g->FW; kw++) {
            const int64_t iw = in_col(g, ow, kw);
            if (iw < 0 || iw >= g->W) continue;
            float *restrict xr = dx + ((b * g->H + ih) * g->W + iw) * C;
            const float *restrict wr = w + (kh * g->FW + kw) * C;
            for (int64_t c = 0; c < C; c++) xr[c] += dr[c] * wr[c];
          }
        }
      }
}

CLONES static void filter_grad(const geom *g, const float *restrict x, const float *restrict dy, float *restrict dw, float *restrict part,
                               double *restrict acc) {
  const int64_t C = g->C;
  for (int64_t kh = 0; kh < g->FH; kh++)
    for (int64_t kw = 0; kw < g->FW; kw++) {
      memset(acc, 0, (size_t)C * sizeof(double));
      for (int64_t b = 0; b < g->B; b++) {
        memset(part, 0, (size_t)C * sizeof(float));
        for (int64_t oh = 0; oh < g->OH; oh++) {
          const int64_t ih = in_row(g, oh, kh);
          if (ih < 0 || ih >= g->H) continue;
          for (int64_t ow = 0; ow < g->OW; ow++) {
            const int64_t iw = in_col(g, ow, kw);
            if (iw < 0 || iw >= g->W) continue;
            const float *restrict xr = x + ((b * g->H + ih) * g->W + iw) * C;
            const float *restrict dr = dy + ((b * g->OH + oh) * g->OW + ow) * C;
            for (int64_t c = 0; c < C; c++) part[c] += xr[c] * dr[c];
          }
        }
        for (int64_t c = 0; c < C; c++) acc[c] += part[c];
      }
      float *restrict out = dw + (kh * g->FW + kw) * C;
      for (int64_t c = 0; c < C; c++) out[c] = (float)acc[c];
    }
}

/* Does [off, off + 4*elems) lie inside a heap of `len` bytes, 4-byte aligned? */
static int inside(int64_t off, int64_t elems, uint64_t len) {
  return (off & 3) == 0 && (uint64_t)off + 4u * (uint64_t)elems <= len;
}

napi_value nac_depthwise(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 19;
  napi_value argv[19];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 19) THROW(env, "depthwise: expected 19 arguments");
  char *heap = NULL;
  uint64_t len = 0;
  if (!get_heap(env, argv[0], &heap, &len)) THROW(env, "depthwise: heap must be an ArrayBuffer (the wasm memory buffer)");
  int64_t v[18];
  for (int i = 0; i < 18; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "depthwise: mode, offsets and sizes must be non-negative integers");
  }
  const int64_t mode = v[0], a_off = v[1], b_off = v[2], out_off = v[3];
  const geom g = {v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
  if (mode > 2) THROW(env, "depthwise: mode must be 0 (forward), 1 (input gradient) or 2 (filter gradient)");
  const int64_t limit = (int64_t)1 << 40;
  if (g.B > limit || g.H > limit || g.W > limit || g.C > limit || g.OH > limit || g.OW > limit || g.FH > limit || g.FW > limit ||
      g.SH < 1 || g.SW < 1 || g.DH < 1 || g.DW < 1)
    THROW(env, "depthwise: bad geometry");
  const int64_t in_elems = g.B * g.H * g.W * g.C, out_elems = g.B * g.OH * g.OW * g.C, w_elems = g.FH * g.FW * g.C;
  const int64_t a_elems = mode == 1 ? out_elems : in_elems;
  const int64_t b_elems = mode == 2 ? out_elems : w_elems;
  const int64_t o_elems = mode == 0 ? out_elems : mode == 1 ? in_elems : w_elems;
  if (!inside(a_off, a_elems, len) || !inside(b_off, b_elems, len) || !inside(out_off, o_elems, len))
    THROW(env, "depthwise: operand out of the heap's bounds or misaligned");
  const float *a = (const float *)(heap + a_off);
  const float *b = (const float *)(heap + b_off);
  float *out = (float *)(heap + out_off);
  if (mode == 0) {
    forward(&g, a, b, out);
  } else if (mode == 1) {
    input_grad(&g, a, b, out);
  } else {
    float *part = malloc((size_t)(g.C > 0 ? g.C : 1) * sizeof(float));
    double *acc = malloc((size_t)(g.C > 0 ? g.C : 1) * sizeof(double));
    if (part == NULL || acc == NULL) {
      free(part);
      free(acc);
      THROW(env, "depthwise: out of memory");
    }
    filter_grad(&g, a, b, out, part, acc);
    free(part);
    free(acc);
  }
  return NULL;
}
