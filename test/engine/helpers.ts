/**
 * Test helpers for the engine tests: deterministic data, running a computation on a given tfjs
 * backend (restoring the previous one), and error metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
export function randomData(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Random tensor of the given shape (deterministic per seed). */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    randomData(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/**
 * Runs `fn` with `backend` active and returns copies of the tensors it returns (all tensors created
 * inside are disposed). Restores the previously active backend afterwards.
 */
export async function onBackend(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    const results = tf.tidy(fn);
    const data = results.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(results);
    return data;
  } finally {
    await tf.setBackend(previous);
  }
}

/** max |a - b| / max(max |b|, 1e-6). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Wall times (ms) of `fn` over `reps` runs after one warm-up run: fastest and median. */
export function timeMs(fn: () => void, reps = 5): { min: number; median: number } {
  fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { min: times[0]!, median: times[Math.floor(reps / 2)]! };
}

/** Silences tfjs' own console warnings (e.g. the cpu backend's Node notice) for the test file. */
export function quietTfjs(): void {
  tf.env().set('IS_TEST', true);
}

/**
 * The two engines of the wasm heap kernels, for describe.each: [name, native, skip note]. The native
 * add-on's suite carries a skip note (why) when `native` is false, unless NAC_REQUIRE_NATIVE=1 (then it
 * runs and fails); the SIMD module always runs.
 */
export function heapEngines(native: boolean, why: string): ReadonlyArray<readonly [string, boolean, string]> {
  const required = process.env.NAC_REQUIRE_NATIVE === '1';
  return [
    ['native add-on', true, native || required ? '' : ` (skipped: ${why})`],
    ['wasm SIMD module', false, ''],
  ];
}

/**
 * Starts the webgpu backend for a *-webgpu test file: true where it starts (the optional `webgpu` package and a
 * Vulkan driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"), false where it cannot (the file's
 * suites skip), unless NAC_REQUIRE_WEBGPU=1 (CI, on lavapipe), which makes that a failure, with the reason.
 */
export async function startWebGpuForTests(): Promise<boolean> {
  try {
    await initBackend({ backend: 'webgpu', quiet: true });
    return true;
  } catch (e) {
    if (process.env.NAC_REQUIRE_WEBGPU === '1') throw new Error(`NAC_REQUIRE_WEBGPU=1 but webgpu does not start: ${(e as Error).message}`);
    return false;
  }
}

/**
 * Records the shader key of every program the active webgpu backend runs, until `restore()`:
 * `programs(f)` runs f, disposes its result and returns the keys of the programs it ran, in order.
 */
export function spyWebGpuPrograms(): { programs: (f: () => tf.Tensor) => string[]; restore: () => void } {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown };
  const run = backend.runWebGPUProgram;
  const keys: string[] = [];
  backend.runWebGPUProgram = function (program, ...rest) {
    keys.push(program.shaderKey);
    return run.call(this, program, ...rest);
  };
  return {
    programs: (f) => {
      keys.length = 0;
      tf.dispose(f());
      return [...keys];
    },
    restore: () => {
      backend.runWebGPUProgram = run;
    },
  };
}
