/**
 * Sum for the wasm backend over a contiguous block of axes that is not innermost (e.g. the batch
 * axis of a bias gradient: [B·T, D] → [D]). tfjs-backend-wasm 4.22 transposes the reduced axes
 * to the end first and then reduces, which is slow (≈ 19 ms for [1024, 256] → [256] here);
 * summing rows in place is a single pass. Every other case (innermost axes, scattered axes,
 * non-float32 data) goes to the stock kernel unchanged. Registered by initBackend, like the
 * matmul kernels; only this file re-registers Sum. With the native add-on the rows are summed in C
 * (native/src/sum.c), else in a JavaScript loop; both accumulate in double.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { heapOffset, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, sizeOf, wasmBackend, type KernelArgs } from './wasm-io.js';
import { wrapStockKernel } from './stock-kernel.js';

/** [outer, reduced, inner] sizes when `axes` form one contiguous block that is not innermost; else null. */
export function blockReduction(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  if (axes.length === 0) return null;
  const sorted = [...new Set(axes.map((a) => (a < 0 ? a + shape.length : a)))].sort((a, b) => a - b);
  const first = sorted[0] as number;
  const last = sorted[sorted.length - 1] as number;
  if (last - first + 1 !== sorted.length || last === shape.length - 1) return null;
  return [sizeOf(shape.slice(0, first)), sizeOf(shape.slice(first, last + 1)), sizeOf(shape.slice(last + 1))];
}

type NativeSumRows = NonNullable<NativeBlas['sumRows']>;

function makeSum(stock: tf.KernelFunc, sumRows: NativeSumRows | null): tf.KernelFunc {
  return (args) => {
    const x = requireInput(args as KernelArgs, 'x', 'Sum');
    const attrs = (args.attrs ?? {}) as { axis?: number | number[] | null; keepDims?: boolean };
    // axis null / undefined means every axis: the stock kernel's job.
    const axes = attrs.axis == null ? [] : Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis];
    const block = x.dtype === 'float32' ? blockReduction(x.shape, axes) : null;
    if (block == null) return stock(args);
    const [outer, reduced, inner] = block;
    const norm = new Set(axes.map((a) => (a < 0 ? a + x.shape.length : a)));
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (norm.has(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.has(i));
    const backend = wasmBackend(args.backend, 'Sum');
    const out = backend.makeOutput(outShape, 'float32');
    if (sumRows != null) {
      const heapBackend = args.backend as unknown as WasmHeapBackend;
      const heap = heapBackend.wasm.HEAPU8.buffer as ArrayBuffer; // after makeOutput: the heap may have grown
      sumRows(heap, heapOffset(heapBackend, x, 'Sum'), heapOffset(heapBackend, out, 'Sum'), outer, reduced, inner);
      return out;
    }
    const src = backend.typedArrayFromHeap(x) as Float32Array; // after makeOutput: the heap may have grown
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(0);
      const base = o * reduced * inner;
      for (let r = 0; r < reduced; r++) {
        const row = base + r * inner;
        for (let i = 0; i < inner; i++) acc[i] = (acc[i] as number) + (src[row + i] as number);
      }
      dst.set(acc, o * inner);
    }
    return out;
  };
}

/**
 * Replaces the wasm Sum kernel with the block-reducing wrapper (idempotent), in C when `blas` (the
 * native add-on, or the SIMD module's HeapKernelSet) has sumRows, else in JavaScript. False when wasm has no Sum.
 */
export function registerWasmSum(blas: Pick<NativeBlas, 'sumRows'> | null = null): boolean {
  return wrapStockKernel('wasm', 'Sum', (stock) => makeSum(stock, blas?.sumRows?.bind(blas) ?? null));
}
