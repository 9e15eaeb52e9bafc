/**
 * Instantiates this package's 128-bit WebAssembly SIMD kernels (wasm/src/*.c, committed as
 * ./simd-wasm-binary.ts) on tfjs-backend-wasm's own linear memory, so they read and write tensors in
 * place at their heap offsets, like the native add-on does. Used when the native add-on is absent
 * (browsers, or Node without a C compiler or OpenBLAS).
 *
 * Works on either tfjs wasm build: the single-threaded ones export a plain WebAssembly.Memory as
 * `asm.memory`; the threaded build (browsers with cross-origin isolation) keeps a shared one in
 * `wasmMemory`, which the module then imports as shared.
 */
import type { NativeBlas } from '../native-blas.js';
import { SIMD_WASM_BASE64 } from './simd-wasm-binary.js';
import { withSharedMemoryImport } from './wasm-shared-memory.js';

/**
 * The native add-on's elementwise kernels, compiled from the same C cores (native/src/core; Exp, Log,
 * Log1p, Erf, Softplus and GELU from wasm/src/unary.c, as WebAssembly has no libmvec) into the SIMD
 * module, with the add-on's signatures (the `heap` argument is unused: the module addresses the tfjs
 * heap directly), so the *-native.ts kernels take either.
 */
export type HeapKernelSet = Required<Pick<NativeBlas, 'layerNorm' | 'sumRows' | 'binary' | 'unary' | 'gelu'>>;

/** The kernels of the SIMD module; pointers are byte offsets on the tfjs heap. */
export interface SimdKernels {
  /** Batched C[i] = op(A[i])·op(B[i]); see wasm/src/gemm.c. scratch: gemmScratchFloats(n, k) floats. */
  gemmBatched(
    a: number,
    b: number,
    c: number,
    scratch: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    strideA: number,
    strideB: number,
  ): void;
  /**
   * The fused eval linear map (wasm/src/gemm.c): out = residual + gain ⊙ ((x ⊙ scale[i mod period])·w + bias),
   * x [m, k], w [k, n]; scale, bias, gain, residual 0 when absent. scratch: gemmScratchFloats(n, k) floats.
   */
  gemmLinear(
    x: number,
    scale: number,
    period: number,
    w: number,
    bias: number,
    gain: number,
    residual: number,
    out: number,
    scratch: number,
    m: number,
    n: number,
    k: number,
  ): void;
  /**
   * gemmLinear of x [batch, rows, k] and x2 [batch, rows2, k] as if joined along axis 1 (scale [rows +
   * rows2, k] or 0; residual, out [batch, rows + rows2, n]) without joining them. scratch as gemmLinear's.
   */
  gemmLinearParts(
    x: number,
    x2: number,
    rows: number,
    rows2: number,
    batch: number,
    scale: number,
    w: number,
    bias: number,
    gain: number,
    residual: number,
    out: number,
    scratch: number,
    n: number,
    k: number,
  ): void;
  /**
   * GEGLU of gemmLinear's (x ⊙ scale)·w + bias (2h columns) into out [m, h], `block` rows at a time (a
   * multiple of period). scratch: gemmScratchFloats(n2, k) + block·n2 floats.
   */
  gemmLinearGeglu(
    x: number,
    scale: number,
    period: number,
    w: number,
    bias: number,
    out: number,
    scratch: number,
    m: number,
    n2: number,
    k: number,
    block: number,
  ): void;
  /** GEGLU of z [rows, 2h] into out [rows, h] (wasm/src/unary.c). */
  geglu(z: number, out: number, rows: number, h: number): void;
  /**
   * Fused eval attention (wasm/src/attention.c): q, out [batch, nq, heads·dh], k, v [batch, nk, heads·dh],
   * bias [nq, nk] at bias + b·biasStride floats (0: none). scratch: attentionScratchFloats(nq, nk, heads, dh) floats.
   */
  attention(
    q: number,
    k: number,
    v: number,
    bias: number,
    biasStride: number,
    out: number,
    scratch: number,
    batch: number,
    nq: number,
    nk: number,
    heads: number,
    dh: number,
    scale: number,
  ): void;
  /** Layer norm of x [rows, d], then ·gamma + beta ([d] each; 0: absent), into out (wasm/src/kernels.c). */
  layerNormAffine(x: number, gamma: number, beta: number, out: number, rows: number, d: number, eps: number): void;
  /** Floats of the scratch buffer attention needs. */
  attentionScratchFloats(nq: number, nk: number, heads: number, dh: number): number;
  /** Fills n floats at `out` with uniform counter-hash noise lo + range·u (wasm/src/noise.c; ../random.ts). */
  hashUniform(out: number, n: number, key: number, lo: number, range: number): void;
  /** Normal counter-hash noise (Box–Muller on the streams of key1 and key2) into out [n], in float32 (wasm/src/noise.c). */
  hashNormal(out: number, n: number, key1: number, key2: number): void;
  /**
   * One product with explicit strides (wasm/src/gemm.c): A[i][p] at a + 4·(i·sam + p·sak), op(B) as
   * gemmBatched's with row stride ldb, C[i][j] at c + 4·(i·ldc + j). scratch: gemmScratchFloats(n, k) floats.
   */
  gemmStrided(
    a: number,
    sam: number,
    sak: number,
    b: number,
    ldb: number,
    transB: number,
    c: number,
    ldc: number,
    m: number,
    n: number,
    k: number,
    scratch: number,
  ): void;
  /** Floats of the scratch buffer gemmBatched needs for an n-column, k-deep op(B). */
  gemmScratchFloats(n: number, k: number): number;
  /** Layer norm, block sums, broadcasting arithmetic, Exp/Log/Log1p/Erf/Softplus and GELU, as the add-on has them. */
  heap: HeapKernelSet;
  /** Allocates `bytes` on the tfjs heap (its malloc); returns the offset. */
  malloc(bytes: number): number;
  /** Frees an offset from malloc. */
  free(offset: number): void;
  /** The tfjs heap the pointers address. */
  memory: WebAssembly.Memory;
  /** The module's bytes, for instances on other memories (worker threads: ./simd-pool.ts). */
  bytes: Uint8Array;
}

/** The SIMD kernels bound to one wasm backend, or why they are unavailable. */
export type SimdStatus = { kernels: SimdKernels; detail: string } | { kernels: null; detail: string };

/** What the loader needs of tfjs-backend-wasm's emscripten module. */
interface WasmModuleLike {
  /** The single-threaded builds export their memory here. */
  asm?: { memory?: unknown };
  /** The threaded build imports a shared memory, kept here. */
  wasmMemory?: unknown;
  _malloc?: (bytes: number) => number;
  _free?: (offset: number) => void;
}

const cache = new WeakMap<object, Promise<SimdStatus>>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function instantiate(wasm: WasmModuleLike): Promise<SimdStatus> {
  const memory = wasm.asm?.memory ?? wasm.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return { kernels: null, detail: 'tfjs-backend-wasm exposes no memory to share' };
  // tfjs' threaded build (browsers with cross-origin isolation) runs on a shared memory: the module then
  // imports it as shared (the same code; see ./wasm-shared-memory.ts).
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const malloc = wasm._malloc;
  const free = wasm._free;
  if (typeof malloc !== 'function' || typeof free !== 'function') return { kernels: null, detail: 'tfjs-backend-wasm exposes no malloc' };
  try {
    const bytes = decodeBase64(SIMD_WASM_BASE64);
    const module = await WebAssembly.compile(shared ? withSharedMemoryImport(bytes) : bytes);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const exports = instance.exports as Record<string, unknown>;
    const missing = [
      'gemm_batched',
      'gemm_strided',
      'gemm_linear',
      'gemm_linear_parts',
      'gemm_linear_geglu',
      'gemm_scratch_floats',
      'attention',
      'attention_scratch_floats',
      'hash_uniform',
      'hash_normal',
      'layer_norm',
      'layer_norm_affine',
      'sum_rows',
      'binary',
      'unary',
      'gelu',
      'geglu',
    ].filter((name) => typeof exports[name] !== 'function');
    if (missing.length > 0) return { kernels: null, detail: `the SIMD module lacks ${missing.join(', ')}` };
    const fn = <T>(name: string): T => exports[name] as T;
    const alloc = (bytes: number): number => malloc.call(wasm, bytes);
    const release = (offset: number): void => free.call(wasm, offset);
    const layerNorm = fn<(mode: number, x: number, dy: number, out: number, rows: number, d: number, eps: number) => void>('layer_norm');
    const sumRows = fn<(x: number, out: number, scratch: number, outer: number, reduced: number, inner: number) => void>('sum_rows');
    const binary = fn<(op: number, a: number, b: number, out: number, ...dimsAndStrides: number[]) => void>('binary');
    const unary = fn<(op: number, x: number, out: number, n: number) => void>('unary');
    const gelu = fn<(mode: number, x: number, dy: number, out: number, n: number) => void>('gelu');
    const kernels: SimdKernels = {
      gemmBatched: fn<SimdKernels['gemmBatched']>('gemm_batched'),
      gemmStrided: fn<SimdKernels['gemmStrided']>('gemm_strided'),
      gemmScratchFloats: fn<SimdKernels['gemmScratchFloats']>('gemm_scratch_floats'),
      gemmLinear: fn<SimdKernels['gemmLinear']>('gemm_linear'),
      gemmLinearParts: fn<SimdKernels['gemmLinearParts']>('gemm_linear_parts'),
      gemmLinearGeglu: fn<SimdKernels['gemmLinearGeglu']>('gemm_linear_geglu'),
      geglu: fn<SimdKernels['geglu']>('geglu'),
      attention: fn<SimdKernels['attention']>('attention'),
      layerNormAffine: fn<SimdKernels['layerNormAffine']>('layer_norm_affine'),
      attentionScratchFloats: fn<SimdKernels['attentionScratchFloats']>('attention_scratch_floats'),
      hashUniform: fn<SimdKernels['hashUniform']>('hash_uniform'),
      hashNormal: fn<SimdKernels['hashNormal']>('hash_normal'),
      heap: {
        layerNorm: (_heap, mode, x, dy, out, rows, d, eps) => layerNorm(mode, x, dy, out, rows, d, eps),
        sumRows: (_heap, x, out, outer, reduced, inner) => {
          const scratch = alloc(Math.max(8, 8 * inner));
          try {
            sumRows(x, out, scratch, outer, reduced, inner);
          } finally {
            release(scratch);
          }
        },
        binary: (_heap, op, a, b, out, ...dimsAndStrides) => binary(op, a, b, out, ...dimsAndStrides),
        unary: (_heap, op, x, out, n) => unary(op, x, out, n),
        gelu: (_heap, mode, x, dy, out, n) => gelu(mode, x, dy, out, n),
      },
      malloc: alloc,
      free: release,
      memory,
      bytes,
    };
    return { kernels, detail: `128-bit SIMD kernels (wasm/src${shared ? "; on tfjs' threaded build's shared memory" : ''})` };
  } catch (err) {
    return { kernels: null, detail: `the SIMD module failed to load: ${(err as Error).message}` };
  }
}

/**
 * The SIMD kernels on the memory of `backend` (tfjs-backend-wasm's backend object), loaded once per
 * backend. Never throws: an unusable environment gives `kernels: null` and the reason.
 */
export function loadSimdKernels(backend: object): Promise<SimdStatus> {
  let status = cache.get(backend);
  if (status == null) {
    const wasm = (backend as { wasm?: WasmModuleLike }).wasm;
    status = wasm == null ? Promise.resolve({ kernels: null, detail: 'not a tfjs-backend-wasm backend' }) : instantiate(wasm);
    cache.set(backend, status);
  }
  return status;
}
