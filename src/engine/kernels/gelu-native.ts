/**
 * Fused exact GELU for the wasm backend: NacGelu (y = ½·x·(1 + erf(x/√2))) and NacGeluGrad
 * (dx = dy·(Φ(x) + x·φ(x))), one pass over memory each way where tfjs composes 5 kernels forward
 * (Multiply, Erf, Add, Multiply, Multiply) and about 10 backward. Run by the native add-on
 * (native/src/unary-math.c, glibc's vector erf/exp) or the SIMD module (wasm/src/unary.c).
 * src/nn/activations.ts calls them through a customGrad when they are registered for the active
 * backend, and composes tfjs ops otherwise.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { setHeapKernelPair } from './heap-kernel-pair.js';

/** Kernel names (package-specific: tfjs has no such kernels). */
export const GELU_KERNEL = 'NacGelu';
export const GELU_GRAD_KERNEL = 'NacGeluGrad';

/**
 * Registers the fused GELU kernels for 'wasm' on `kernels` (the native add-on or the SIMD module's
 * HeapKernelSet) or removes them (null, or an add-on without gelu). Returns whether they are registered.
 */
export function setWasmGelu(kernels: Pick<NativeBlas, 'gelu'> | null): boolean {
  const gelu = kernels?.gelu?.bind(kernels);
  return setHeapKernelPair(
    GELU_KERNEL,
    GELU_GRAD_KERNEL,
    gelu == null ? null : (heap, mode, x, dy, out, info) => gelu(heap, mode, x, dy, out, tf.util.sizeFromShape(info.shape)),
  );
}

/** Whether the active backend has the fused GELU kernels (wasm: this file; webgpu: ./gelu-webgpu.ts). */
export function fusedGeluActive(): boolean {
  const backend = tf.getBackend();
  return (backend === 'wasm' || backend === 'webgpu') && tf.getKernel(GELU_KERNEL, backend) != null;
}

let fused: ((x: tf.Tensor) => tf.Tensor) | null = null;

/** GELU through the fused kernels, differentiable (callers check fusedGeluActive first). */
export function fusedGelu(x: tf.Tensor): tf.Tensor {
  // No gradient recorded (eval): skip customGrad's bookkeeping (about 20 µs a call).
  if (!tf.engine().isTapeOn()) return tf.engine().runKernel(GELU_KERNEL, { x }, {}) as tf.Tensor;
  fused ??= tf.customGrad(((input: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    save([input]);
    return {
      value: tf.engine().runKernel(GELU_KERNEL, { x: input }, {}) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(GELU_GRAD_KERNEL, { x: saved[0] as tf.Tensor, dy }, {}) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
  return fused(x);
}
