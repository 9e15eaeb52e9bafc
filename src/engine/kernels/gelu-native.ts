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
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, type KernelArgs } from './wasm-io.js';

/** Kernel names (package-specific: tfjs has no such kernels). */
export const GELU_KERNEL = 'NacGelu';
export const GELU_GRAD_KERNEL = 'NacGeluGrad';

type HeapGelu = NonNullable<NativeBlas['gelu']>;

function kernel(gelu: HeapGelu, mode: 0 | 1): tf.KernelFunc {
  const name = mode === 0 ? GELU_KERNEL : GELU_GRAD_KERNEL;
  return ((args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', name);
    const dy = mode === 1 ? requireInput(args, 'dy', name) : x;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} (wasm): expected float32 inputs`);
    const n = tf.util.sizeFromShape(x.shape);
    return nativeOutput(args.backend as WasmHeapBackend, name, x.shape, [x, dy], (heap, [xOff, dyOff, outOff]) =>
      gelu(heap, mode, xOff as number, dyOff as number, outOff as number, n),
    );
  }) as unknown as tf.KernelFunc;
}

/**
 * Registers the fused GELU kernels for 'wasm' on `kernels` (the native add-on or the SIMD module's
 * HeapKernelSet) or removes them (null, or an add-on without gelu). Returns whether they are registered.
 */
export function setWasmGelu(kernels: Pick<NativeBlas, 'gelu'> | null): boolean {
  for (const name of [GELU_KERNEL, GELU_GRAD_KERNEL]) {
    if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
  }
  const gelu = kernels?.gelu?.bind(kernels);
  if (gelu == null) return false;
  tf.registerKernel({ kernelName: GELU_KERNEL, backendName: 'wasm', kernelFunc: kernel(gelu, 0) });
  tf.registerKernel({ kernelName: GELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: kernel(gelu, 1) });
  return true;
}

/** Whether the active backend has the fused GELU kernels. */
export function fusedGeluActive(): boolean {
  const backend = tf.getBackend();
  return backend === 'wasm' && tf.getKernel(GELU_KERNEL, backend) != null;
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
