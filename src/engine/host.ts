/**
 * The host backend: where small computations whose result must come back synchronously run when the
 * active backend is WebGPU. In Node (Dawn) it has no synchronous read-back (`dataSync` there needs an
 * OffscreenCanvas); in browsers that read goes through a canvas, slow (tfjs warns) and, in headless
 * Chromium on SwiftShader, fatal to the GPU instance. So init-time work such as the signature fit, which
 * the model constructor needs as plain numbers, runs on wasm (or cpu) instead and returns plain arrays.
 * Switching to an already initialised backend is synchronous in tfjs, so this works inside constructors.
 */
import * as tf from '@tensorflow/tfjs';
import { webgpuReadsSync } from './webgpu.js';

/** The backend {@link onHostBackend} runs on: the active one unless it is webgpu, else wasm if initialised, else cpu. */
export function hostBackendName(): string {
  const active = tf.getBackend();
  if (active !== 'webgpu') return active;
  return tf.engine().registry['wasm'] != null ? 'wasm' : 'cpu';
}

/**
 * Runs `fn` on the host backend ({@link hostBackendName}) and switches back. `fn` must create every
 * tensor it uses and return plain data (no tensors): tensors do not move between backends here.
 */
export function onHostBackend<T>(fn: () => T): T {
  const active = tf.getBackend();
  const host = hostBackendName();
  if (host === active) return fn();
  // setBackend runs synchronously when the backend is registered and initialises synchronously
  // (cpu) or already has (wasm): its promise is only the return value here.
  void tf.setBackend(host);
  if (tf.getBackend() !== host) throw new Error(`onHostBackend: could not switch to '${host}' synchronously`);
  try {
    return fn();
  } finally {
    void tf.setBackend(active);
  }
}

/**
 * Reads `tensors` to the host asynchronously, where the active backend cannot read synchronously
 * (WebGPU in Node): tfjs keeps the values it read, so synchronous code that follows (checkpoint and
 * model-folder writers, `dataSync`) finds them there. Elsewhere a no-op.
 */
export async function readToHost(tensors: Iterable<tf.Tensor>): Promise<void> {
  if (tf.getBackend() !== 'webgpu' || webgpuReadsSync()) return;
  await Promise.all([...tensors].map((t) => t.data()));
}
