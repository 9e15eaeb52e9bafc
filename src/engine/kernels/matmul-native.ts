/**
 * BatchMatMul for the wasm backend through a GEMM that works in place on the wasm heap: the native
 * OpenBLAS add-on (../native-blas.ts) or this package's SIMD module (./matmul-simd.ts). Also the
 * heap helpers the other native kernels share.
 *
 * The output is allocated by the wasm backend itself (makeOutput), and the GEMM reads the operands
 * and writes the result directly in the wasm heap, at the tensors' memory offsets: no copies, and
 * transposes are just flags. Batch dimensions broadcast as in ./matmul-plan.ts. Non-float32
 * operands go to the stock kernel (which rejects them as tfjs does).
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { batchIndexMap, planMatMul } from './matmul-plan.js';
import { matMulAttrs, type MatMulKernel, type WasmMatMulBackend } from './matmul-wasm.js';
import { requireInput, type KernelArgs } from './wasm-io.js';

/** What the native kernels use of the wasm backend: output allocation, data offsets and the heap. */
export type WasmHeapBackend = WasmMatMulBackend;

/** Byte offset of a tensor's data on the wasm heap; throws naming `kernel` when it has none. */
export function heapOffset(backend: WasmHeapBackend, info: tf.TensorInfo, kernel: string): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (offset == null) throw new Error(`${kernel} (native): tensor data is not on the wasm heap`);
  return offset;
}

/**
 * Allocates a float32 output of `shape` and calls `fill` with the wasm heap and the byte offsets of
 * `inputs` then of the output, all read after the allocation (which may grow, i.e. replace, the heap).
 * Skips `fill` for an empty output and frees the output if `fill` throws. For the add-on's kernels.
 */
export function nativeOutput(
  backend: WasmHeapBackend,
  kernel: string,
  shape: readonly number[],
  inputs: readonly tf.TensorInfo[],
  fill: (heap: ArrayBuffer, offsets: number[]) => void,
): tf.TensorInfo {
  const out = backend.makeOutput([...shape], 'float32');
  if (shape.some((d) => d === 0)) return out;
  try {
    const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    fill(heap, [...inputs.map((t) => heapOffset(backend, t, kernel)), heapOffset(backend, out, kernel)]);
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  }
  return out;
}

/**
 * One batched product on the wasm heap: C[i] = op(A[i])·op(B[i]) for i < batch, C dense, a/b/c byte
 * offsets, strides in elements between consecutive matrices (0 broadcasts one matrix). `heap` is the
 * heap's buffer as read after the output was allocated.
 */
export type HeapGemm = (
  heap: ArrayBuffer,
  a: number,
  b: number,
  c: number,
  batch: number,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  strideA: number,
  strideB: number,
) => void;

/** The add-on's OpenBLAS products as a HeapGemm. */
export function blasGemm(blas: NativeBlas): HeapGemm {
  return (heap, a, b, c, batch, m, n, k, ta, tb, sa, sb) => blas.sgemmBatched(heap, a, b, c, batch, m, n, k, ta, tb, sa, sb, 1, 0);
}

/**
 * Returns a BatchMatMul kernel for 'wasm' that runs every float32 product through `gemm` (the native
 * add-on's OpenBLAS, or the SIMD module of ./matmul-simd.ts) in place on the heap.
 */
export function makeHeapBatchMatMul(gemm: HeapGemm, stock: MatMulKernel): MatMulKernel {
  return (args: KernelArgs): tf.TensorInfo => {
    const a = requireInput(args, 'a', 'BatchMatMul');
    const b = requireInput(args, 'b', 'BatchMatMul');
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    const { transposeA, transposeB } = matMulAttrs(args);
    const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
    const { m, n, k, batch } = plan;
    return nativeOutput(args.backend as WasmMatMulBackend, 'BatchMatMul', plan.outShape, [a, b], (heap, [aOff, bOff, cOff]) => {
      if (plan.strided) {
        const strideA = plan.aBatch === 1 ? 0 : m * k;
        const strideB = plan.bBatch === 1 ? 0 : k * n;
        gemm(heap, aOff!, bOff!, cOff!, batch, m, n, k, transposeA, transposeB, strideA, strideB);
      } else {
        const batchShape = plan.outShape.slice(0, -2);
        const aMap = batchIndexMap(a.shape.slice(0, -2), batchShape);
        const bMap = batchIndexMap(b.shape.slice(0, -2), batchShape);
        for (let i = 0; i < batch; i++) {
          const ai = aOff! + 4 * aMap[i]! * m * k;
          const bi = bOff! + 4 * bMap[i]! * k * n;
          gemm(heap, ai, bi, cOff! + 4 * i * m * n, 1, m, n, k, transposeA, transposeB, 0, 0);
        }
      }
    });
  };
}
