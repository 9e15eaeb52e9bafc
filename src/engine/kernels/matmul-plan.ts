/**
 * Shape logic shared by this package's BatchMatMul kernels for the wasm backend: the sizes of the
 * matrix product, the broadcast output shape, and where each output batch reads its operands.
 *
 * Batch dimensions broadcast as in NumPy (right-aligned, size 1 stretches). Where tfjs' own kernels
 * are correct (an operand with a single batch, or equal batch shapes after right-alignment) the
 * results are identical; where they index by a flat modulo (e.g. batch shapes [2,1] and [3]) ours
 * follow the broadcasting rule instead.
 */
import * as tf from '@tensorflow/tfjs';
import { sizeOf } from './wasm-io.js';

/** Everything a BatchMatMul kernel needs to know about its operands' shapes. */
export interface MatMulPlan {
  /** Rows of each output matrix. */
  m: number;
  /** Columns of each output matrix. */
  n: number;
  /** Contracted size. */
  k: number;
  /** Output shape: the broadcast batch shape, then [m, n]. */
  outShape: number[];
  /** Number of output matrices (product of the broadcast batch shape). */
  batch: number;
  /** Number of matrices stored in a (1 when a has no batch dimensions). */
  aBatch: number;
  /** Number of matrices stored in b. */
  bBatch: number;
  /**
   * True when each operand either has a single matrix (reused by every output batch) or exactly one
   * matrix per output batch, in order: then a constant stride per operand describes the batch.
   */
  strided: boolean;
}

/**
 * Computes the plan of `matMul(a, b, transposeA, transposeB)`, throwing tfjs-style errors for
 * operands of rank < 2, mismatched inner sizes or batch shapes that do not broadcast.
 */
export function planMatMul(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`BatchMatMul: operands must have rank >= 2, got shapes [${aShape.join(',')}] and [${bShape.join(',')}]`);
  }
  const ar = aShape.length;
  const br = bShape.length;
  const m = transposeA ? aShape[ar - 1]! : aShape[ar - 2]!;
  const kA = transposeA ? aShape[ar - 2]! : aShape[ar - 1]!;
  const kB = transposeB ? bShape[br - 1]! : bShape[br - 2]!;
  const n = transposeB ? bShape[br - 2]! : bShape[br - 1]!;
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${aShape} and ${bShape} and ` +
        `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const aBatchShape = aShape.slice(0, -2);
  const bBatchShape = bShape.slice(0, -2);
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const batch = sizeOf(batchShape);
  const aBatch = sizeOf(aBatchShape);
  const bBatch = sizeOf(bBatchShape);
  const fits = (x: number): boolean => x === 1 || x === batch;
  return { m, n, k: kA, outShape: [...batchShape, m, n], batch, aBatch, bBatch, strided: fits(aBatch) && fits(bBatch) };
}

/**
 * For each output batch (row-major over the broadcast batch shape), the index of the matrix of the
 * operand with batch shape `operandBatch` that it reads.
 */
export function batchIndexMap(operandBatch: readonly number[], outBatch: readonly number[]): Int32Array {
  const total = sizeOf(outBatch);
  const map = new Int32Array(total);
  const rank = outBatch.length;
  const offset = rank - operandBatch.length;
  // stride of each output batch dim in the operand (0 where the operand broadcasts or lacks the dim)
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = operandBatch.length - 1; d >= 0; d--) {
    if (operandBatch[d] !== 1) strides[d + offset] = s;
    s *= operandBatch[d]!;
  }
  const idx = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let i = 0; i < total; i++) {
    map[i] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      pos += strides[d]!;
      if (idx[d]! < outBatch[d]!) break;
      pos -= strides[d]! * outBatch[d]!;
      idx[d] = 0;
    }
  }
  return map;
}
