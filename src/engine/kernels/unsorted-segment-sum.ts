/**
 * UnsortedSegmentSum for the wasm backend. tfjs-backend-wasm 4.22 lacks it, and tf.gather's
 * gradient (hence every embedding lookup's gradient) is built on it.
 *
 * Semantics follow TensorFlow: segmentIds has the shape of a prefix of x's shape; the output is
 * [numSegments, ...x.shape.slice(segmentIds.rank)] and ids outside [0, numSegments) are dropped.
 */
import * as tf from '@tensorflow/tfjs';
import { numericData, requireInput, sizeOf, wasmBackend, type KernelArgs } from './wasm-io.js';

const NAME = 'UnsortedSegmentSum';

/** Kernel function: inputs {x, segmentIds}, attrs {numSegments}. Output dtype = x's dtype. */
export function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args.backend, NAME);
  const x = requireInput(args, 'x', NAME);
  const ids = requireInput(args, 'segmentIds', NAME);
  const numSegments = (args.attrs as { numSegments?: unknown } | undefined)?.numSegments;
  if (typeof numSegments !== 'number' || !Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`${NAME} (wasm patch kernel): numSegments must be a non-negative integer, got ${String(numSegments)}`);
  }
  const idRank = ids.shape.length;
  if (idRank > x.shape.length || ids.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `${NAME} (wasm patch kernel): segmentIds shape [${ids.shape.join(',')}] must be a prefix of x shape [${x.shape.join(',')}]`,
    );
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`${NAME} (wasm patch kernel): dtype ${x.dtype} is not supported (float32, int32)`);
  }
  if (ids.dtype !== 'int32') throw new Error(`${NAME} (wasm patch kernel): segmentIds must be int32, got ${ids.dtype}`);
  const innerShape = x.shape.slice(idRank);
  const inner = sizeOf(innerShape);
  const n = sizeOf(ids.shape);

  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const xs = numericData(backend, x, NAME);
  const idv = numericData(backend, ids, NAME);
  const res = backend.typedArrayFromHeap(out);
  res.fill(0);
  for (let i = 0; i < n; i++) {
    const s = idv[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) res[dst + j] += xs[src + j];
  }
  return out;
}

/** Registration record for the wasm backend. */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};
