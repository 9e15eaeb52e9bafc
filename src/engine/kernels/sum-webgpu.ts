/**
 * Sum for the webgpu backend over a contiguous block of axes that is not innermost: the gradients of
 * broadcasts (a bias or a per-module vector summed over the batch, an attention bias summed over its
 * heads). tfjs-backend-webgpu 4.22 transposes the reduced axes to the end and then runs a reduction
 * per output element, which is slow when the reduced block is short and the output large: on an H200
 * the paper-tiny NAC's sum over 6 heads ([128, 6, 256, 320] → [128, 256, 320]) took 6.3 ms per call
 * after a 0.6 ms transpose. Viewing the input as [outer, reduced, inner], one thread per output
 * element loops over the reduced block with coalesced reads (neighbouring threads read neighbouring
 * elements); a long block is first cut into chunks of {@link CHUNK} (two kernels). Every other case
 * (innermost axes, scattered axes, non-float32 data) goes to the stock kernel. Installed by
 * initBackend when webgpu starts (NAC_WEBGPU_SUM=0 keeps the stock kernel, for A/B timing).
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, i32, type WebGpuBackendLike } from './webgpu-program.js';
import { blockReduction } from './sum.js';
import { wrapStockKernel } from './stock-kernel.js';

/** Reduced positions summed by one thread in the first of two kernels. */
export const CHUNK = 256;

/** [outer, reduced, inner] → [outer, ⌈reduced / chunk⌉, inner]: partial sums over chunks of the block. */
class BlockSumProgram extends FlatProgram {
  variableNames = ['sumX'];
  uniforms = 'reduced : i32, inner : i32, chunk : i32, parts : i32,';
  shaderKey = 'nacBlockSum';
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let inner = uniforms.inner;
          let c = index % inner;
          let p = (index / inner) % uniforms.parts;
          let o = index / (inner * uniforms.parts);
          let r0 = p * uniforms.chunk;
          let r1 = min(r0 + uniforms.chunk, uniforms.reduced);
          var acc = 0.0;
          for (var r = r0; r < r1; r++) { acc += sumX[(o * uniforms.reduced + r) * inner + c]; }
          setOutputAtIndex(index, acc);
        }
      }`;
  }
}

/** Sums x viewed as [outer, reduced, inner] over `reduced` into a new tensor of `outShape` (outer·inner elements). */
export function blockSum(
  backend: WebGpuBackendLike,
  x: tf.TensorInfo,
  outShape: number[],
  outer: number,
  reduced: number,
  inner: number,
): tf.TensorInfo {
  const run = (input: tf.TensorInfo, shape: number[], red: number, chunk: number): tf.TensorInfo => {
    const parts = Math.ceil(red / chunk);
    const program = new BlockSumProgram(shape);
    return backend.runWebGPUProgram(program, [input], 'float32', [i32(red), i32(inner), i32(chunk), i32(parts)]);
  };
  if (reduced <= 2 * CHUNK) return run(x, outShape, reduced, reduced);
  const partial = run(x, [outer, Math.ceil(reduced / CHUNK), inner], reduced, CHUNK);
  const out = run(partial, outShape, Math.ceil(reduced / CHUNK), Math.ceil(reduced / CHUNK));
  backend.disposeData(partial.dataId);
  return out;
}

function makeSum(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x?: tf.TensorInfo }).x as tf.TensorInfo;
    const attrs = (args.attrs ?? {}) as { axis?: number | number[] | null; keepDims?: boolean };
    const axes = attrs.axis == null ? [] : Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis];
    const block = x.dtype === 'float32' ? blockReduction(x.shape, axes) : null;
    if (block == null) return stock(args);
    const [outer, reduced, inner] = block;
    const norm = new Set(axes.map((a) => (a < 0 ? a + x.shape.length : a)));
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (norm.has(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.has(i));
    return blockSum(args.backend as unknown as WebGpuBackendLike, x, outShape, outer, reduced, inner);
  };
}

/** Replaces the webgpu Sum kernel with the block-reducing wrapper (idempotent). False when webgpu has no Sum. */
export function registerWebGpuSum(): boolean {
  return wrapStockKernel('webgpu', 'Sum', makeSum);
}
