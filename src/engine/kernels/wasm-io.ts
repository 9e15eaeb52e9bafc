/**
 * Shared plumbing for the JS kernels that patch gaps in tfjs-backend-wasm: typed access to the
 * wasm backend's heap, output allocation, and attribute parsing for the convolution kernels.
 *
 * Heap views are only valid until the next wasm allocation (the heap may grow and detach them), so
 * kernels must allocate their output first and take input/output views afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The subset of the wasm backend the patch kernels use. */
export type WasmBackendApi = Pick<BackendWasm, 'makeOutput' | 'typedArrayFromHeap' | 'readSync' | 'disposeData'>;

/** Parameters tfjs hands to every kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Casts the opaque `backend` argument of a kernel to the wasm backend API, checking it looks right. */
export function wasmBackend(backend: unknown, kernel: string): WasmBackendApi {
  const b = backend as Partial<WasmBackendApi>;
  if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') {
    throw new Error(`${kernel} (wasm patch kernel): called with a backend that is not tfjs-backend-wasm`);
  }
  return b as WasmBackendApi;
}

/** Returns the named input or throws a clear error naming the kernel. */
export function requireInput(args: KernelArgs, name: string, kernel: string): tf.TensorInfo {
  const t = (args.inputs as Record<string, tf.TensorInfo | undefined>)[name];
  if (t == null) throw new Error(`${kernel} (wasm patch kernel): missing input '${name}'`);
  return t;
}

/**
 * Float32 view of a tensor's data. float32 tensors are viewed in place on the wasm heap (no copy);
 * other dtypes are converted into a fresh Float32Array.
 */
export function floatData(backend: WasmBackendApi, info: tf.TensorInfo): Float32Array {
  if (info.dtype === 'float32') return backend.typedArrayFromHeap(info) as Float32Array;
  return Float32Array.from(backend.readSync(info.dataId) as ArrayLike<number>);
}

/**
 * Returns a getter for a tensor's float32 data: a fresh heap view on each call for float32 tensors
 * (views die when the heap grows), or one converted copy for other dtypes.
 */
export function floatSource(backend: WasmBackendApi, info: tf.TensorInfo): () => Float32Array {
  if (info.dtype === 'float32') return () => backend.typedArrayFromHeap(info) as Float32Array;
  const copy = floatData(backend, info);
  return () => copy;
}

/** Numeric view of a float32/int32/bool tensor (in place on the wasm heap). */
export function numericData(backend: WasmBackendApi, info: tf.TensorInfo, kernel: string): tf.TypedArray {
  if (info.dtype === 'string' || info.dtype === 'complex64') {
    throw new Error(`${kernel} (wasm patch kernel): dtype ${info.dtype} is not supported`);
  }
  return backend.typedArrayFromHeap(info);
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Normalised attributes of a 2D convolution, resolved by tfjs' own shape logic. */
export type ConvInfo = tf.backend_util.Conv2DInfo;

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function pair(v: unknown, name: string, kernel: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((e) => Number.isInteger(e) && e > 0)) {
    return [v[0] as number, v[1] as number];
  }
  if (v == null && name === 'dilations') return [1, 1];
  throw new Error(`${kernel} (wasm patch kernel): unsupported ${name} ${JSON.stringify(v)}`);
}

function checkPad(pad: unknown, kernel: string): Pad {
  if (pad === 'same' || pad === 'valid') return pad;
  if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) return pad;
  if (
    Array.isArray(pad) &&
    pad.length === 4 &&
    pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((e) => Number.isInteger(e) && e >= 0))
  ) {
    const explicit = pad as [number, number][];
    if (explicit[0]!.some((e) => e !== 0) || explicit[3]!.some((e) => e !== 0)) {
      throw new Error(`${kernel} (wasm patch kernel): explicit padding of batch/channel dims is not supported`);
    }
    return explicit as unknown as tf.backend_util.ExplicitPadding;
  }
  throw new Error(`${kernel} (wasm patch kernel): unsupported pad ${JSON.stringify(pad)}`);
}

/**
 * Resolves the geometry of an NHWC convolution from kernel attrs (strides, pad in all tfjs forms,
 * dilations, dimRoundingMode, dataFormat), throwing a clear error for anything unsupported.
 */
export function convInfo(
  kernel: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.NamedAttrMap | undefined,
  depthwise: boolean,
): ConvInfo {
  const a = (attrs ?? {}) as Record<string, unknown>;
  if (a.dataFormat != null && a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} (wasm patch kernel): dataFormat ${String(a.dataFormat)} is not supported, only NHWC`);
  }
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernel} (wasm patch kernel): expected 4-D input and filter shapes`);
  }
  if (inShape[3] !== filterShape[2]) {
    throw new Error(`${kernel} (wasm patch kernel): input has ${inShape[3]} channels but the filter expects ${filterShape[2]}`);
  }
  const strides = pair(a.strides, 'strides', kernel);
  const dilations = pair(a.dilations, 'dilations', kernel);
  if (!depthwise && (dilations[0] !== 1 || dilations[1] !== 1)) {
    throw new Error(`${kernel} (wasm patch kernel): dilations other than 1 are not supported`);
  }
  const rounding = a.dimRoundingMode as Rounding;
  if (rounding != null && !['floor', 'round', 'ceil'].includes(rounding)) {
    throw new Error(`${kernel} (wasm patch kernel): unsupported dimRoundingMode ${String(rounding)}`);
  }
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    checkPad(a.pad, kernel),
    rounding,
    depthwise,
    'channelsLast',
  );
}

/** Checks that `actual` equals `expected`, naming the tensor in the error. */
export function expectShape(kernel: string, what: string, actual: readonly number[], expected: readonly number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${kernel} (wasm patch kernel): ${what} has shape [${actual.join(',')}], expected [${expected.join(',')}]`);
  }
}

/**
 * Registers `make(name)` on 'wasm' for each of `names`, replacing any registration, or only removes
 * them when `make` is null (the package-specific kernels: their own names, no stock kernel to keep).
 * Returns whether they are registered.
 */
export function setWasmKernels(names: readonly string[], make: ((name: string) => tf.KernelFunc) | null): boolean {
  for (const name of names) if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
  if (make == null) return false;
  for (const name of names) tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(name) });
  return true;
}

/** Whether a fused eval kernel `name` may run now: wasm active, the kernel registered, no gradient being recorded. */
export function fusedWasmKernelReady(name: string): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel(name, 'wasm') != null && !tf.engine().isTapeOn();
}
