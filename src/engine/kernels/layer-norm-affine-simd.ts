/**
 * The fused evaluation layer norm of the plain-wasm backend: NacLayerNormAffine normalises each row and
 * applies the affine γ, β in one pass of the SIMD module (wasm/src/kernels.c), where tfjs runs the
 * NacLayerNorm kernel, a Multiply and an Add over the whole activation. The same floats as those three
 * (test/engine/fused-eval.test.ts).
 *
 * Forward only: `fusedLayerNormAffine` returns null when tfjs is recording a gradient, when the kernel is
 * not registered for the active backend (registered with the other fused eval kernels: plain wasm with the
 * SIMD module; on webgpu with the fused layer norm, ./layer-norm-webgpu.ts), or for inputs it does not cover;
 * callers compose the ops then.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import type { SimdKernels } from './simd-module.js';
import { fusedWasmKernelReady, requireInput, setWasmKernels, sizeOf, type KernelArgs } from './wasm-io.js';
import { LAYER_NORM_AFFINE_KERNEL, webGpuLayerNormAffine } from './layer-norm-webgpu.js';

export { LAYER_NORM_AFFINE_KERNEL };

function layerNormAffineKernel(simd: SimdKernels): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', LAYER_NORM_AFFINE_KERNEL);
    const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const parts = [inputs['gamma'], inputs['beta']].filter((t): t is tf.TensorInfo => t != null);
    const d = x.shape[x.shape.length - 1] ?? 1;
    const rows = sizeOf(x.shape) / d;
    const { eps } = args.attrs as { eps: number };
    return nativeOutput(args.backend as WasmHeapBackend, LAYER_NORM_AFFINE_KERNEL, x.shape, [x, ...parts], (_heap, offsets) => {
      const gamma = inputs['gamma'] != null ? offsets[1]! : 0;
      const beta = inputs['beta'] != null ? offsets[inputs['gamma'] != null ? 2 : 1]! : 0;
      simd.layerNormAffine(offsets[0]!, gamma, beta, offsets.at(-1)!, rows, d, eps);
    });
  }) as unknown as tf.KernelFunc;
}

/** Registers NacLayerNormAffine for 'wasm' on the SIMD module, or removes it (null). Returns whether registered. */
export function setWasmFusedLayerNormAffine(simd: SimdKernels | null): boolean {
  return setWasmKernels([LAYER_NORM_AFFINE_KERNEL], simd == null ? null : () => layerNormAffineKernel(simd));
}

/**
 * LN(x)·γ + β over the last axis (γ, β [d], either null), or null when the fused kernel cannot run it
 * (gradient recording, another backend, other dtypes or shapes).
 */
export function fusedLayerNormAffine(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null, eps: number): tf.Tensor | null {
  const gpu = tf.getBackend() === 'webgpu';
  if (!gpu && !fusedWasmKernelReady(LAYER_NORM_AFFINE_KERNEL)) return null;
  const d = x.shape[x.rank - 1];
  if (d == null || d === 0 || [x, gamma, beta].some((t) => t != null && t.dtype !== 'float32')) return null;
  if ([gamma, beta].some((t) => t != null && !tf.util.arraysEqual(t.shape, [d]))) return null;
  if (gpu) return webGpuLayerNormAffine(x, gamma, beta, eps);
  const inputs: tf.NamedTensorMap = { x };
  if (gamma != null) inputs['gamma'] = gamma;
  if (beta != null) inputs['beta'] = beta;
  return tf.engine().runKernel(LAYER_NORM_AFFINE_KERNEL, inputs, { eps }) as tf.Tensor;
}
