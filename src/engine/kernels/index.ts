/**
 * Registers the JS kernels that fill gaps in tfjs-backend-wasm 4.22 (gradient kernels of conv2d,
 * depthwiseConv2d and gather, plus einsum) or replace a stock kernel that computes wrongly (MaxPoolGrad,
 * Cast to bool), copies needlessly (Identity, same-dtype Cast) or slowly (Slice, ./slice.ts). A gap filler is only registered when
 * the wasm backend has none of its own, so a future tfjs release that ships them takes precedence; the
 * replacements are registered over the stock kernels.
 *
 * BatchMatMul is the exception: tfjs-backend-wasm has one, but its transposed and batched paths are
 * slow, so ./matmul.ts replaces it (initBackend chooses plain wasm or the native OpenBLAS add-on); with
 * the add-on, the *-native.ts files also replace DepthwiseConv2dNative and its backprops, the fused
 * layer norm, Exp, Log, Log1p, Erf and Softplus, Add, Sub, Multiply and RealDiv, and ./sum.ts runs block
 * sums in C.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseBackpropConfigs } from './depthwise-backprop.js';
import { einsumConfig } from './einsum.js';
import { castConfig, identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { setWasmSlice } from './slice.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

export { setWasmMatMul, wasmMatMulMode, type WasmMatMulMode } from './matmul.js';
export { setWasmDepthwise } from './depthwise-native.js';
export { setWasmLayerNorm } from './layer-norm-native.js';
export { setWasmUnary } from './unary-native.js';
export { setWasmBinary } from './binary-native.js';

/** Every patch kernel this package can provide for the wasm backend. */
export const WASM_PATCH_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  ...depthwiseBackpropConfigs,
  unsortedSegmentSumConfig,
  einsumConfig,
];

/**
 * Kernels tfjs-backend-wasm 4.22 has but computes wrongly (MaxPoolGrad; Cast to bool) or wastefully
 * (Identity and same-dtype Cast, which copy): registered over the stock ones.
 */
export const WASM_REPLACED_KERNELS: readonly tf.KernelConfig[] = [maxPoolGradConfig, identityConfig, castConfig];

/** Marks kernel functions registered by this package (survives duplicate module instances). */
const PATCH_MARK = Symbol.for('neural-attentive-circuits/wasm-patch-kernel');

function isPatch(kernel: tf.KernelConfig | undefined): boolean {
  return kernel != null && (kernel.kernelFunc as unknown as Record<symbol, unknown>)[PATCH_MARK] === true;
}

/**
 * Registers the missing wasm kernels (idempotent) and returns the names of the kernels of this
 * package that are registered for 'wasm', in a stable order.
 */
export function registerWasmPatchKernels(): string[] {
  const names: string[] = [];
  for (const config of WASM_PATCH_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing == null) {
      (config.kernelFunc as unknown as Record<symbol, unknown>)[PATCH_MARK] = true;
      tf.registerKernel(config);
      names.push(config.kernelName);
    } else if (isPatch(existing)) {
      names.push(config.kernelName);
    }
  }
  for (const config of WASM_REPLACED_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (!isPatch(existing)) {
      if (existing != null) tf.unregisterKernel(config.kernelName, 'wasm');
      (config.kernelFunc as unknown as Record<symbol, unknown>)[PATCH_MARK] = true;
      tf.registerKernel(config);
    }
    names.push(config.kernelName);
  }
  names.push(...setWasmSlice(true));
  return names;
}
