/**
 * Replacing a kernel that a tfjs backend registers itself (Sum, BatchMatMul, the filter gradients) with a
 * wrapper that falls back to it: the backend's own registration is captured the first time, on globalThis
 * (duplicate module instances, e.g. src/ and dist/ in one process, share it), so switching back and forth
 * never wraps a wrapper and can always restore the original.
 */
import * as tf from '@tensorflow/tfjs';

const slots = globalThis as unknown as Record<symbol, tf.KernelConfig | undefined>;

/** The registration `backend` made for `name` before this package replaced it; null when it has none. */
export function stockKernel(backend: string, name: string): tf.KernelConfig | null {
  const key = Symbol.for(`neural-attentive-circuits/${backend}-stock-${name.toLowerCase()}`);
  if (slots[key] == null) {
    const config = tf.getKernel(name, backend);
    if (config == null) return null;
    slots[key] = config;
  }
  return slots[key];
}

/**
 * Registers `wrap(stock)` for `name` on `backend` in place of the stock kernel, or the stock kernel again
 * when `wrap` is null. Idempotent. False, changing nothing, when the backend has no such kernel.
 */
export function wrapStockKernel(backend: string, name: string, wrap: ((stock: tf.KernelFunc) => tf.KernelFunc) | null): boolean {
  const stock = stockKernel(backend, name);
  if (stock == null) return false;
  tf.unregisterKernel(name, backend);
  tf.registerKernel(wrap == null ? stock : { ...stock, kernelFunc: wrap(stock.kernelFunc) });
  return true;
}
