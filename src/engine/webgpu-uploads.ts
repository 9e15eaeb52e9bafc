/**
 * Host → GPU uploads through queue.writeBuffer. tfjs-backend-webgpu 4.22 uploads every tensor that
 * holds host values (each scalar constant of `x.mul(0.5)`, each batch) through a freshly created
 * staging buffer (createBuffer with mappedAtCreation, never pooled): hundreds of buffer creations per
 * training step, costly native calls (on an H200 machine, 1.1 of 7.2 host seconds of a paper-size NAC
 * step, together with the uploads themselves). This replaces the backend's uploadToGPU with a pooled
 * storage buffer filled by queue.writeBuffer. That is ordered correctly: writeBuffer lands on the
 * queue before the command encoder being recorded is submitted, and a pooled (free) buffer is used by
 * no command of that encoder (tfjs frees such buffers only after their submit).
 */
import * as tf from '@tensorflow/tfjs';

interface TensorData {
  values: ArrayLike<number> | null | undefined;
  dtype: string;
  shape: number[];
  resource?: unknown;
}
interface WebGpuBackendInternals {
  tensorMap: { get(id: object): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number): unknown };
  queue: { writeBuffer(buffer: unknown, offset: number, data: ArrayBufferLike, dataOffset: number, size: number): void };
  uploadToGPU(dataId: object): void;
  nacUploads?: boolean;
}

/** Installs the writeBuffer upload on the registered webgpu backend (idempotent; no-op if its internals differ). */
export function useWriteBufferUploads(): boolean {
  const backend = tf.engine().registry['webgpu'] as unknown as WebGpuBackendInternals | undefined;
  const usage = (globalThis as { GPUBufferUsage?: { STORAGE: number; COPY_SRC: number; COPY_DST: number } }).GPUBufferUsage;
  if (backend == null || usage == null) return false;
  if (backend.nacUploads === true) return true;
  if (typeof backend.uploadToGPU !== 'function' || backend.tensorMap == null || backend.bufferManager == null || backend.queue == null)
    return false;
  const original = backend.uploadToGPU.bind(backend);
  const flags = usage.STORAGE | usage.COPY_SRC | usage.COPY_DST;
  backend.uploadToGPU = (dataId: object): void => {
    const data = backend.tensorMap.get(dataId);
    if (data.resource != null) return;
    const values = data.values;
    if (values == null || !['float32', 'int32', 'bool'].includes(data.dtype)) {
      original(dataId);
      return;
    }
    const n = data.shape.reduce((a, b) => a * b, 1);
    const typed =
      data.dtype === 'float32'
        ? values instanceof Float32Array
          ? values
          : Float32Array.from(values)
        : values instanceof Int32Array
          ? values
          : Int32Array.from(values);
    const buffer = backend.bufferManager.acquireBuffer(4 * n, flags);
    if (n > 0) backend.queue.writeBuffer(buffer, 0, typed.buffer, typed.byteOffset, 4 * n);
    data.values = null;
    data.resource = buffer;
  };
  backend.nacUploads = true;
  return true;
}
