/**
 * Loader of the optional native BLAS add-on (native/build/Release/nac_blas.node, built by
 * native/build.mjs against OpenBLAS). It multiplies matrices in place on the tfjs wasm heap; the
 * BatchMatMul kernel in ./kernels/matmul-native.ts uses it.
 *
 * Loading never throws: when the add-on is absent, disabled (NAC_NATIVE=0), not in Node, or fails
 * to load, loadNativeBlas() returns `blas: null` with the reason (only a NAC_NATIVE other than 0 or 1 rejects). OpenBLAS reads its environment
 * once, when it loads, and this loader leaves it alone: OPENBLAS_NUM_THREADS (default: all cores)
 * and OPENBLAS_CORETYPE (default: detected; OpenBLAS 0.3.21 detects AVX-512 Zen 4 as Cooperlake,
 * whereas a preset OPENBLAS_CORETYPE=Haswell halves the speed there) are reported in `detail`.
 * Node's modules are imported dynamically, so this file is harmless in a browser bundle.
 */
import { envSwitch } from './environment.js';
import { isNode } from './webgpu.js';

/** The functions of the add-on. Offsets are byte offsets into `heap`; strides are in elements. */
export interface NativeBlas {
  /**
   * For i < batch: C_i = alpha·op(A_i)·op(B_i) + beta·C_i (row-major; op(A_i) is m×k, op(B_i) k×n),
   * with A_i at aOffset + 4·i·strideA (stride 0: the same A for every i), likewise B, and C_i at
   * cOffset + 4·i·m·n. Throws if any operand lies outside `heap`.
   */
  sgemmBatched(
    heap: ArrayBuffer,
    aOffset: number,
    bOffset: number,
    cOffset: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: boolean,
    transB: boolean,
    strideA: number,
    strideB: number,
    alpha: number,
    beta: number,
  ): void;
  /** OpenBLAS' kernel set (e.g. "SkylakeX"), build configuration and thread count. */
  info(): { corename: string; config: string; threads: number };
  /** Sets OpenBLAS' thread count for later calls (the environment's OPENBLAS_NUM_THREADS sets the initial one). */
  setNumThreads(n: number): void;
  /**
   * Depthwise convolution, multiplier 1, NHWC (native/src/depthwise.c): mode 0 forward (a = x, b = filter,
   * out = y), 1 input gradient (a = dy, b = filter, out = dx), 2 filter gradient (a = x, b = dy, out = dw).
   * Absent from add-ons built before it existed.
   */
  depthwise?(heap: ArrayBuffer, mode: 0 | 1 | 2, aOffset: number, bOffset: number, outOffset: number, ...geometry: number[]): void;
  /** [outer, reduced, inner] → [outer, inner] sums (native/src/sum.c). Absent from add-ons built before it existed. */
  sumRows?(heap: ArrayBuffer, xOffset: number, outOffset: number, outer: number, reduced: number, inner: number): void;
  /**
   * out[i] = f(x[i]) for i < n, f by `op`: 0 exp, 1 log, 2 log1p, 3 erf, 4 tfjs' softplus (native/src/unary.c,
   * glibc's vector math). Absent from add-ons built before it existed.
   */
  unary?(heap: ArrayBuffer, op: number, xOffset: number, outOffset: number, n: number): void;
  /**
   * out = a OP b (op: 0 add, 1 subtract, 2 multiply, 3 divide) over a dense [d0, d1, d2, d3] output, a and b
   * read with element strides sa*, sb* (0 = broadcast; innermost 0 or 1) (native/src/binary.c). Absent from
   * add-ons built before it existed.
   */
  binary?(heap: ArrayBuffer, op: number, aOffset: number, bOffset: number, outOffset: number, ...dimsAndStrides: number[]): void;
  /**
   * Exact GELU over n floats (native/src/unary-math.c): mode 0 out = GELU(x), mode 1 out = dy·GELU'(x).
   * Absent from add-ons built before it existed.
   */
  gelu?(heap: ArrayBuffer, mode: 0 | 1, xOffset: number, dyOffset: number, outOffset: number, n: number): void;
  /**
   * Non-affine layer norm over rows of `d` floats (native/src/layer-norm.c): mode 0 out = normalised x,
   * mode 1 out = the input gradient for upstream gradient dy. Absent from add-ons built before it existed.
   */
  layerNorm?(
    heap: ArrayBuffer,
    mode: 0 | 1,
    xOffset: number,
    dyOffset: number,
    outOffset: number,
    rows: number,
    d: number,
    eps: number,
  ): void;
}

/** Result of loadNativeBlas: the add-on or why there is none, and a one-line description. */
export interface NativeBlasStatus {
  /** The loaded add-on, or null. */
  blas: NativeBlas | null;
  /** e.g. "native OpenBLAS 0.3.21 (Cooperlake, 2 threads)", or why it is not used. */
  detail: string;
}

/** Where native/build.mjs puts the add-on, relative to this file (src/engine/ and dist/engine/ alike). */
export const NATIVE_BLAS_URL = new URL('../../native/build/Release/nac_blas.node', import.meta.url);

let cached: Promise<NativeBlasStatus> | null = null;

// Specifiers in variables keep bundlers from resolving Node built-ins for browser builds.
const NODE_MODULE = 'node:module';
const NODE_URL = 'node:url';

/**
 * Loads the add-on once and caches the outcome. Returns `blas: null` (never throws) when NAC_NATIVE=0,
 * outside Node, when the add-on has not been built, or when it fails to load.
 */
export function loadNativeBlas(): Promise<NativeBlasStatus> {
  cached ??= load();
  return cached;
}

async function load(): Promise<NativeBlasStatus> {
  if (!isNode()) return { blas: null, detail: 'native BLAS add-on: not in Node' };
  if (!envSwitch('NAC_NATIVE')) return { blas: null, detail: 'native BLAS add-on disabled by NAC_NATIVE=0' };
  const { createRequire } = (await import(NODE_MODULE)) as typeof import('node:module');
  const { fileURLToPath } = (await import(NODE_URL)) as typeof import('node:url');
  const require = createRequire(import.meta.url);
  try {
    const blas = require(fileURLToPath(NATIVE_BLAS_URL)) as NativeBlas;
    const info = blas.info();
    const version = /OpenBLAS (\S+)/.exec(info.config)?.[1] ?? '';
    const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
    const forced = process.env.OPENBLAS_CORETYPE != null ? ' via OPENBLAS_CORETYPE' : '';
    return { blas, detail: `native OpenBLAS${version ? ` ${version}` : ''} (${info.corename}${forced}, ${threads})` };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'MODULE_NOT_FOUND'
        ? 'not built (needs a C compiler and libopenblas-dev; run `node native/build.mjs`)'
        : `failed to load: ${String(err instanceof Error ? err.message : err).split('\n')[0]}`;
    return { blas: null, detail: `native BLAS add-on ${why}` };
  }
}
