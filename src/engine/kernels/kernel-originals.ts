/**
 * The wasm registrations a native kernel set replaces, captured once before the first switch so that
 * switching the add-on off (initBackend with native: false) restores them. Kept on globalThis, so
 * duplicate module instances (e.g. src/ and dist/ in one process) share one capture.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The configs registered for `names` on 'wasm' when this was first called with `key` (a name from
 * `fallbacks` where 'wasm' had none then); later calls return the same map.
 */
export function originalWasmKernels(
  key: string,
  names: readonly string[],
  fallbacks: readonly tf.KernelConfig[] = [],
): Map<string, tf.KernelConfig> {
  const slot = Symbol.for(`neural-attentive-circuits/${key}`);
  const slots = globalThis as unknown as Record<symbol, Map<string, tf.KernelConfig> | undefined>;
  let map = slots[slot];
  if (map == null) {
    map = new Map();
    for (const name of names) {
      const config = tf.getKernel(name, 'wasm') ?? fallbacks.find((c) => c.kernelName === name);
      if (config != null) map.set(name, config);
    }
    slots[slot] = map;
  }
  return map;
}
