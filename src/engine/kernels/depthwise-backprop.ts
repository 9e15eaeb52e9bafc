/**
 * DepthwiseConv2dNativeBackpropFilter / DepthwiseConv2dNativeBackpropInput for the wasm backend
 * (missing from tfjs-backend-wasm 4.22, so tf.depthwiseConv2d had no gradient there).
 *
 * Layouts are NHWC; the filter is [fh, fw, inChannels, channelMultiplier] and output channel
 * k = c * multiplier + m. Strides, dilations and every tfjs padding form are supported. Both kernels
 * walk the forward-pass windows (b, oh, ow, kh, kw) so the innermost loop runs over contiguous
 * channels; sums are accumulated in float64.
 */
import * as tf from '@tensorflow/tfjs';
import { convInfo, expectShape, floatData, requireInput, sizeOf, wasmBackend, type KernelArgs } from './wasm-io.js';

const FILTER = 'DepthwiseConv2dNativeBackpropFilter';
const INPUT = 'DepthwiseConv2dNativeBackpropInput';

/** Geometry shared by both kernels, unpacked once. */
function geometry(info: tf.backend_util.Conv2DInfo) {
  return {
    B: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    K: info.outChannels,
    M: info.outChannels / info.inChannels,
    FH: info.filterHeight,
    FW: info.filterWidth,
    SH: info.strideHeight,
    SW: info.strideWidth,
    DH: info.dilationHeight,
    DW: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** Kernel function: inputs {x, dy}, attrs {strides, pad, dilations, dimRoundingMode, filterShape}. */
export function depthwiseBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args.backend, FILTER);
  const x = requireInput(args, 'x', FILTER);
  const dy = requireInput(args, 'dy', FILTER);
  const filterShape = (args.attrs as { filterShape?: number[] } | undefined)?.filterShape;
  if (!Array.isArray(filterShape)) throw new Error(`${FILTER} (wasm patch kernel): missing attr filterShape`);
  const info = convInfo(FILTER, x.shape, filterShape, args.attrs, true);
  expectShape(FILTER, 'dy', dy.shape, info.outShape);

  const out = backend.makeOutput([...info.filterShape], 'float32');
  const xs = floatData(backend, x);
  const dys = floatData(backend, dy);
  const dw = backend.typedArrayFromHeap(out) as Float32Array;
  const { B, H, W, C, OH, OW, K, M, FH, FW, SH, SW, DH, DW, top, left } = geometry(info);
  const acc = new Float64Array(sizeOf(info.filterShape));
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyOff = ((b * OH + oh) * OW + ow) * K;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * SH - top + kh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * SW - left + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const xOff = ((b * H + ih) * W + iw) * C;
            const wOff = (kh * FW + kw) * K;
            if (M === 1) {
              for (let c = 0; c < C; c++) acc[wOff + c] += xs[xOff + c] * dys[dyOff + c];
            } else {
              for (let k = 0; k < K; k++) acc[wOff + k] += xs[xOff + Math.floor(k / M)] * dys[dyOff + k];
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < acc.length; i++) dw[i] = acc[i];
  return out;
}

/** Kernel function: inputs {dy, filter}, attrs {strides, pad, dilations, dimRoundingMode, inputShape}. */
export function depthwiseBackpropInput(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args.backend, INPUT);
  const dy = requireInput(args, 'dy', INPUT);
  const filter = requireInput(args, 'filter', INPUT);
  const inputShape = (args.attrs as { inputShape?: number[] } | undefined)?.inputShape;
  if (!Array.isArray(inputShape)) throw new Error(`${INPUT} (wasm patch kernel): missing attr inputShape`);
  const info = convInfo(INPUT, inputShape, filter.shape, args.attrs, true);
  expectShape(INPUT, 'dy', dy.shape, info.outShape);

  const out = backend.makeOutput([...info.inShape], 'float32');
  const dys = floatData(backend, dy);
  const ws = floatData(backend, filter);
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const { B, H, W, C, OH, OW, K, M, FH, FW, SH, SW, DH, DW, top, left } = geometry(info);
  // Scatter each output pixel's gradient back through the window into one float64 image at a time.
  const image = new Float64Array(H * W * C);
  for (let b = 0; b < B; b++) {
    image.fill(0);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyOff = ((b * OH + oh) * OW + ow) * K;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * SH - top + kh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * SW - left + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const pOff = (ih * W + iw) * C;
            const wOff = (kh * FW + kw) * K;
            if (M === 1) {
              for (let c = 0; c < C; c++) image[pOff + c] += dys[dyOff + c] * ws[wOff + c];
            } else {
              for (let c = 0; c < C; c++) {
                let sum = 0;
                for (let m = c * M; m < (c + 1) * M; m++) sum += dys[dyOff + m] * ws[wOff + m];
                image[pOff + c] += sum;
              }
            }
          }
        }
      }
    }
    dx.set(image, b * image.length);
  }
  return out;
}

/** Registration records for the wasm backend. */
export const depthwiseBackpropConfigs: tf.KernelConfig[] = [
  { kernelName: FILTER, backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc },
  { kernelName: INPUT, backendName: 'wasm', kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc },
];
