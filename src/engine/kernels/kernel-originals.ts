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

/** A kernel function as the patch kernels write them. */
export type WasmKernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo;

/** Marks kernel functions registered by registerWasmPatchKernels (./index.ts). */
const PATCH_MARK = Symbol.for('neural-attentive-circuits/wasm-patch-kernel');

/**
 * Registers, for each of `names`, `make(name, original)` on 'wasm' over the original registration
 * (captured under `key`, with `fallbacks` as in {@link originalWasmKernels}), or restores the originals
 * when `make` is null. The replacement keeps the original's patch mark, so the backend report still
 * lists a patch kernel that runs natively. Returns the names now registered through `make`.
 */
export function switchWasmKernels(
  key: string,
  names: readonly string[],
  make: ((name: string, original: WasmKernelFunc) => WasmKernelFunc) | null,
  fallbacks: readonly tf.KernelConfig[] = [],
): string[] {
  const saved = originalWasmKernels(key, names, fallbacks);
  const switched: string[] = [];
  for (const name of names) {
    const original = saved.get(name);
    if (original == null) continue;
    const stock = original.kernelFunc as unknown as WasmKernelFunc;
    const kernelFunc = make != null ? make(name, stock) : stock;
    (kernelFunc as unknown as Record<symbol, unknown>)[PATCH_MARK] = (stock as unknown as Record<symbol, unknown>)[PATCH_MARK];
    if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    if (make != null) switched.push(name);
  }
  return switched;
}
