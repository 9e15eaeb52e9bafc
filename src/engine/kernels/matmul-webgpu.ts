/**
 * A tiled matrix product for tfjs' webgpu backend (BatchMatMul), for the large products of a NAC's train
 * step. tfjs-backend-webgpu 4.22 runs them in MatMulPackedProgram: 32 × 32 output tiles, workgroups of 64
 * threads computing 4 × 4 each, and scalar (not vec4) loads when B is transposed, as in half of the
 * gradients. On an H200 that program took 222 ms of the paper-tiny NAC's 420 ms of GPU time per step:
 * about 20 TFLOP/s on the untransposed forward products, 9–16 on the transposed gradient ones
 * (docs/performance.md). Here a workgroup of 256 threads computes a 128 × 128 tile, a block of 8 × 8
 * outputs per thread read from workgroup memory as vec4s, the contraction in steps of 8 (or 16)
 * staged through workgroup memory (8 KiB), transposes fixed per shader. Batch dimensions broadcast when one side
 * has a single matrix. Products with few output tiles and a long contraction (the weight gradients:
 * [40960 × 384]ᵀ·[40960 × 384] is 9 tiles) split the contraction over up to {@link MAX_SPLITS} workgroups per
 * tile (split-K), whose partial tiles the block Sum (./sum-webgpu.ts) adds up.
 *
 * Opt-in until it is timed on a GPU: NAC_WEBGPU_MATMUL=tiled (read by initBackend) installs it for every
 * product it covers, NAC_WEBGPU_MATMUL=tiled-transposed only where an operand is transposed (the gradients),
 * and bench/gpu/run.sh's `matmul` and `ab` steps time them. Products with fewer than
 * {@link MIN_SIDE} rows or columns, other dtypes and batch shapes it does not cover go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { i32, MAX_DISPATCH, type WebGpuBackendLike } from './webgpu-program.js';
import { blockSum } from './sum-webgpu.js';
import { wrapStockKernel } from './stock-kernel.js';

/** Output tile of one workgroup (rows and columns). */
export const TILE = 128;
/** Contraction steps staged through workgroup memory (8 KiB or 16 KiB of it); 8 unless setTiledMatMulStep says 16. */
export const TILE_K_CHOICES = [8, 16] as const;
/** Split parts are a multiple of this long, so that they start on a step of either size. */
export const SPLIT_ALIGN = 16;
let tileK: (typeof TILE_K_CHOICES)[number] = 8;

/** Sets the contraction step of the tiled product (8 or 16: fewer barriers per product, twice the workgroup memory). */
export function setTiledMatMulStep(step: (typeof TILE_K_CHOICES)[number]): void {
  if (!TILE_K_CHOICES.includes(step)) throw new RangeError(`tiled matmul step must be one of ${TILE_K_CHOICES.join(', ')}, got ${step}`);
  tileK = step;
}
/** Outputs per thread along each side (TILE / 16 threads). */
const PER_THREAD = TILE / 16;
/** Smaller products stay on the stock kernel (a 128 × 128 tile would mostly idle). */
export const MIN_SIDE = 128;
/** Workgroups a product should keep busy (a large GPU has 100+ multiprocessors); fewer tiles split K. */
export const TARGET_WORKGROUPS = 512;
/** Most parts a contraction is split into, and the shortest part (elements of K). */
export const MAX_SPLITS = 64;
const MIN_SPLIT_K = 256;

class TiledMatMulProgram {
  variableNames = ['mmA', 'mmB'];
  outputShape: number[];
  uniforms = 'dimM : i32, dimN : i32, dimK : i32, batchA : i32, batchB : i32, splits : i32, kChunk : i32,';
  workgroupSize: [number, number, number] = [16, 16, 1];
  dispatchLayout: { x: number[]; y: number[]; z: number[] };
  dispatch: [number, number, number];
  shaderKey: string;
  constructor(
    outShape: number[],
    m: number,
    n: number,
    workgroupsZ: number,
    private readonly transposeA: boolean,
    private readonly transposeB: boolean,
    private readonly tileK: number,
  ) {
    this.outputShape = outShape;
    const r = outShape.length;
    this.dispatchLayout = { x: [r - 1], y: [r - 2], z: outShape.slice(0, -2).map((_, i) => i) };
    this.dispatch = [Math.ceil(n / TILE), Math.ceil(m / TILE), workgroupsZ];
    this.shaderKey = `nacTiledMatMul_${transposeA}_${transposeB}_${tileK}`;
  }
  getUserCode(): string {
    const P = PER_THREAD;
    const TILE_K = this.tileK;
    // Tile element e (0..TILE·TILE_K) a thread loads: its coordinates along the stored matrix's contiguous axis.
    const loadA = this.transposeA
      ? `let kk = e / ${TILE}; let mm = e % ${TILE}; let gm = m0 + mm; let gk = k0 + kk;
         let v = select(0.0, mmA[aBase + gk * M + gm], gm < M && gk < kEnd);`
      : `let mm = e / ${TILE_K}; let kk = e % ${TILE_K}; let gm = m0 + mm; let gk = k0 + kk;
         let v = select(0.0, mmA[aBase + gm * K + gk], gm < M && gk < kEnd);`;
    const loadB = this.transposeB
      ? `let nn = e / ${TILE_K}; let kk = e % ${TILE_K}; let gn = n0 + nn; let gk = k0 + kk;
         let v = select(0.0, mmB[bBase + gn * K + gk], gn < N && gk < kEnd);`
      : `let kk = e / ${TILE}; let nn = e % ${TILE}; let gn = n0 + nn; let gk = k0 + kk;
         let v = select(0.0, mmB[bBase + gk * N + gn], gn < N && gk < kEnd);`;
    // Thread (tx, ty) owns rows 8ty..8ty+7 and columns 8tx..8tx+7 of the tile: per step it reads its 8 values of A
    // and of B as two vec4s each from workgroup memory (4 wide reads per 64 multiply-adds) and keeps the 8 × 8
    // accumulators in 16 named vec4s, so they stay in registers whatever the shader compiler unrolls.
    const rows = [...Array(P).keys()];
    const declare = rows.map((i) => `var c${i}_0 = vec4<f32>(0.0); var c${i}_1 = vec4<f32>(0.0);`).join(' ');
    const lane = ['x', 'y', 'z', 'w'];
    const fmaStep = [
      `let a0 = tileA[kk * ${TILE / 4} + 2 * ty]; let a1 = tileA[kk * ${TILE / 4} + 2 * ty + 1];`,
      `let b0 = tileB[kk * ${TILE / 4} + 2 * tx]; let b1 = tileB[kk * ${TILE / 4} + 2 * tx + 1];`,
      ...rows.map((i) => {
        const a = `vec4<f32>(a${i >> 2}.${lane[i & 3]})`;
        return `c${i}_0 = fma(${a}, b0, c${i}_0); c${i}_1 = fma(${a}, b1, c${i}_1);`;
      }),
    ].join('\n            ');
    const store = rows
      .map(
        (i) =>
          `{ let gm = m0 + 8 * ty + ${i}; if (gm < M) { let row = cBase + gm * N + n0 + 8 * tx; let w = N - n0 - 8 * tx;\n          ` +
          rows.map((j) => `if (${j} < w) { result[row + ${j}] = c${i}_${j >> 2}.${lane[j & 3]}; }`).join(' ') +
          ' } }',
      )
      .join('\n        ');
    return `
      var<workgroup> tileA : array<vec4<f32>, ${(TILE * TILE_K) / 4}>;
      var<workgroup> tileB : array<vec4<f32>, ${(TILE * TILE_K) / 4}>;
      fn main() {
        let M = uniforms.dimM;
        let N = uniforms.dimN;
        let K = uniforms.dimK;
        // z = (batch entry)·splits + (part of the contraction); the output holds one tile per z.
        let z = i32(workgroupId.z);
        let bi = z / uniforms.splits;
        let kStart = (z % uniforms.splits) * uniforms.kChunk;
        let kEnd = min(K, kStart + uniforms.kChunk);
        let aBase = select(bi, 0, uniforms.batchA == 1) * M * K;
        let bBase = select(bi, 0, uniforms.batchB == 1) * K * N;
        let m0 = i32(workgroupId.y) * ${TILE};
        let n0 = i32(workgroupId.x) * ${TILE};
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let t = ty * 16 + tx;
        ${declare}
        // As many steps in every workgroup (uniform control flow around the barriers); loads past kEnd read 0.
        let steps = (uniforms.kChunk + ${TILE_K - 1}) / ${TILE_K};
        for (var step = 0; step < steps; step++) {
          let k0 = kStart + step * ${TILE_K};
          for (var l = 0; l < ${(TILE * TILE_K) / 256}; l++) {
            let e = t * ${(TILE * TILE_K) / 256} + l;
            { ${loadA} let at = kk * ${TILE} + mm; tileA[at / 4][at % 4] = v; }
            { ${loadB} let at = kk * ${TILE} + nn; tileB[at / 4][at % 4] = v; }
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TILE_K}; kk++) {
            ${fmaStep}
          }
          workgroupBarrier();
        }
        let cBase = z * M * N;
        ${store}
      }`;
  }
}

/** The product's sizes when the tiled program covers it, else null (the stock kernel runs it). */
export function tiledMatMulPlan(
  aShape: number[],
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): { m: number; n: number; k: number; batchA: number; batchB: number; outShape: number[]; splits: number; kChunk: number } | null {
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
  return { m, n, k, batchA, batchB, outShape: [...outer, m, n], splits, kChunk };
}

function makeBatchMatMul(stock: tf.KernelFunc, onlyTransposed: boolean): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const take = a.dtype === 'float32' && b.dtype === 'float32' && (!onlyTransposed || !!transposeA || !!transposeB);
    const plan = take ? tiledMatMulPlan(a.shape, b.shape, !!transposeA, !!transposeB) : null;
    if (plan == null) return stock(args);
    const { m, n, k, batchA, batchB, outShape, splits, kChunk } = plan;
    const batch = Math.max(batchA, batchB);
    const backend = args.backend as unknown as WebGpuBackendLike;
    const partShape = splits === 1 ? outShape : [batch, splits, m, n];
    const program = new TiledMatMulProgram(partShape, m, n, batch * splits, !!transposeA, !!transposeB, tileK);
    const uniforms = [i32(m), i32(n), i32(k), i32(batchA), i32(batchB), i32(splits), i32(kChunk)];
    const out = backend.runWebGPUProgram(program, [a, b], 'float32', uniforms);
    if (splits === 1) return out;
    const sum = blockSum(backend, out, outShape, batch, splits, m * n);
    backend.disposeData(out.dataId);
    return sum;
  };
}

/**
 * Replaces the webgpu BatchMatMul kernel with the tiled one for every product it covers (`true`), or only for
 * those with a transposed operand (`'transposed'`: tfjs' own kernel reads vec4s only when neither B nor the
 * inner axis of A is transposed, and reached about 20 TFLOP/s on the untransposed forward products on an
 * H200), or restores the stock kernel (`false`). Idempotent. False when webgpu has no BatchMatMul kernel.
 */
export function setWebGpuTiledMatMul(on: boolean | 'transposed'): boolean {
  return wrapStockKernel('webgpu', 'BatchMatMul', on === false ? null : (stock) => makeBatchMatMul(stock, on === 'transposed'));
}
