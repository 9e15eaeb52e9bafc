/**
 * Identity and Cast for the wasm backend without needless copies. tfjs clones (Identity) every tensor
 * it saves for the backward pass, and the gradient of every Multiply casts its other operand to float32
 * (Cast), which is a no-op when the operand is float32 already; tfjs-backend-wasm 4.22 copies the data
 * in both cases: 1,555 Identity and 474 Cast copies in one reference NAC train step. Tensors are
 * immutable (a Variable's assign swaps its data id, it never writes in place) and the wasm backend
 * reference-counts data ids (its Reshape shares data the same way), so the result can share the
 * input's memory, as tfjs' cpu backend does.
 *
 * Cast between different dtypes still copies; to bool it now gives x ≠ 0, as tfjs' other backends do
 * (the stock kernel truncated: 0.5 became false, 256 became false).
 */
import * as tf from '@tensorflow/tfjs';
import { requireInput, wasmBackend, type KernelArgs } from './wasm-io.js';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function share(args: KernelArgs, x: tf.TensorInfo, kernel: string): tf.TensorInfo {
  const backend = args.backend as Partial<RefCountingBackend>;
  if (typeof backend.incRef !== 'function') throw new Error(`${kernel} (wasm patch kernel): the backend cannot share data (no incRef)`);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Identity kernel function: inputs {x}; returns x's data under a new reference. */
export function sharedIdentity(args: KernelArgs): tf.TensorInfo {
  return share(args, requireInput(args, 'x', 'Identity'), 'Identity');
}

/** Cast kernel function: inputs {x}, attrs {dtype}; shares x's data when the dtype does not change. */
export function sharedCast(args: KernelArgs): tf.TensorInfo {
  const x = requireInput(args, 'x', 'Cast');
  const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype;
  if (dtype == null) throw new Error('Cast (wasm patch kernel): missing attribute dtype');
  if (dtype === x.dtype) return share(args, x, 'Cast');
  const backend = wasmBackend(args.backend, 'Cast');
  const out = backend.makeOutput([...x.shape], dtype);
  // Views after makeOutput, which may grow (replace) the heap.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) dst[i] = (src[i] as number) !== 0 ? 1 : 0;
  else dst.set(src);
  return out;
}

/** Registration records for the wasm backend (replace the copying stock kernels). */
export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: sharedIdentity as unknown as tf.KernelFunc,
};
export const castConfig: tf.KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: sharedCast as unknown as tf.KernelFunc,
};
