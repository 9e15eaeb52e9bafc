/**
 * A tiled matrix product for tfjs' webgpu backend (BatchMatMul), for the large products of a NAC's train
 * step. tfjs-backend-webgpu 4.22 runs them in MatMulPackedProgram: 32 × 32 output tiles, workgroups of 64
 * threads computing 4 × 4 each, and scalar (not vec4) loads when B is transposed, as in half of the
 * gradients. On an H200 that program took 222 ms of the paper-tiny NAC's 420 ms of GPU time per step:
 * about 20 TFLOP/s on the untransposed forward products, 9–16 on the transposed gradient ones
 * (docs/performance.md). The program here (./matmul-webgpu-program.ts) computes 128 × 128 output tiles with
 * 256 threads of 8 × 8, with scalar or vec4 loads (the latter with register prefetch) and a contraction step
 * of 8 or 16. Batch dimensions broadcast when one side has a single matrix. Products with few output tiles
 * and a long contraction (the weight gradients: [40960 × 384]ᵀ·[40960 × 384] is 9 tiles) split the
 * contraction over up to {@link MAX_SPLITS} workgroups per tile (split-K), whose partial tiles the block Sum
 * (./sum-webgpu.ts) adds up.
 *
 * initBackend installs it on webgpu in 'auto' mode ({@link tiledMatMulChoice}: per product, what ran fastest
 * on an H200); NAC_WEBGPU_MATMUL=tfjs keeps tfjs' kernel, =tiled takes every product it covers and
 * =tiled-transposed only those with a transposed operand, both with NAC_WEBGPU_MATMUL_LOADS (scalar, vec4)
 * and NAC_WEBGPU_MATMUL_STEP (8, 16); bench/webgpu-kernels.mjs and bench/gpu/run.sh's `ab` step time them.
 * Products with fewer than {@link MIN_SIDE} rows or columns, other dtypes and batch shapes it does not cover
 * go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { i32, MAX_DISPATCH, type WebGpuBackendLike } from './webgpu-program.js';
import { TILE, TiledMatMulProgram, vec4Loadable, type TileLoads } from './matmul-webgpu-program.js';
import { blockSum } from './sum-webgpu.js';
import { wrapStockKernel } from './stock-kernel.js';

/** Contraction steps staged through workgroup memory (8 KiB or 16 KiB of it); 8 unless setTiledMatMulStep says 16. */
export const TILE_K_CHOICES = [8, 16] as const;
/** Split parts are a multiple of this long, so that they start on a step of either size. */
export const SPLIT_ALIGN = 16;
let tileK: (typeof TILE_K_CHOICES)[number] = 8;
let loads: TileLoads = 'scalar';

/** Sets the contraction step of the tiled product (8 or 16: fewer barriers per product, twice the workgroup memory). */
export function setTiledMatMulStep(step: (typeof TILE_K_CHOICES)[number]): void {
  if (!TILE_K_CHOICES.includes(step)) throw new RangeError(`tiled matmul step must be one of ${TILE_K_CHOICES.join(', ')}, got ${step}`);
  tileK = step;
}

/**
 * Sets how the tiled product fills workgroup memory: 'scalar' (any shape) or 'vec4' (vec4 loads with register
 * prefetch, ./matmul-webgpu-program.ts; products whose stored rows are not a multiple of 4 floats stay scalar).
 */
export function setTiledMatMulLoads(how: TileLoads): void {
  if (how !== 'scalar' && how !== 'vec4') throw new RangeError(`tiled matmul loads must be 'scalar' or 'vec4', got '${String(how)}'`);
  loads = how;
}
/** Smaller products stay on the stock kernel (a 128 × 128 tile would mostly idle). */
export const MIN_SIDE = 128;
/** Workgroups a product should keep busy (a large GPU has 100+ multiprocessors); fewer tiles split K. */
export const TARGET_WORKGROUPS = 512;
/** Most parts a contraction is split into, and the shortest part (elements of K). */
export const MAX_SPLITS = 64;
const MIN_SPLIT_K = 256;
/** In 'auto' mode, scalar-load products that are untransposed and unsplit with a shorter contraction stay on tfjs' kernel. */
export const AUTO_MIN_K = 768;
/**
 * In 'auto' mode, the shortest contraction that gets vec4 loads: the batched attention scores (K = 64, B
 * transposed) ran at half the speed with them, every product with K ≥ 384 faster.
 */
export const AUTO_VEC4_MIN_K = 256;
/**
 * In 'auto' mode, unsplit products with fewer output tiles than this (all batch entries) stay on tfjs' kernel,
 * whose 32 × 32 tiles keep 16 times as many workgroups busy: in the paper-tiny NAC's profiles on an H200 the
 * circuit generator's [256 × 384]·[384 × 384] took 0.27 ms per call in 6 tiles and 0.026 ms in tfjs' kernel.
 */
export const AUTO_MIN_TILES = 128;

/** A product as the tiled program would run it: sizes, output tiles (all batch entries), contraction parts. */
export interface TiledMatMulPlan {
  m: number;
  n: number;
  k: number;
  batchA: number;
  batchB: number;
  outShape: number[];
  tiles: number;
  splits: number;
  kChunk: number;
}

/** The product's plan when the tiled program covers it, else null (the stock kernel runs it). */
export function tiledMatMulPlan(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): TiledMatMulPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const m = (transposeA ? aShape[ra - 1] : aShape[ra - 2]) as number;
  const k = (transposeA ? aShape[ra - 2] : aShape[ra - 1]) as number;
  const kb = (transposeB ? bShape[rb - 1] : bShape[rb - 2]) as number;
  const n = (transposeB ? bShape[rb - 2] : bShape[rb - 1]) as number;
  if (k !== kb || m < MIN_SIDE || n < MIN_SIDE) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const batchA = outerA.reduce((x, y) => x * y, 1);
  const batchB = outerB.reduce((x, y) => x * y, 1);
  // One side's batch shape is the output's and the other has one matrix (or both the same shape).
  let outer: number[];
  if (tf.util.arraysEqual(outerA, outerB)) outer = outerA;
  else if (batchB === 1) outer = outerA;
  else if (batchA === 1) outer = outerB;
  else return null;
  // WebGPU dispatches at most 65,535 workgroups along each axis (z: the batch, times the parts below).
  if (batchA === 0 || batchB === 0 || Math.max(batchA, batchB, Math.ceil(m / TILE), Math.ceil(n / TILE)) > MAX_DISPATCH) return null;
  const tiles = Math.max(batchA, batchB) * Math.ceil(m / TILE) * Math.ceil(n / TILE);
  const wanted = Math.min(MAX_SPLITS, Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(k / MIN_SPLIT_K));
  // Parts a multiple of SPLIT_ALIGN long, so each starts on a step; recount after rounding.
  const kChunk = wanted > 1 ? Math.ceil(k / wanted / SPLIT_ALIGN) * SPLIT_ALIGN : Math.max(k, 1);
  const splits = Math.ceil(k / kChunk) || 1;
  return { m, n, k, batchA, batchB, outShape: [...outer, m, n], tiles, splits, kChunk };
}

/** Which products the tiled kernel takes: all it covers, those with a transposed operand, or 'auto' (below). */
export type TiledMatMulMode = boolean | 'transposed' | 'auto';
/** How the tiled program runs one product. */
export interface TiledChoice {
  loads: TileLoads;
  step: (typeof TILE_K_CHOICES)[number];
}

/**
 * How `mode` runs this planned product: null for tfjs' kernel, else the tiled program's loads and step. `true`
 * and `'transposed'` use the loads and step set by {@link setTiledMatMulLoads} and {@link setTiledMatMulStep}
 * (vec4 only where {@link vec4Loadable}). `'auto'` picks per product what ran fastest on an H200
 * (bench/webgpu-kernels.mjs, docs/performance.md): tfjs' kernel for unsplit products of fewer than
 * {@link AUTO_MIN_TILES} tiles; vec4 loads where rows allow and the contraction is at least
 * {@link AUTO_VEC4_MIN_K} long, with the 16-deep step unless the contraction is split (there the 8-deep one);
 * otherwise scalar loads for products with a transposed operand, a split contraction or one of at least
 * {@link AUTO_MIN_K}; and tfjs' kernel for the rest (untransposed, unsplit, short contractions with rows that
 * are not a multiple of 4).
 */
export function tiledMatMulChoice(
  mode: Exclude<TiledMatMulMode, false>,
  plan: Pick<TiledMatMulPlan, 'm' | 'n' | 'k' | 'tiles' | 'splits'>,
  transposeA: boolean,
  transposeB: boolean,
): TiledChoice | null {
  const vec4 = vec4Loadable(plan.m, plan.n, plan.k, transposeA, transposeB);
  if (mode === true || (mode === 'transposed' && (transposeA || transposeB)))
    return { loads: loads === 'vec4' && vec4 ? 'vec4' : 'scalar', step: tileK };
  if (mode !== 'auto') return null;
  if (plan.splits === 1 && plan.tiles < AUTO_MIN_TILES) return null;
  if (vec4 && plan.k >= AUTO_VEC4_MIN_K) return { loads: 'vec4', step: plan.splits > 1 ? 8 : 16 };
  if (transposeA || transposeB || plan.splits > 1 || plan.k >= AUTO_MIN_K) return { loads: 'scalar', step: 8 };
  return null;
}

function makeBatchMatMul(stock: tf.KernelFunc, mode: Exclude<TiledMatMulMode, false>): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA = false, transposeB = false } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const plan = a.dtype === 'float32' && b.dtype === 'float32' ? tiledMatMulPlan(a.shape, b.shape, transposeA, transposeB) : null;
    const choice = plan == null ? null : tiledMatMulChoice(mode, plan, transposeA, transposeB);
    if (plan == null || choice == null) return stock(args);
    const { m, n, k, batchA, batchB, outShape, splits, kChunk } = plan;
    const batch = Math.max(batchA, batchB);
    const backend = args.backend as unknown as WebGpuBackendLike;
    const partShape = splits === 1 ? outShape : [batch, splits, m, n];
    const program = new TiledMatMulProgram(partShape, m, n, batch * splits, transposeA, transposeB, choice.step, choice.loads);
    const uniforms = [i32(m), i32(n), i32(k), i32(batchA), i32(batchB), i32(splits), i32(kChunk)];
    const out = backend.runWebGPUProgram(program, [a, b], 'float32', uniforms);
    if (splits === 1) return out;
    const sum = blockSum(backend, out, outShape, batch, splits, m * n);
    backend.disposeData(out.dataId);
    return sum;
  };
}

/**
 * Replaces the webgpu BatchMatMul kernel with the tiled one for every product it covers (`true`), only for
 * those with a transposed operand (`'transposed'`: tfjs' own kernel reads vec4s only when neither B nor the
 * inner axis of A is transposed), for those where it measured faster (`'auto'`, {@link tiledMatMulChoice}), or
 * restores the stock kernel (`false`). Idempotent. False when webgpu has no BatchMatMul kernel.
 */
export function setWebGpuTiledMatMul(mode: TiledMatMulMode): boolean {
  return wrapStockKernel('webgpu', 'BatchMatMul', mode === false ? null : (stock) => makeBatchMatMul(stock, mode));
}
