/**
 * Exp, Log, Log1p, Erf and Softplus for the wasm backend through the native add-on (native/src/
 * unary.c, unary-math.c). tfjs-backend-wasm evaluates them one scalar libm call per element, about
 * 10–30 ns each: GELU's Erf and its gradient's Exp over [32, 64, 256] activations took 6 ms per call in
 * the reference NAC's train step, the kernel's Softplus 5 ms. The add-on's loops use glibc's vector
 * math (libmvec, ≤ 4 ulp), reading and writing the wasm heap in place.
 *
 * float32 inputs only; anything else goes to the kernel registered before. initBackend switches these
 * on with the native BatchMatMul and restores tfjs' kernels without it.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { switchWasmKernels, type WasmKernelFunc } from './kernel-originals.js';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, type KernelArgs } from './wasm-io.js';

/** tfjs kernel names → the add-on's op codes (native/src/unary-math.h). */
export const NATIVE_UNARY_OPS: Readonly<Record<string, number>> = { Exp: 0, Log: 1, Log1p: 2, Erf: 3, Softplus: 4 };
const NAMES = Object.keys(NATIVE_UNARY_OPS);

type Kernel = WasmKernelFunc;
type NativeUnary = NonNullable<NativeBlas['unary']>;

function nativeKernel(unary: NativeUnary, name: string, fallback: Kernel): Kernel {
  const op = NATIVE_UNARY_OPS[name] as number;
  return (args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', name);
    if (x.dtype !== 'float32') return fallback(args);
    const n = tf.util.sizeFromShape(x.shape);
    return nativeOutput(args.backend as WasmHeapBackend, name, x.shape, [x], (heap, [xOff, outOff]) =>
      unary(heap, op, xOff as number, outOff as number, n),
    );
  };
}

/**
 * Registers the native elementwise kernels for 'wasm' (with an add-on that has unary(), or the SIMD
 * module's HeapKernelSet, wasm/src/unary.c) or restores tfjs' own (null). Returns the names of the kernels now running natively.
 */
export function setWasmUnary(blas: Pick<NativeBlas, 'unary'> | null): string[] {
  const unary = blas?.unary?.bind(blas);
  return switchWasmKernels('wasm-unary-originals', NAMES, unary == null ? null : (name, original) => nativeKernel(unary, name, original));
}
