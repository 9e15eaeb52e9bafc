/**
 * Backend selection for TensorFlow.js: the only place in the package that sets up tfjs backends.
 *
 * 'auto' picks wasm in Node (webgpu in a browser that exposes navigator.gpu, else wasm) and falls
 * back to the pure-JS cpu backend only when that fails, saying why. An explicit request that cannot
 * be met throws BackendUnavailableError instead of silently running something else. Also registers
 * the gradient kernels tfjs-backend-wasm lacks (see ./kernels), and chooses the wasm BatchMatMul:
 * the native OpenBLAS add-on when it is built (./native-blas.ts), else this package's 128-bit SIMD
 * GEMM (./kernels/matmul-simd.ts), else plain wasm with explicit transposes (./kernels/matmul-wasm.ts),
 * and with it the add-on's or the SIMD module's elementwise kernels (./wasm-kernel-setup.ts). How each
 * backend is tried: ./backend-probes.ts. The backend itself is never switched for speed.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmPatchKernels, type WasmMatMulMode } from './kernels/index.js';
import './gradients.js'; // device-side Mean gradient, for every backend
import { loadNativeBlas } from './native-blas.js';
import { loadSimdKernels } from './kernels/simd-module.js';
import { tryCpu, trySetBackend, tryWasm, tryWebgpu, type Availability } from './backend-probes.js';
import { registerWasmKernels } from './wasm-kernel-setup.js';
import { threadedSimdStatus } from './kernels/simd-threads.js';
import { checkEnvironment, envThreads } from './environment.js';
import { isNode, navigatorGpu } from './webgpu.js';

/** The tfjs backends this package knows how to run on. */
export type BackendName = 'wasm' | 'cpu' | 'webgpu';

/** All backend names, in preference order for documentation and CLI choices. */
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'webgpu'];

/** What initBackend chose, why, and what it learned about each backend. */
export interface BackendReport {
  /** The backend tfjs now runs on. */
  backend: BackendName;
  /** What the caller asked for. */
  requested: BackendName | 'auto';
  /** Why `backend` was chosen (including any fallback and its cause). */
  reason: string;
  /** Per backend: whether it is usable and a one-line detail (or what is missing / not tried). */
  available: Record<BackendName, { ok: boolean; detail: string }>;
  /** Kernels this package registered to fill gaps in the wasm backend. */
  patchedKernels: string[];
  /**
   * The BatchMatMul kernel registered for 'wasm': 'native' (OpenBLAS add-on), 'simd' (this package's
   * wasm SIMD GEMM) or 'transpose' (tfjs' own kernels, transposes materialised), and a line such as
   * "native OpenBLAS 0.3.21 (Cooperlake, 2 threads)" or, for plain wasm, why the add-on is not used.
   * Absent in reports made by hand.
   */
  matMul?: { impl: WasmMatMulMode; detail: string };
}

/** Options of initBackend. */
export interface InitBackendOptions {
  /** Backend to use; 'auto' (default) = wasm in Node, webgpu in a browser with WebGPU. */
  backend?: BackendName | 'auto';
  /**
   * Threads for wasm. In Node: this package's SIMD kernels (matrix products, fused eval linear maps and
   * attention; not the native add-on, whose OpenBLAS has its own threads) split their work over this many
   * threads, with bit-identical results; tfjs' own wasm kernels stay on one. In a browser: tfjs' threaded
   * wasm build, where it runs (cross-origin isolation). Default: the environment variable NAC_THREADS,
   * else 1.
   */
  threads?: number;
  /** Suppress the one-line summary (stderr) and tfjs' console warnings during setup. */
  quiet?: boolean;
  /**
   * Matrix products on the wasm backend through the native OpenBLAS add-on (native/, built at
   * install when a C compiler and libopenblas-dev are present). 'auto' (default): use it when it is
   * built; true: require it (throws BackendUnavailableError if absent); false: plain wasm. The
   * environment variable NAC_NATIVE=0 disables the add-on whatever this says.
   */
  native?: boolean | 'auto';
  /**
   * Where tfjs' wasm binaries are served, for bundles (a browser page): a URL prefix such as '/wasm/'
   * (ending in '/') holding tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm and
   * tfjs-backend-wasm-threaded-simd.wasm, or a map from those names to URLs. Takes effect only before
   * the wasm backend first initialises. Default: tfjs' own lookup (next to its script; in Node, its
   * package folder).
   */
  wasmPaths?: WasmPaths;
}

/** The names of tfjs' wasm binaries, the keys a {@link InitBackendOptions.wasmPaths} map may hold. */
export const WASM_BINARY_NAMES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/** A URL prefix for all of tfjs' wasm binaries, or a URL per binary. */
export type WasmPaths = string | Partial<Record<(typeof WASM_BINARY_NAMES)[number], string>>;

/** Throws a RangeError naming the field when `paths` is neither a non-empty string nor a map of known binary names to strings. */
function validateWasmPaths(paths: unknown): void {
  if (paths === undefined) return;
  if (typeof paths === 'string') {
    if (paths === '') throw new RangeError('wasmPaths must be a non-empty URL prefix or a map of binary names to URLs');
    return;
  }
  if (paths == null || typeof paths !== 'object' || Array.isArray(paths)) {
    throw new RangeError(`wasmPaths must be a URL prefix (string) or a map of binary names to URLs, got ${JSON.stringify(paths)}`);
  }
  for (const [k, v] of Object.entries(paths)) {
    if (!(WASM_BINARY_NAMES as readonly string[]).includes(k)) {
      throw new RangeError(`wasmPaths: unknown binary '${k}'; allowed: ${WASM_BINARY_NAMES.join(', ')}`);
    }
    if (typeof v !== 'string' || v === '') throw new RangeError(`wasmPaths['${k}'] must be a non-empty URL, got ${JSON.stringify(v)}`);
  }
}

/** Thrown when an explicitly requested backend cannot be initialised. */
export class BackendUnavailableError extends Error {
  /** The backend that was requested. */
  readonly backend: string;
  constructor(message: string, backend: string) {
    super(message);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
  }
}

let current: BackendReport | null = null;
let currentThreads: number | undefined;
let currentNative: boolean | 'auto' = 'auto';
const attempts: Partial<Record<BackendName, Availability>> = {};
let queue: Promise<unknown> = Promise.resolve();

function attempt(name: BackendName, a: Availability): Availability {
  attempts[name] = a;
  return a;
}

function untried(name: BackendName): Availability {
  switch (name) {
    case 'cpu':
      return { ok: tf.findBackendFactory('cpu') != null, detail: 'pure-JS reference backend (slow); not selected' };
    case 'wasm':
      return { ok: false, detail: 'not tried' };
    case 'webgpu':
      return {
        ok: false,
        detail: isNode()
          ? 'not tried (auto uses wasm in Node; WebGPU there needs `npm install webgpu` and a GPU)'
          : navigatorGpu() == null
            ? 'not available: this browser does not expose navigator.gpu'
            : 'not tried',
      };
  }
}

async function select(
  requested: BackendName | 'auto',
  threads: number | undefined,
  quiet: boolean,
  wasmPaths: WasmPaths | undefined,
): Promise<{ backend: BackendName; reason: string }> {
  const previous = current?.backend ?? null;
  const restore = async (): Promise<void> => {
    if (previous != null) await trySetBackend(previous, true);
  };
  if (requested !== 'auto') {
    const a =
      requested === 'wasm' ? await tryWasm(threads, quiet, wasmPaths) : requested === 'cpu' ? await tryCpu(quiet) : await tryWebgpu(quiet);
    attempt(requested, a);
    if (!a.ok) {
      await restore();
      throw new BackendUnavailableError(`Backend '${requested}' is unavailable: ${a.detail}.`, requested);
    }
    return { backend: requested, reason: 'explicitly requested' };
  }
  let note = '';
  if (!isNode() && navigatorGpu() != null) {
    const w = attempt('webgpu', await tryWebgpu(quiet));
    if (w.ok) return { backend: 'webgpu', reason: 'default in a browser with WebGPU' };
    note = `WebGPU unavailable (${w.detail}); `;
  }
  const w = attempt('wasm', await tryWasm(threads, quiet, wasmPaths));
  if (w.ok) {
    const where = isNode() ? 'default in Node' : navigatorGpu() == null ? 'default in a browser without WebGPU' : 'using wasm';
    return { backend: 'wasm', reason: `${note}${where}` };
  }
  const c = attempt('cpu', await tryCpu(quiet));
  if (c.ok) return { backend: 'cpu', reason: `${note}wasm ${w.detail}; fell back to cpu` };
  await restore();
  throw new BackendUnavailableError(`No tfjs backend could be initialised: wasm ${w.detail}; cpu ${c.detail}.`, 'auto');
}

/** Environment warnings already printed (once per process each). */
const warned = new Set<string>();

async function init(opts: InitBackendOptions): Promise<BackendReport> {
  const requested = opts.backend ?? 'auto';
  if (requested !== 'auto' && !BACKEND_NAMES.includes(requested)) {
    throw new BackendUnavailableError(
      `Unknown backend '${String(requested)}': expected one of auto, ${BACKEND_NAMES.join(', ')}.`,
      String(requested),
    );
  }
  for (const warning of checkEnvironment()) {
    if (warned.has(warning)) continue;
    warned.add(warning);
    printLine(warning);
  }
  const threads = opts.threads ?? envThreads();
  if (threads != null && !(Number.isInteger(threads) && threads >= 1)) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
  const quiet = opts.quiet ?? false;
  const native = opts.native ?? 'auto';
  if (native !== true && native !== false && native !== 'auto') {
    throw new RangeError(`native must be true, false or 'auto', got ${String(native)}`);
  }
  validateWasmPaths(opts.wasmPaths);
  const patchedKernels = registerWasmPatchKernels();
  if (
    current != null &&
    current.requested === requested &&
    (threads == null || threads === currentThreads) &&
    native === currentNative &&
    tf.getBackend() === current.backend
  ) {
    return current;
  }
  const blas = native === false ? null : await loadNativeBlas();
  if (native === true && blas?.blas == null) {
    throw new BackendUnavailableError(`The native BLAS add-on was requested (native: true) but is unavailable: ${blas?.detail}.`, 'wasm');
  }
  const { backend, reason } = await select(requested, threads, quiet, opts.wasmPaths);
  // Only when wasm runs: tf.findBackend would otherwise start initialising it.
  const wasmBackend = backend === 'wasm' ? tf.findBackend('wasm') : null;
  const simdOwn = wasmBackend == null ? null : await loadSimdKernels(wasmBackend);
  // In Node, threads > 1 splits the SIMD module's products, linear maps and attention between threads
  // (not with the add-on, whose OpenBLAS runs the products on threads of its own).
  const manyThreads = threads != null && threads > 1;
  const split = simdOwn != null && isNode() && manyThreads && blas?.blas == null;
  const simd = split ? await threadedSimdStatus(simdOwn, threads) : simdOwn;
  const matMul = registerWasmKernels(blas, simd);
  if (matMul.impl === 'native' && manyThreads) {
    matMul.detail += `; threads=${threads} not used: OpenBLAS has its own (OPENBLAS_NUM_THREADS)`;
  }
  const available = Object.fromEntries(BACKEND_NAMES.map((n) => [n, attempts[n] ?? untried(n)])) as BackendReport['available'];
  current = { backend, requested, reason, available, patchedKernels, matMul };
  currentThreads = threads;
  currentNative = native;
  if (!quiet) printLine(describeBackend(current));
  return current;
}

function printLine(line: string): void {
  const p = (globalThis as { process?: { stderr?: { write(s: string): unknown } } }).process;
  if (isNode() && p?.stderr != null) p.stderr.write(`${line}\n`);
  else console.info(line);
}

/**
 * Selects and initialises the tfjs backend, registers the wasm patch kernels and returns a report.
 * Calling it again with the same request is cheap (returns the cached report). Concurrent calls are
 * serialised. Throws BackendUnavailableError if an explicitly requested backend cannot be used.
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const run = queue.then(() => init(opts));
  queue = run.catch(() => undefined);
  return run;
}

/** The report of the last successful initBackend call, or null before the first one. */
export function currentBackendReport(): BackendReport | null {
  return current;
}

/** The wasm backend's matrix products in a few words, by BatchMatMul kernel (the add-on's own line names its OpenBLAS). */
const PRODUCTS: Record<Exclude<WasmMatMulMode, 'native'>, string> = {
  simd: 'wasm SIMD kernels',
  transpose: 'XNNPACK, transposes materialised',
  stock: "tfjs-backend-wasm's",
};

/**
 * One human-readable line, e.g. "backend: wasm (requested auto: default in Node; SIMD on, 1 thread; matrix
 * products: native OpenBLAS 0.3.21 (Zen, 1 thread))": on wasm it names the matrix products' kernel, which
 * sets most of the speed (results pages print this line).
 */
export function describeBackend(r: BackendReport): string {
  const detail = r.available[r.backend]?.detail;
  const mm = r.backend === 'wasm' ? r.matMul : undefined;
  const products = mm == null ? '' : `; matrix products: ${mm.impl === 'native' ? mm.detail : PRODUCTS[mm.impl]}`;
  return `backend: ${r.backend} (requested ${r.requested}: ${r.reason}${detail ? `; ${detail}` : ''}${products})`;
}
