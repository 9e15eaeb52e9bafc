/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 lacks it, so the gradient of
 * tf.conv2d with respect to its filter would fail). NHWC only, dilation 1, any stride/padding.
 *
 * dW[kh,kw,ci,co] = sum over (b,oh,ow) of x[b, oh*sh-top+kh, ow*sw-left+kw, ci] * dy[b,oh,ow,co].
 * Large problems are an im2col matmul, dW = cols^T . dy, run in row chunks through the wasm
 * backend's registered BatchMatMul kernel (OpenBLAS, this package's SIMD GEMM or XNNPACK: see
 * ./matmul.ts) and summed in float64. Small ones use a direct JS
 * loop whose innermost loop runs over whichever of ci/co is longer, on contiguous memory.
 */
import * as tf from '@tensorflow/tfjs';
import {
  convInfo,
  expectShape,
  floatData,
  floatSource,
  requireInput,
  sizeOf,
  wasmBackend,
  type KernelArgs,
  type WasmBackendApi,
} from './wasm-io.js';

const NAME = 'Conv2DBackpropFilter';
/** Below this many multiply-adds the direct loop beats the matmul set-up cost. */
const MATMUL_MIN_MACS = 1 << 15;
/** Upper bound on the elements of one im2col chunk (1 MiB of float32). */
const CHUNK_ELEMENTS = 1 << 18;

/** Kernel function: inputs {x, dy}, attrs {strides, pad, dataFormat, dimRoundingMode, filterShape}. */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args.backend, NAME);
  const x = requireInput(args, 'x', NAME);
  const dy = requireInput(args, 'dy', NAME);
  const filterShape = (args.attrs as { filterShape?: number[] } | undefined)?.filterShape;
  if (!Array.isArray(filterShape)) throw new Error(`${NAME} (wasm patch kernel): missing attr filterShape`);
  const info = convInfo(NAME, x.shape, filterShape, args.attrs, false);
  expectShape(NAME, 'dy', dy.shape, info.outShape);

  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const acc =
    matMul != null && rows * depth * info.outChannels >= MATMUL_MIN_MACS
      ? viaMatMul(backend, matMul.kernelFunc, info, x, dy)
      : direct(info, floatData(backend, x), floatData(backend, dy));
  const out = backend.makeOutput([...info.filterShape], 'float32');
  const dw = backend.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < acc.length; i++) dw[i] = acc[i];
  return out;
}

/**
 * dW[k, co] = sum over output pixels m of cols[k, m] * dy[m, co], where k = (kh, kw, ci). Each chunk
 * of output pixels is unfolded into a [1, depth, chunk] tensor (zero where the window hits padding or
 * past the last pixel) and multiplied with the matching [1, chunk, CO] slice of dy.
 */
function viaMatMul(
  backend: WasmBackendApi,
  matMul: tf.KernelFunc,
  info: tf.backend_util.Conv2DInfo,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
): Float64Array {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const { top, left } = info.padInfo;
  const total = info.batchSize * OH * OW;
  const depth = FH * FW * CI;
  const chunk = Math.max(1, Math.min(total, Math.floor(CHUNK_ELEMENTS / Math.max(depth, CO))));
  const acc = new Float64Array(depth * CO);
  const cols = backend.makeOutput([1, depth, chunk], 'float32');
  let dyc: tf.TensorInfo | null = null;
  const xSource = floatSource(backend, x);
  const dySource = floatSource(backend, dy);
  try {
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start);
      // tfjs' stock BatchMatMul caches XNNPACK's packed copy of `b` by tensor id, so each chunk of dy
      // needs a tensor of its own.
      dyc = backend.makeOutput([1, chunk, CO], 'float32');
      // Views are taken afresh each round: BatchMatMul's allocations may move the heap.
      const xs = xSource();
      const cv = backend.typedArrayFromHeap(cols) as Float32Array;
      const dv = backend.typedArrayFromHeap(dyc) as Float32Array;
      if (n < chunk) {
        cv.fill(0);
        dv.fill(0);
      }
      dv.set(dySource().subarray(start * CO, (start + n) * CO));
      for (let r = 0; r < n; r++) {
        const m = start + r;
        const ow = m % OW;
        const oh = Math.floor(m / OW) % OH;
        const bi = Math.floor(m / (OW * OH));
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * SH - top + kh;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * SW - left + kw;
            let k = (kh * FW + kw) * CI * chunk + r;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
              for (let ci = 0; ci < CI; ci++, k += chunk) cv[k] = 0;
            } else {
              const xOff = ((bi * H + ih) * W + iw) * CI;
              for (let ci = 0; ci < CI; ci++, k += chunk) cv[k] = xs[xOff + ci];
            }
          }
        }
      }
      const prod = matMul({ inputs: { a: cols, b: dyc }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
      const pv = backend.typedArrayFromHeap(prod) as Float32Array;
      for (let i = 0; i < acc.length; i++) acc[i] += pv[i];
      backend.disposeData(prod.dataId);
      backend.disposeData(dyc.dataId);
      dyc = null;
    }
  } finally {
    backend.disposeData(cols.dataId);
    if (dyc != null) backend.disposeData(dyc.dataId);
  }
  return acc;
}

/** Computes dW in float64; layout [kh,kw,ci,co] (returned directly) or [kh,kw,co,ci] (transposed). */
function direct(info: tf.backend_util.Conv2DInfo, x: Float32Array, dy: Float32Array): Float64Array {
  const { batchSize, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { outChannels: CO, filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const coInner = CO >= CI;
  const acc = new Float64Array(sizeOf(info.filterShape));
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - top;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - left;
        const dyOff = ((b * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < FH; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = iw0 + kw;
            if (iw < 0 || iw >= W) continue;
            const xOff = ((b * H + ih) * W + iw) * CI;
            const wOff = (kh * FW + kw) * CI * CO;
            if (coInner) {
              for (let ci = 0; ci < CI; ci++) {
                const xv = x[xOff + ci];
                const base = wOff + ci * CO;
                for (let co = 0; co < CO; co++) acc[base + co] += xv * dy[dyOff + co];
              }
            } else {
              for (let co = 0; co < CO; co++) {
                const g = dy[dyOff + co];
                const base = wOff + co * CI;
                for (let ci = 0; ci < CI; ci++) acc[base + ci] += g * x[xOff + ci];
              }
            }
          }
        }
      }
    }
  }
  if (coInner) return acc;
  // Transpose [kh,kw,co,ci] -> [kh,kw,ci,co].
  const res = new Float64Array(acc.length);
  for (let k = 0; k < FH * FW; k++) {
    const base = k * CI * CO;
    for (let co = 0; co < CO; co++) {
      for (let ci = 0; ci < CI; ci++) res[base + ci * CO + co] = acc[base + co * CI + ci];
    }
  }
  return res;
}

/** Registration record for the wasm backend. */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
