/**
 * Slice for the wasm backend by contiguous block copies. tfjs-backend-wasm 4.22 slices element by
 * element in JavaScript unless the slice is one contiguous run: taking the second half of the columns
 * of a [128, 512] weight (GEGLU's affineColumns, every forward) took 1.15 ms, the last-axis half of a
 * [32, 64, 512] activation 13 ms; its SplitV slices the same way (a [32, 80, 128] tensor cut into 16 and
 * 64 modules: 2.4 ms). Here the trailing dimensions a slice keeps whole are merged into one
 * block, and each block is one copyWithin on the heap (or a short loop for blocks under 16 elements).
 *
 * float32, int32 and bool tensors (the dtypes the wasm heap holds); strings and complex64 go to the
 * stock kernel. Semantics and errors are tfjs' own (slice_util.parseSliceParams, assertParamsValid).
 */
import * as tf from '@tensorflow/tfjs';
import { originalWasmKernels, switchWasmKernels, type WasmKernelFunc } from './kernel-originals.js';
import { heapOffset, type WasmHeapBackend } from './matmul-native.js';
import { requireInput, type KernelArgs } from './wasm-io.js';

const SHORT_BLOCK = 16;

/**
 * Copies the slice at `begin` of size `size` of a tensor of shape `shape` stored at element `src` of
 * `heap` into the dense block at element `dst` (one copyWithin per block of trailing dims kept whole).
 */
export function copySlice(
  heap: Int32Array | Uint8Array,
  src: number,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: number,
): void {
  const rank = shape.length;
  const strides = tf.util.computeStrides([...shape]);
  // The block: dims from the last back to the first one the slice does not keep whole.
  let blockDim = rank - 1;
  let block = rank === 0 ? 1 : (size[rank - 1] as number);
  while (blockDim > 0 && size[blockDim] === shape[blockDim]) {
    blockDim--;
    block *= size[blockDim] as number;
  }
  let srcOffset = src;
  for (let d = 0; d < rank; d++) srcOffset += (begin[d] as number) * (d < rank - 1 ? (strides[d] as number) : 1);
  const outer = blockDim <= 0 ? 1 : size.slice(0, blockDim).reduce((a, b) => a * b, 1);
  const counter = new Array<number>(Math.max(blockDim, 0)).fill(0);
  for (let o = 0, dstOffset = dst; o < outer; o++, dstOffset += block) {
    if (block >= SHORT_BLOCK) heap.copyWithin(dstOffset, srcOffset, srcOffset + block);
    else for (let i = 0; i < block; i++) heap[dstOffset + i] = heap[srcOffset + i] as number;
    // Advance the mixed-radix counter over dims [0, blockDim).
    for (let d = blockDim - 1; d >= 0; d--) {
      const stride = strides[d] as number;
      if (++counter[d]! < (size[d] as number)) {
        srcOffset += stride;
        break;
      }
      counter[d] = 0;
      srcOffset -= stride * ((size[d] as number) - 1);
    }
  }
}

/** Returns a Slice kernel function for 'wasm' that falls back to `stock` for other dtypes. */
export function makeSlice(stock: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', 'Slice');
    if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return stock(args as never) as tf.TensorInfo;
    const attrs = (args.attrs ?? {}) as { begin?: number | number[]; size?: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin ?? 0, attrs.size);
    tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size);
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput([...size], x.dtype);
    if (size.some((d) => d === 0)) return out;
    // The heap and offsets after makeOutput, which may grow (replace) the heap.
    const buffer = backend.wasm.HEAPU8.buffer as ArrayBuffer;
    const [src, dst] = [heapOffset(backend, x, 'Slice'), heapOffset(backend, out, 'Slice')];
    if (x.dtype === 'bool') copySlice(new Uint8Array(buffer), src, x.shape, begin, size, dst);
    else copySlice(new Int32Array(buffer), src / 4, x.shape, begin, size, dst / 4);
    return out;
  }) as unknown as tf.KernelFunc;
}

/** Returns a SplitV kernel function for 'wasm' whose pieces are cut by `slice` (tfjs' calls its slow slice directly). */
export function makeSplitV(slice: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo[] => {
    const x = requireInput(args, 'x', 'SplitV');
    const attrs = (args.attrs ?? {}) as { numOrSizeSplits?: number | number[]; axis?: number | number[] };
    const axis = tf.util.parseAxisParam(attrs.axis ?? 0, x.shape)[0] as number;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits ?? 1, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const pieces: tf.TensorInfo[] = [];
    try {
      for (const s of sizes) {
        const size = [...x.shape];
        size[axis] = s;
        pieces.push(slice({ inputs: { x }, backend: args.backend, attrs: { begin: [...begin], size } } as never) as tf.TensorInfo);
        begin[axis] = (begin[axis] as number) + s;
      }
    } catch (err) {
      const backend = args.backend as WasmHeapBackend;
      for (const p of pieces) backend.disposeData(p.dataId);
      throw err;
    }
    return pieces;
  }) as unknown as tf.KernelFunc;
}

/**
 * Registers the block-copy Slice and SplitV for 'wasm' over tfjs' own (on) or restores tfjs' (off).
 * Returns the names now registered from this file.
 */
export function setWasmSlice(on: boolean): string[] {
  const originals = originalWasmKernels('wasm-slice-originals', ['Slice', 'SplitV']);
  const stockSlice = originals.get('Slice')?.kernelFunc;
  if (stockSlice == null) return [];
  const slice = makeSlice(stockSlice);
  return switchWasmKernels(
    'wasm-slice-originals',
    ['Slice', 'SplitV'],
    on ? (name) => (name === 'Slice' ? slice : makeSplitV(slice)) as unknown as WasmKernelFunc : null,
  );
}
