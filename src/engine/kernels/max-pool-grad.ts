/**
 * MaxPoolGrad for the wasm backend. tfjs-backend-wasm 4.22 has one, but it returns wrong gradients
 * whenever the batch or the channel count exceeds 1 (checked against the cpu backend in
 * test/engine/max-pool-grad.test.ts), so tf.maxPool trained wrongly on wasm. This replaces it.
 *
 * Semantics follow the cpu backend: each output pixel's gradient goes to the first position (in
 * window row-major order) holding the window's maximum; windows outside the image are skipped.
 */
import * as tf from '@tensorflow/tfjs';
import { floatData, requireInput, wasmBackend, type KernelArgs } from './wasm-io.js';

const NAME = 'MaxPoolGrad';

/** Kernel function: inputs {dy, input, output}, attrs {filterSize, strides, pad, dimRoundingMode}. */
export function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackend(args.backend, NAME);
  const dy = requireInput(args, 'dy', NAME);
  const input = requireInput(args, 'input', NAME);
  const { filterSize, strides, pad, dimRoundingMode } = (args.attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: SH, strideWidth: SW, dilationHeight: DH, dilationWidth: DW } = info;
  const { effectiveFilterHeight: FH, effectiveFilterWidth: FW } = info;
  const { top, left } = info.padInfo;

  const out = backend.makeOutput([...input.shape], 'float32');
  const xs = floatData(backend, input);
  const dys = floatData(backend, dy);
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let kh = 0; kh < FH; kh += DH) {
          const ih = oh * SH - top + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw += DW) {
            const iw = ow * SW - left + kw;
            if (iw < 0 || iw >= W) continue;
            const off = ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = xs[off + c]!;
              if (v > best[c]! || where[c] === -1) {
                best[c] = v;
                where[c] = off + c;
              }
            }
          }
        }
        const dyOff = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) if (where[c]! >= 0) dx[where[c]!] += dys[dyOff + c]!;
      }
    }
  }
  return out;
}

/** Registration record for the wasm backend (replaces the stock kernel). */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
