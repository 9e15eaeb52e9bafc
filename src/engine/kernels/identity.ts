/**
 * Identity for the wasm backend without a copy. tfjs clones (Identity) every tensor it saves for the
 * backward pass, and tfjs-backend-wasm 4.22's Identity copies the data: 1,555 copies in one reference
 * NAC train step. Tensors are immutable (a Variable's assign swaps its data id, it never writes in place)
 * and the wasm backend reference-counts data ids (its Reshape shares data the same way), so the clone
 * can share the input's memory, as tfjs' cpu backend does.
 */
import * as tf from '@tensorflow/tfjs';
import { requireInput, type KernelArgs } from './wasm-io.js';

const NAME = 'Identity';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** Kernel function: inputs {x}; returns x's data under a new reference. */
export function sharedIdentity(args: KernelArgs): tf.TensorInfo {
  const x = requireInput(args, 'x', NAME);
  const backend = args.backend as Partial<RefCountingBackend>;
  if (typeof backend.incRef !== 'function') throw new Error(`${NAME} (wasm patch kernel): the backend cannot share data (no incRef)`);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Registration record for the wasm backend (replaces the copying stock kernel). */
export const identityConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: sharedIdentity as unknown as tf.KernelFunc,
};
