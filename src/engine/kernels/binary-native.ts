/**
 * Add, Sub, Multiply and RealDiv for the wasm backend through the native add-on (native/src/binary.c),
 * broadcasting included. tfjs-backend-wasm's broadcasting path is slow for the shapes a NAC uses most,
 * a bias or per-channel scale over [B, U, d] activations (about 3 ns per element); the add-on's loops
 * vectorise for the CPU and read and write the wasm heap in place.
 *
 * The broadcast is collapsed to at most 4 dims ({@link broadcastPlan}); float32 operands whose pattern
 * needs more, and other dtypes, go to the kernel registered before. initBackend switches these on with
 * the native BatchMatMul and restores tfjs' kernels without it.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { switchWasmKernels, type WasmKernelFunc } from './kernel-originals.js';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, type KernelArgs } from './wasm-io.js';

/** tfjs kernel names → the add-on's op codes (native/src/binary.c). */
export const NATIVE_BINARY_OPS: Readonly<Record<string, number>> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 };
const NAMES = Object.keys(NATIVE_BINARY_OPS);

/** A broadcast collapsed to 4 dims: out is dense `dims`; `a`/`b` are element strides (0 = broadcast). */
export interface BroadcastPlan {
  outShape: number[];
  dims: [number, number, number, number];
  a: [number, number, number, number];
  b: [number, number, number, number];
}

/**
 * Collapses the broadcast of shapes `aShape` and `bShape` (numpy rules): size-1 output dims are dropped,
 * neighbouring dims where each operand is present or broadcast alike are merged, and the result is
 * padded to 4 dims on the left (innermost strides are then 0 or 1). Returns null when the shapes do not
 * broadcast or more than 4 dims remain.
 */
export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan | null {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (s: readonly number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const as = pad(aShape);
  const bs = pad(bShape);
  const outShape: number[] = [];
  const groups: Array<{ size: number; aOn: boolean; bOn: boolean }> = [];
  for (let k = 0; k < rank; k++) {
    const x = as[k] as number;
    const y = bs[k] as number;
    if (x !== y && x !== 1 && y !== 1) return null;
    const size = x === 1 ? y : x;
    outShape.push(size);
    if (size === 1) continue;
    const aOn = x !== 1;
    const bOn = y !== 1;
    const last = groups[groups.length - 1];
    if (last != null && last.aOn === aOn && last.bOn === bOn) last.size *= size;
    else groups.push({ size, aOn, bOn });
  }
  if (groups.length > 4) return null;
  while (groups.length < 4) groups.unshift({ size: 1, aOn: false, bOn: false });
  const dims = groups.map((g) => g.size) as BroadcastPlan['dims'];
  const strides = (on: (g: (typeof groups)[number]) => boolean): BroadcastPlan['a'] => {
    const s: number[] = [0, 0, 0, 0];
    let run = 1;
    for (let k = 3; k >= 0; k--) {
      const g = groups[k] as (typeof groups)[number];
      if (on(g)) {
        s[k] = run;
        run *= g.size;
      }
    }
    return s as BroadcastPlan['a'];
  };
  return { outShape, dims, a: strides((g) => g.aOn), b: strides((g) => g.bOn) };
}

type Kernel = WasmKernelFunc;
type NativeBinary = NonNullable<NativeBlas['binary']>;

function nativeKernel(binary: NativeBinary, name: string, fallback: Kernel): Kernel {
  const op = NATIVE_BINARY_OPS[name] as number;
  return (args: KernelArgs): tf.TensorInfo => {
    const a = requireInput(args, 'a', name);
    const b = requireInput(args, 'b', name);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const plan = broadcastPlan(a.shape, b.shape);
    if (plan == null) return fallback(args);
    return nativeOutput(args.backend as WasmHeapBackend, name, plan.outShape, [a, b], (heap, [aOff, bOff, outOff]) =>
      binary(heap, op, aOff as number, bOff as number, outOff as number, ...plan.dims, ...plan.a, ...plan.b),
    );
  };
}

/**
 * Registers the native arithmetic kernels for 'wasm' (with an add-on that has binary(), or the SIMD
 * module's HeapKernelSet) or restores tfjs' own (null). Returns the names of the kernels now running natively.
 */
export function setWasmBinary(blas: Pick<NativeBlas, 'binary'> | null): string[] {
  const binary = blas?.binary?.bind(blas);
  return switchWasmKernels(
    'wasm-binary-originals',
    NAMES,
    binary == null ? null : (name, original) => nativeKernel(binary, name, original),
  );
}
