/**
 * Probes for backend selection (./backend.ts): tries to initialise one tfjs backend, capturing the
 * warnings tfjs gives as its only explanation of a failure, and returns whether it is usable with a
 * one-line detail. Setting up webgpu also puts this package's webgpu kernels in place.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import type { BackendName, WasmPaths } from './backend.js';
import { registerWebGpuSum } from './kernels/sum-webgpu.js';
import { setTiledMatMulLoads, setTiledMatMulStep, setWebGpuTiledMatMul } from './kernels/matmul-webgpu.js';
import { setWebGpuSplitFilterGrads } from './kernels/filter-grad-webgpu.js';
import { setWebGpuFusedAttention } from './kernels/attention-webgpu.js';
import { setWebGpuGelu } from './kernels/gelu-webgpu.js';
import { fusedLinearMode, setWebGpuFusedLinear } from './kernels/linear-webgpu.js';
import { useWriteBufferUploads } from './webgpu-uploads.js';
import { envOption, envSwitch } from './environment.js';
import { explainSyncReads, firstLine, isNode, prepareWebGpu } from './webgpu.js';

/** Whether a backend can be used, and a one-line detail (what it runs with, or why it failed). */
export type Availability = { ok: boolean; detail: string };

/**
 * Runs `fn` with console.warn captured: tfjs reports why a backend failed to initialise only through
 * its logger, which is muted by the IS_TEST/PROD flags, so those are lifted for the duration. The
 * captured lines are re-emitted afterwards unless `quiet` or tfjs logging was muted.
 */
async function capturingWarnings<T>(fn: () => Promise<T>, quiet: boolean): Promise<{ value: T; warnings: string[] }> {
  const env = tf.env();
  const muted = { IS_TEST: env.getBool('IS_TEST'), PROD: env.getBool('PROD') };
  const original = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '));
  };
  env.set('IS_TEST', false);
  env.set('PROD', false);
  let value: T;
  try {
    value = await fn();
  } finally {
    console.warn = original;
    env.set('IS_TEST', muted.IS_TEST);
    env.set('PROD', muted.PROD);
  }
  if (!quiet && !muted.IS_TEST && !muted.PROD) warnings.forEach((w) => original(w));
  return { value, warnings };
}

/** Extracts the cause from tfjs' "Initialization of backend X failed" warning pair. */
function initFailure(warnings: string[]): string {
  const i = warnings.findIndex((w) => w.startsWith('Initialization of backend'));
  const cause = i >= 0 ? warnings[i + 1] : warnings[0];
  return cause != null ? firstLine(cause).replace(/^Error: /, '') : 'tf.setBackend returned false';
}

export async function trySetBackend(name: BackendName, quiet: boolean): Promise<{ ok: boolean; failure: string }> {
  try {
    const { value, warnings } = await capturingWarnings(() => tf.setBackend(name), quiet);
    return { ok: value, failure: value ? '' : initFailure(warnings) };
  } catch (err) {
    return { ok: false, failure: firstLine(err) };
  }
}

export async function tryWasm(threads: number | undefined, quiet: boolean, wasmPaths?: WasmPaths): Promise<Availability> {
  const alreadyUp = tf.engine().registry['wasm'] != null;
  let notes = '';
  let threadsSet = false; // tfjs' threaded build was asked for `threads`
  if (wasmPaths !== undefined) {
    if (alreadyUp) notes += ' (wasmPaths ignored: must be set before wasm first initialises)';
    else tfwasm.setWasmPaths(wasmPaths);
  }
  if (threads != null && threads > 1) {
    if (isNode()) {
      notes += ` (threads=${threads}: this package's SIMD kernels; tfjs runs its single-threaded wasm build in Node)`;
    } else if (alreadyUp) {
      notes += ` (threads=${threads} ignored: must be set before wasm first initialises)`;
    } else if (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) {
      tfwasm.setThreadsCount(threads);
      threadsSet = true;
    } else {
      notes += ` (threads=${threads} ignored: threaded wasm needs SharedArrayBuffer / cross-origin isolation)`;
    }
  } else if (!isNode() && !alreadyUp) {
    // One thread asked for (the default): tfjs' single-threaded SIMD build, even where its threaded build
    // could load (cross-origin isolation), which tfjs would otherwise pick for its XNNPACK thread pool.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const r = await trySetBackend('wasm', quiet);
  if (!r.ok) {
    return {
      ok: false,
      detail: `failed to initialise: ${r.failure} (are the .wasm files of @tensorflow/tfjs-backend-wasm present? in a bundle, pass wasmPaths)`,
    };
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  let n = 1;
  try {
    n = tfwasm.getThreadsCount();
  } catch {
    n = 1;
  }
  if (threadsSet && threads != null && n < threads) {
    // Seen in headless Chromium with cross-origin isolation: the threaded build loads, but XNNPACK reports one thread.
    notes += ` (threads=${threads} requested; tfjs' threaded build reports ${n}: tensorflow/tfjs#8513)`;
  }
  return { ok: true, detail: `SIMD ${simd ? 'on' : 'off'}, ${n} thread${n === 1 ? '' : 's'}${notes}` };
}

export async function tryCpu(quiet: boolean): Promise<Availability> {
  const r = await trySetBackend('cpu', quiet);
  if (!r.ok) return { ok: false, detail: `failed to initialise: ${r.failure}` };
  // The cpu backend greets Node users with advice to install tfjs-node on first use; our report
  // already says that cpu is the slow reference backend, so mute that notice.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { ok: true, detail: 'pure-JS reference backend (slow)' };
}

export async function tryWebgpu(quiet: boolean): Promise<Availability> {
  const probe = await prepareWebGpu();
  if (!probe.ok) return probe;
  // Node has no synchronous GPU read-back: initialise wasm as the host backend for the small
  // computations that must return synchronously (./host.ts); cpu stands in if wasm fails.
  if (isNode() && tf.engine().registry['wasm'] == null) await trySetBackend('wasm', true);
  const r = await trySetBackend('webgpu', quiet);
  if (r.ok) {
    explainSyncReads();
    useWriteBufferUploads();
    configureWebGpuKernels();
  }
  return r.ok ? probe : { ok: false, detail: `failed to initialise: ${r.failure}` };
}

/**
 * The webgpu kernels this package puts in place of tfjs' own, each switched by an environment variable (for
 * A/B timings: bench/gpu/run.sh's ab step): the block Sum (off with NAC_WEBGPU_SUM=0), the tiled matrix
 * product in 'auto' mode (NAC_WEBGPU_MATMUL=tfjs|tiled|tiled-transposed|auto, the fixed modes with
 * NAC_WEBGPU_MATMUL_LOADS and NAC_WEBGPU_MATMUL_STEP), the batch-split filter gradients
 * (NAC_WEBGPU_FILTER_GRAD=tfjs|split), the fused eval attention (NAC_WEBGPU_ATTENTION=tfjs|fused|unstaged|blocked) and the
 * fused GELU and its gradient (NAC_WEBGPU_GELU=tfjs|fused) and the fused eval linear map
 * (NAC_WEBGPU_LINEAR=tfjs|fused; it follows NAC_WEBGPU_MATMUL: the products and loads of `auto` or `tiled`, off
 * with `tfjs` and `tiled-transposed`).
 */
function configureWebGpuKernels(): void {
  if (envSwitch('NAC_WEBGPU_SUM')) registerWebGpuSum();
  const matmul = envOption('NAC_WEBGPU_MATMUL');
  const tiled = matmul === 'tiled' ? true : matmul === 'tiled-transposed' ? 'transposed' : matmul === 'auto' ? 'auto' : false;
  setWebGpuTiledMatMul(tiled);
  setTiledMatMulStep(envOption('NAC_WEBGPU_MATMUL_STEP') === '16' ? 16 : 8);
  setTiledMatMulLoads(envOption('NAC_WEBGPU_MATMUL_LOADS'));
  setWebGpuSplitFilterGrads(envOption('NAC_WEBGPU_FILTER_GRAD') === 'split');
  const attention = envOption('NAC_WEBGPU_ATTENTION');
  setWebGpuFusedAttention(attention === 'tfjs' ? false : attention === 'fused' ? true : attention);
  setWebGpuGelu(envOption('NAC_WEBGPU_GELU') === 'fused');
  const linear = envOption('NAC_WEBGPU_LINEAR') === 'fused';
  setWebGpuFusedLinear(linear ? fusedLinearMode(tiled) : false);
}
