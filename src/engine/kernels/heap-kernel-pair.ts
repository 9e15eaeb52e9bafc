/**
 * The shape shared by the fused elementwise kernels of the wasm backend (layer norm, GELU): a forward
 * kernel on x and an input-gradient kernel on (x, dy), both float32 and shaped like x, computed in place
 * on the wasm heap by the native add-on or the SIMD module. Registers or removes such a pair.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, setWasmKernels, type KernelArgs } from './wasm-io.js';

/**
 * Fills the output at byte offset `out` from x (and dy in mode 1) at `x`, `dy` on `heap`; `info` is x's
 * tensor info and `attrs` the kernel's attributes.
 */
export type HeapPairFill = (
  heap: ArrayBuffer,
  mode: 0 | 1,
  x: number,
  dy: number,
  out: number,
  info: tf.TensorInfo,
  attrs: tf.NamedAttrMap | undefined,
) => void;

function kernel(name: string, mode: 0 | 1, fill: HeapPairFill): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', name);
    const dy = mode === 1 ? requireInput(args, 'dy', name) : x;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error(`${name} (wasm): expected float32 inputs`);
    return nativeOutput(args.backend as WasmHeapBackend, name, x.shape, [x, dy], (heap, [xOff, dyOff, outOff]) =>
      fill(heap, mode, xOff as number, dyOff as number, outOff as number, x, args.attrs),
    );
  }) as unknown as tf.KernelFunc;
}

/**
 * Registers the kernels `forward` (mode 0) and `grad` (mode 1) for 'wasm' on `fill`, or only removes
 * them when `fill` is null. Returns whether they are registered.
 */
export function setHeapKernelPair(forward: string, grad: string, fill: HeapPairFill | null): boolean {
  return setWasmKernels([forward, grad], fill == null ? null : (name) => kernel(name, name === forward ? 0 : 1, fill));
}
