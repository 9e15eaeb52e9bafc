/**
 * The wasm kernel of ../random.ts's counter-hash noise (NacHashNoise, as on webgpu): writes a draw
 * straight into the wasm heap, in the SIMD module (wasm/src/noise.c). Uniform draws are bit for bit
 * the JavaScript hashNoiseArray's, about 4x faster (the reference NAC draws 1.2 M uniforms per train
 * step for its attention samples, 12 ms in JavaScript). Normal draws use float32 log and cos
 * polynomials, within a few float32 ulp of the JavaScript's float64 log and cos (which the cpu
 * backend keeps), about 20x faster: the seeder's 393 K normals per reference train step took 15-25 ms.
 */
import * as tf from '@tensorflow/tfjs';
import { HASH_NOISE_KERNEL, type HashNoiseAttrs } from './hash-noise-webgpu.js';
import { heapOffset, type WasmHeapBackend } from './matmul-native.js';
import type { SimdKernels } from './simd-module.js';
import { setWasmKernels, type KernelArgs } from './wasm-io.js';

function kernel(simd: SimdKernels): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const attrs = args.attrs as unknown as HashNoiseAttrs & { shape: number[] };
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput([...attrs.shape], 'float32');
    const n = tf.util.sizeFromShape(attrs.shape);
    if (n === 0) return out;
    const offset = heapOffset(backend, out, HASH_NOISE_KERNEL);
    if (attrs.normal) {
      simd.hashNormal(offset, n, attrs.key1, attrs.key2);
    } else {
      simd.hashUniform(offset, n, attrs.key1, Math.fround(attrs.lo), Math.fround(attrs.hi - attrs.lo));
    }
    return out;
  }) as unknown as tf.KernelFunc;
}

/** Registers the wasm noise kernel on `simd` (or removes it: null); ../random.ts uses it when present. */
export function setWasmHashNoise(simd: SimdKernels | null): boolean {
  return setWasmKernels([HASH_NOISE_KERNEL], simd == null ? null : () => kernel(simd));
}
