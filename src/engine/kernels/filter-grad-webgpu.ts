/**
 * Filter gradients of convolutions (Conv2DBackpropFilter, NHWC, and DepthwiseConv2dNativeBackpropFilter,
 * dilation 1) for tfjs' webgpu backend, split over the batch. tfjs-backend-webgpu 4.22 runs one thread per
 * filter element, each looping over the whole batch and image: for the paper-tiny NAC's ConvNeXt
 * tokenizer ([128, 16, 16, 96] → a [7, 7, 96, 1] filter) that is 4,704 threads of 32,768 steps, and its
 * filter gradients took 50 ms of the step's 420 ms of GPU time on an H200 (docs/performance.md). Here each
 * thread sums one filter element over one chunk of the batch (about {@link TARGET_THREADS} threads in all),
 * and the block Sum (./sum-webgpu.ts) adds the chunks' partial filters.
 *
 * initBackend installs it on webgpu (0.03–0.09x tfjs' time on the paper-tiny tokenizer's three filter
 * gradients on an H200: bench/webgpu-kernels.mjs, docs/performance.md); NAC_WEBGPU_FILTER_GRAD=tfjs keeps
 * tfjs' kernels. Other data formats, dilations and dtypes, batches under two and filters of more than
 * 65,535 × 64 elements go to the stock kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { FLAT_WORKGROUP, FlatProgram, i32, MAX_DISPATCH, type WebGpuBackendLike } from './webgpu-program.js';
import { blockSum } from './sum-webgpu.js';
import { stockKernel, wrapStockKernel } from './stock-kernel.js';

const KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'] as const;
type FilterGradKernel = (typeof KERNELS)[number];

/** Threads the partial sums aim for (a large GPU runs a few hundred thousand at once). */
export const TARGET_THREADS = 1 << 18;
/** A flat dispatch covers at most this many threads. */
const MAX_THREADS = MAX_DISPATCH * FLAT_WORKGROUP;

/** Batch chunks for a filter of `filterSize` elements over `batch` examples: [parts, examples per part]. */
export function filterGradSplit(filterSize: number, batch: number): [number, number] {
  const wanted = Math.max(1, Math.min(batch, Math.ceil(TARGET_THREADS / filterSize), Math.floor(MAX_THREADS / filterSize)));
  const chunk = Math.ceil(batch / wanted);
  return [Math.ceil(batch / chunk), chunk];
}

class FilterGradProgram extends FlatProgram {
  variableNames = ['fgX', 'fgDy'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, inHeight : i32, inWidth : i32, outHeight : i32, outWidth : i32, ' +
    'batch : i32, chunk : i32, filterWidth : i32, inChannels : i32, lastDim : i32, dyChannels : i32, filterSize : i32,';
  shaderKey: string;
  constructor(
    partShape: number[],
    private readonly depthwise: boolean,
  ) {
    super(partShape);
    this.shaderKey = `nacFilterGrad_${depthwise}`;
  }
  getUserCode(): string {
    // Filter element (wR, wC, d1, last): last is the output channel (conv) or the channel multiplier (depthwise).
    const dyChannel = this.depthwise ? 'd1 * uniforms.lastDim + last' : 'last';
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let part = index / uniforms.filterSize;
          var r = index % uniforms.filterSize;
          let last = r % uniforms.lastDim;
          r = r / uniforms.lastDim;
          let d1 = r % uniforms.inChannels;
          r = r / uniforms.inChannels;
          let wC = r % uniforms.filterWidth;
          let wR = r / uniforms.filterWidth;
          let c2 = ${dyChannel};
          let b0 = part * uniforms.chunk;
          let b1 = min(uniforms.batch, b0 + uniforms.chunk);
          var acc = 0.0;
          for (var b = b0; b < b1; b++) {
            for (var yR = 0; yR < uniforms.outHeight; yR++) {
              let xR = wR + yR * uniforms.strides.x - uniforms.pads.x;
              if (xR < 0 || xR >= uniforms.inHeight) { continue; }
              let xRow = (b * uniforms.inHeight + xR) * uniforms.inWidth;
              let dyRow = (b * uniforms.outHeight + yR) * uniforms.outWidth;
              for (var yC = 0; yC < uniforms.outWidth; yC++) {
                let xC = wC + yC * uniforms.strides.y - uniforms.pads.y;
                if (xC < 0 || xC >= uniforms.inWidth) { continue; }
                acc += fgX[(xRow + xC) * uniforms.inChannels + d1] * fgDy[(dyRow + yC) * uniforms.dyChannels + c2];
              }
            }
          }
          setOutputAtIndex(index, acc);
        }
      }`;
  }
}

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
}

function makeFilterGrad(kernel: FilterGradKernel, stock: tf.KernelFunc): tf.KernelFunc {
  const depthwise = kernel === 'DepthwiseConv2dNativeBackpropFilter';
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as FilterGradAttrs;
    const dilations = attrs.dilations ?? 1;
    const dilated = Array.isArray(dilations) ? dilations.some((d) => d !== 1) : dilations !== 1;
    if (
      x.dtype !== 'float32' ||
      dy.dtype !== 'float32' ||
      (attrs.dataFormat ?? 'NHWC') !== 'NHWC' ||
      dilated ||
      (x.shape[0] as number) < 2
    ) {
      return stock(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      depthwise,
    );
    const filterShape = attrs.filterShape;
    const filterSize = filterShape.reduce((a, b) => a * b, 1);
    if (filterSize > MAX_THREADS) return stock(args); // one flat dispatch could not cover it
    const [parts, chunk] = filterGradSplit(filterSize, info.batchSize);
    const backend = args.backend as unknown as WebGpuBackendLike;
    const program = new FilterGradProgram([parts, ...filterShape], depthwise);
    const uniforms = [
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      i32(info.inHeight),
      i32(info.inWidth),
      i32(info.outHeight),
      i32(info.outWidth),
      i32(info.batchSize),
      i32(chunk),
      i32(filterShape[1]),
      i32(filterShape[2]),
      i32(filterShape[3]),
      i32(dy.shape[3] as number),
      i32(filterSize),
    ];
    const partial = backend.runWebGPUProgram(program, [x, dy], 'float32', uniforms);
    if (parts === 1) return { ...partial, shape: filterShape };
    const out = blockSum(backend, partial, filterShape, 1, parts, filterSize);
    backend.disposeData(partial.dataId);
    return out;
  };
}

/**
 * Replaces the webgpu filter-gradient kernels with the batch-split ones, or restores the stock kernels
 * (`on` false). Idempotent. False when webgpu lacks them.
 */
export function setWebGpuSplitFilterGrads(on: boolean): boolean {
  if (KERNELS.some((name) => stockKernel('webgpu', name) == null)) return false;
  for (const name of KERNELS) wrapStockKernel('webgpu', name, on ? (stock) => makeFilterGrad(name, stock) : null);
  return true;
}
