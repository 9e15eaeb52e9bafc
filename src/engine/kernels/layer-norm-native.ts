/**
 * The fused layer norm kernels (NacLayerNorm, NacLayerNormGrad; see ./layer-norm-webgpu.ts for the
 * maths and the customGrad that calls them) for the wasm backend, through the native add-on
 * (native/src/layer-norm.c): one call per direction instead of about 7 tfjs kernels forward and 20
 * backward, each paying tfjs' per-kernel overhead. Registered with the native BatchMatMul; without the
 * add-on, wasm keeps the composite layer norm.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './layer-norm-webgpu.js';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, type KernelArgs } from './wasm-io.js';

type NativeLayerNorm = NonNullable<NativeBlas['layerNorm']>;

function kernel(layerNorm: NativeLayerNorm, mode: 0 | 1): tf.KernelFunc {
  const name = mode === 0 ? LAYER_NORM_KERNEL : LAYER_NORM_GRAD_KERNEL;
  return ((args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', name);
    const dy = mode === 1 ? requireInput(args, 'dy', name) : x;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} (native): expected float32 inputs`);
    const eps = (args.attrs as { eps?: number } | undefined)?.eps ?? 1e-5;
    const d = x.shape[x.shape.length - 1] ?? 1;
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return nativeOutput(args.backend as WasmHeapBackend, name, x.shape, [x, dy], (heap, [xOff, dyOff, outOff]) =>
      layerNorm(heap, mode, xOff as number, dyOff as number, outOff as number, rows, d, eps),
    );
  }) as unknown as tf.KernelFunc;
}

/**
 * Registers the native layer norm kernels for 'wasm' (with an add-on that has layerNorm, or the SIMD
 * module's HeapKernelSet) or removes them (null, or an older add-on). Returns whether they are registered.
 */
export function setWasmLayerNorm(blas: Pick<NativeBlas, 'layerNorm'> | null): boolean {
  for (const name of [LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL]) {
    if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
  }
  const layerNorm = blas?.layerNorm?.bind(blas);
  if (layerNorm == null) return false;
  tf.registerKernel({ kernelName: LAYER_NORM_KERNEL, backendName: 'wasm', kernelFunc: kernel(layerNorm, 0) });
  tf.registerKernel({ kernelName: LAYER_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: kernel(layerNorm, 1) });
  return true;
}
