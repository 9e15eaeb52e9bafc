/*
 * nac_blas: a small N-API add-on that runs batched single-precision matrix products through
 * OpenBLAS, in place on the memory of the tfjs wasm backend.
 *
 * The wasm heap is a plain ArrayBuffer; napi_get_arraybuffer_info gives its address, and the tensors
 * are byte offsets into it, so nothing is copied. Every access is bounds-checked against the heap's
 * length before OpenBLAS runs. Matrices are row-major, as tfjs stores them.
 *
 * Exports:
 *   sgemmBatched(heap, aOffset, bOffset, cOffset, batch, m, n, k, transA, transB, strideA, strideB,
 *                alpha, beta)
 *     for i < batch: C_i = alpha * op(A_i) * op(B_i) + beta * C_i, with op(X) = X or X^T,
 *     A_i at aOffset + 4*i*strideA (strideA in elements, 0 = one A for every batch), likewise B,
 *     C_i at cOffset + 4*i*m*n. op(A_i) is m x k, op(B_i) is k x n.
 *   info() -> { corename, config, threads }
 *   setNumThreads(n): OpenBLAS' thread count from now on (openblas_set_num_threads)
 *   depthwise(...): depthwise 2-D convolution and its two gradients (depthwise.c)
 *   layerNorm(...): non-affine layer norm and its input gradient (layer-norm.c)
 *   sumRows(...): sum over a non-innermost block of axes (sum.c)
 *   unary(...): exp, log, log1p, erf or softplus over an array (unary.c, unary-math.c)
 *   gelu(...): exact GELU and its input gradient (unary.c, unary-math.c)
 *   binary(...): add, subtract, multiply or divide with broadcasting (binary.c)
 */
#include <cblas.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "napi-args.h"

/* OpenBLAS extensions (declared by OpenBLAS' cblas.h too; repeated here for other headers). */
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int num_threads);

/* Bytes spanned by `batch` matrices of `elems` floats, `stride` floats apart. */
static uint64_t span_bytes(int64_t batch, int64_t stride, int64_t elems) {
  if (batch == 0 || elems == 0) return 0;
  return 4u * ((uint64_t)(batch - 1) * (uint64_t)stride + (uint64_t)elems);
}

static napi_value sgemm_batched(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 14;
  napi_value argv[14];
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok) THROW(env, "sgemmBatched: bad call");
  if (argc != 14) THROW(env, "sgemmBatched: expected 14 arguments");

  char *data = NULL;
  uint64_t heap_len = 0;
  if (!get_heap(env, argv[0], &data, &heap_len)) THROW(env, "sgemmBatched: heap must be an ArrayBuffer (the wasm memory buffer)");

  int64_t v[7];
  for (int i = 0; i < 7; i++) {
    if (!get_i64(env, argv[1 + i], &v[i])) THROW(env, "sgemmBatched: offsets and sizes must be non-negative integers");
  }
  int64_t a_off = v[0], b_off = v[1], c_off = v[2], batch = v[3], m = v[4], n = v[5], k = v[6];
  int trans_a, trans_b;
  if (!get_flag(env, argv[8], &trans_a) || !get_flag(env, argv[9], &trans_b)) THROW(env, "sgemmBatched: bad transpose flag");
  int64_t stride_a, stride_b;
  if (!get_i64(env, argv[10], &stride_a) || !get_i64(env, argv[11], &stride_b)) THROW(env, "sgemmBatched: strides must be non-negative integers");
  double alpha, beta;
  if (!get_f64(env, argv[12], &alpha) || !get_f64(env, argv[13], &beta)) THROW(env, "sgemmBatched: alpha and beta must be numbers");

  const int64_t int_max = 2147483647;
  if (m > int_max || n > int_max || k > int_max || m * k > int_max || k * n > int_max || m * n > int_max) {
    THROW(env, "sgemmBatched: matrix too large for 32-bit BLAS");
  }
  if ((a_off | b_off | c_off) & 3) THROW(env, "sgemmBatched: offsets must be 4-byte aligned");
  uint64_t len = heap_len;
  if ((uint64_t)a_off + span_bytes(batch, stride_a, m * k) > len || (uint64_t)b_off + span_bytes(batch, stride_b, k * n) > len ||
      (uint64_t)c_off + span_bytes(batch, m * n, m * n) > len) {
    THROW(env, "sgemmBatched: operand out of the heap's bounds");
  }
  if (batch == 0 || m == 0 || n == 0) return NULL;

  char *base = (char *)data;
  float *a = (float *)(base + a_off);
  float *b = (float *)(base + b_off);
  float *c = (float *)(base + c_off);
  if (k == 0) {
    if (beta == 0) {
      memset(c, 0, (size_t)(4 * batch * m * n));
    } else {
      for (int64_t i = 0; i < batch * m * n; i++) c[i] = (float)(beta * c[i]);
    }
    return NULL;
  }
  const enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  const int lda = (int)(trans_a ? m : k);
  const int ldb = (int)(trans_b ? k : n);
  /* One shared B and a contiguous stack of untransposed A: a single (batch*m) x n product. */
  if (batch > 1 && stride_b == 0 && !trans_a && stride_a == m * k && batch * m <= int_max) {
    cblas_sgemm(CblasRowMajor, ta, tb, (int)(batch * m), (int)n, (int)k, (float)alpha, a, lda, b, ldb, (float)beta, c, (int)n);
    return NULL;
  }
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, (float)alpha, a + i * stride_a, lda, b + i * stride_b, ldb, (float)beta,
                c + i * m * n, (int)n);
  }
  return NULL;
}

static napi_value set_str(napi_env env, napi_value obj, const char *key, const char *val) {
  napi_value s;
  napi_create_string_utf8(env, val != NULL ? val : "", NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, obj, key, s);
  return obj;
}

static napi_value blas_info(napi_env env, napi_callback_info cbinfo) {
  (void)cbinfo;
  napi_value obj, threads;
  napi_create_object(env, &obj);
  set_str(env, obj, "corename", openblas_get_corename());
  set_str(env, obj, "config", openblas_get_config());
  napi_create_int32(env, openblas_get_num_threads(), &threads);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

static napi_value set_num_threads(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t n;
  if (napi_get_cb_info(env, cbinfo, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || !get_i64(env, argv[0], &n) || n < 1 || n > 1024) {
    THROW(env, "setNumThreads: expected a positive integer");
  }
  openblas_set_num_threads((int)n);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatched", NULL, sgemm_batched, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, blas_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setNumThreads", NULL, set_num_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"depthwise", NULL, nac_depthwise, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNorm", NULL, nac_layer_norm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumRows", NULL, nac_sum_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unary", NULL, nac_unary, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gelu", NULL, nac_gelu, NULL, NULL, NULL, napi_enumerable, NULL},
      {"binary", NULL, nac_binary, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
