/**
 * BatchMatMul for the wasm backend without native code: routes as many products as possible to
 * tfjs-backend-wasm's fast path.
 *
 * tfjs-backend-wasm 4.22 multiplies with XNNPACK (≈ 25–35 GFLOP/s here) only when neither operand
 * is transposed and both hold a single matrix; everything else runs a naive loop (≈ 1–2 GFLOP/s),
 * and training hits that loop constantly, because the gradients of y = x·W are transposed products
 * (matMul(dy, W, false, true) and matMul(x, dy, true, false)). When B is a single matrix, this kernel
 * materialises transposed operands with the wasm Transpose kernel and flattens a stack of A
 * matrices into one, then calls the stock kernel untransposed on one product. Products with B
 * stacked go to the stock kernel unchanged: transposing would not take them off the slow loop.
 * Batch shapes that the stock kernel mis-broadcasts (e.g. [2,1] with [3]: it indexes by a flat
 * modulo) are first tiled to the full batch shape with the wasm Tile kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { planMatMul } from './matmul-plan.js';
import { requireInput, sizeOf, type KernelArgs } from './wasm-io.js';

/** The parts of tfjs-backend-wasm the matmul kernels use. */
export interface WasmMatMulBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

/** A kernel function as this package calls it. */
export type MatMulKernel = (args: KernelArgs) => tf.TensorInfo;

/** The BatchMatMul attributes, defaulting missing flags to false. */
export function matMulAttrs(args: KernelArgs): { transposeA: boolean; transposeB: boolean } {
  const a = (args.attrs ?? {}) as { transposeA?: unknown; transposeB?: unknown };
  return { transposeA: a.transposeA === true, transposeB: a.transposeB === true };
}

/** A view of `info` with another shape of the same size (no copy, no reference count change). */
function view(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/**
 * Returns a BatchMatMul kernel that wraps `stock` (tfjs-backend-wasm's own kernel function) as
 * described in the file comment. Results equal the stock kernel's up to summation order.
 */
export function makeTransposingBatchMatMul(stock: MatMulKernel): MatMulKernel {
  const transposeKernel = tf.getKernel('Transpose', 'wasm');
  const tileKernel = tf.getKernel('Tile', 'wasm');
  return (args: KernelArgs): tf.TensorInfo => {
    const a = requireInput(args, 'a', 'BatchMatMul');
    const b = requireInput(args, 'b', 'BatchMatMul');
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || transposeKernel == null) return stock(args);
    const { transposeA, transposeB } = matMulAttrs(args);
    const plan = planMatMul(a.shape, b.shape, transposeA, transposeB);
    const { m, n, k } = plan;
    const backend = args.backend as WasmMatMulBackend;
    if (plan.batch * m * n === 0) return backend.makeOutput(plan.outShape, 'float32');
    if (k === 0) return zeros(backend, plan.outShape); // the stock kernel leaves the output uninitialised
    if (!plan.strided && tileKernel != null) return tiled(args, a, b, plan.outShape.slice(0, -2), tileKernel, stock);
    if (plan.bBatch !== 1 || (!transposeA && !transposeB && plan.aBatch === 1)) return stock(args);

    const temps: tf.TensorInfo[] = [];
    // Swaps the last two dims of `batch` stacked rows×cols matrices.
    const transposed = (x: tf.TensorInfo, batch: number, rows: number, cols: number): tf.TensorInfo => {
      const t = transposeKernel.kernelFunc({
        inputs: { x: view(x, [batch, rows, cols]) },
        backend: args.backend as object,
        attrs: { perm: [0, 2, 1] },
      });
      temps.push(t as tf.TensorInfo);
      return t as tf.TensorInfo;
    };
    try {
      const a2 = view(transposeA ? transposed(a, plan.aBatch, k, m) : a, [plan.aBatch * m, k]);
      const b2 = view(transposeB ? transposed(b, 1, n, k) : b, [k, n]);
      const out = stock({ inputs: { a: a2, b: b2 }, backend: args.backend, attrs: { transposeA: false, transposeB: false } });
      out.shape = plan.outShape;
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/** A float32 tensor of zeros (a product with an empty contracted dimension). */
function zeros(backend: WasmMatMulBackend, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const offset = backend.dataIdMap.get(out.dataId)?.memoryOffset ?? 0;
  new Float32Array(backend.wasm.HEAPU8.buffer, offset, sizeOf(shape)).fill(0);
  return out;
}

/** Tiles each operand to the full batch shape (one matrix per output batch), then calls `stock`. */
function tiled(
  args: KernelArgs,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  batchShape: number[],
  tileKernel: tf.KernelConfig,
  stock: MatMulKernel,
): tf.TensorInfo {
  const backend = args.backend as WasmMatMulBackend;
  const temps: tf.TensorInfo[] = [];
  const expand = (x: tf.TensorInfo): tf.TensorInfo => {
    const own = [...new Array<number>(batchShape.length + 2 - x.shape.length).fill(1), ...x.shape];
    const reps = own.map((d, i) => (i < batchShape.length ? batchShape[i]! / d : 1));
    if (reps.every((r) => r === 1)) return view(x, own);
    const t = tileKernel.kernelFunc({ inputs: { x: view(x, own) }, backend: args.backend as object, attrs: { reps } }) as tf.TensorInfo;
    temps.push(t);
    return t;
  };
  try {
    return stock({ inputs: { a: expand(a), b: expand(b) }, backend: args.backend, attrs: args.attrs });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
