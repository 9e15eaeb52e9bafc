/**
 * The fused layer norm kernels (NacLayerNorm, NacLayerNormGrad; see ./layer-norm-webgpu.ts for the
 * maths and the customGrad that calls them) for the wasm backend, through the native add-on
 * (native/src/layer-norm.c) or the same C core in the SIMD module (wasm/src/kernels.c): one call per
 * direction instead of about 7 tfjs kernels forward and 20 backward, each paying tfjs' per-kernel
 * overhead. Without either (NAC_FUSED_LAYER_NORM=0, or the module cannot load), wasm keeps the
 * composite layer norm.
 */
import type { NativeBlas } from '../native-blas.js';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from './layer-norm-webgpu.js';
import { setHeapKernelPair } from './heap-kernel-pair.js';

/**
 * Registers the native layer norm kernels for 'wasm' (with an add-on that has layerNorm, or the SIMD
 * module's HeapKernelSet) or removes them (null, or an older add-on). Returns whether they are registered.
 */
export function setWasmLayerNorm(blas: Pick<NativeBlas, 'layerNorm'> | null): boolean {
  const layerNorm = blas?.layerNorm?.bind(blas);
  return setHeapKernelPair(
    LAYER_NORM_KERNEL,
    LAYER_NORM_GRAD_KERNEL,
    layerNorm == null
      ? null
      : (heap, mode, x, dy, out, info, attrs) => {
          const d = info.shape[info.shape.length - 1] ?? 1;
          const rows = info.shape.slice(0, -1).reduce((a, b) => a * b, 1);
          layerNorm(heap, mode, x, dy, out, rows, d, (attrs as { eps?: number } | undefined)?.eps ?? 1e-5);
        },
  );
}
