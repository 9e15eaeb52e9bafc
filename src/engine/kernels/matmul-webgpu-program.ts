/**
 * The WGSL program of the tiled webgpu matrix product (./matmul-webgpu.ts says when it runs): a workgroup of
 * 256 threads computes a {@link TILE} × {@link TILE} output tile, a block of 8 × 8 outputs per thread read
 * from workgroup memory as vec4s, the contraction in steps of 8 or 16 staged through workgroup memory.
 *
 * With a {@link TiledEpilogue} (./linear-webgpu.ts, evaluation only) the same program computes a whole
 * modulated linear map: A's elements are multiplied by a per-row-period scale as they are loaded, and each output
 * gets a bias, a gain, a residual or a GEGLU gate as it is stored, instead of a pass over the output per step.
 *
 * Two ways to fill workgroup memory:
 * - `scalar`: every thread loads its share of the step's A and B elements one float at a time, stores them,
 *   waits at a barrier, multiplies. Any shape.
 * - `vec4`: the operands are bound as arrays of vec4 (tfjs' variableComponents), each thread loads 4
 *   consecutive floats of the stored matrices at once, and the next step's loads are issued into registers
 *   before the current step's multiply-adds (register prefetch), so their latency hides behind the
 *   arithmetic. Needs each operand's contiguous axis to be a multiple of 4 ({@link vec4Loadable}).
 */

import { GELU_WGSL } from './gelu-webgpu.js';

/** Output tile of one workgroup (rows and columns). */
export const TILE = 128;
/** Outputs per thread along each side (TILE / 16 threads). */
const PER_THREAD = TILE / 16;
/** How a step's operand tiles are loaded (see the header). */
export type TileLoads = 'scalar' | 'vec4';

/**
 * What the program applies around the product (A untransposed, unsplit contraction): out = residual + gain ⊙
 * ((A ⊙ scale)·B + bias), or with `gate` out = gate ⊙ GELU((A ⊙ scale)·B + bias). The scale has `period` rows
 * (uniform), row r of A taking row r mod period; bias and gain are per column; residual and gate shaped like the
 * output. Each is an extra input, in this order after A and B. With an epilogue B may be columns bCol..bCol + N
 * of a matrix with ldB columns (uniforms; bias and gain entries from bCol too): a GEGLU's halves of W, unsliced.
 */
export interface TiledEpilogue {
  scale: boolean;
  bias: boolean;
  gain: boolean;
  residual: boolean;
  gate: boolean;
}

/** The extra inputs' names, in binding order. */
const EPILOGUE_INPUTS: [keyof TiledEpilogue, string][] = [
  ['scale', 'mmScale'],
  ['bias', 'mmBias'],
  ['gain', 'mmGain'],
  ['residual', 'mmResidual'],
  ['gate', 'mmGate'],
];

/** Whether the vec4 loads can read both operands: the stored matrices' rows are a multiple of 4 floats long. */
export function vec4Loadable(m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): boolean {
  return (transposeA ? m : k) % 4 === 0 && (transposeB ? k : n) % 4 === 0;
}

/** tfjs-webgpu program (duck-typed) computing `splits` partial products per batch entry; see the header. */
export class TiledMatMulProgram {
  variableNames = ['mmA', 'mmB'];
  outputShape: number[];
  uniforms = 'dimM : i32, dimN : i32, dimK : i32, batchA : i32, batchB : i32, splits : i32, kChunk : i32,';
  workgroupSize: [number, number, number] = [16, 16, 1];
  dispatchLayout: { x: number[]; y: number[]; z: number[] };
  dispatch: [number, number, number];
  shaderKey: string;
  /** Components of each input's array elements (tfjs declares `array<vec4<f32>>` for 4). */
  variableComponents?: number[];
  constructor(
    outShape: number[],
    m: number,
    n: number,
    workgroupsZ: number,
    private readonly transposeA: boolean,
    private readonly transposeB: boolean,
    private readonly tileK: number,
    private readonly loads: TileLoads,
    private readonly epilogue: TiledEpilogue | null = null,
  ) {
    if (epilogue != null && transposeA) throw new Error('TiledMatMulProgram: a scale or epilogue needs A untransposed');
    this.outputShape = outShape;
    const r = outShape.length;
    this.dispatchLayout = { x: [r - 1], y: [r - 2], z: outShape.slice(0, -2).map((_, i) => i) };
    this.dispatch = [Math.ceil(n / TILE), Math.ceil(m / TILE), workgroupsZ];
    this.shaderKey = `nacTiledMatMul_${transposeA}_${transposeB}_${tileK}_${loads}`;
    if (loads === 'vec4') this.variableComponents = [4, 4];
    if (epilogue != null) {
      const extra = EPILOGUE_INPUTS.filter(([key]) => epilogue[key]);
      this.variableNames = [...this.variableNames, ...extra.map(([, name]) => name)];
      // The scale is read like A (vec4s when A is), the rest one float at a time.
      if (loads === 'vec4') this.variableComponents = [4, 4, ...extra.map(([key]) => (key === 'scale' ? 4 : 1))];
      this.uniforms += ' ldB : i32, bCol : i32,';
      if (epilogue.scale) this.uniforms += ' period : i32,';
      this.shaderKey += `_fused_${extra.map(([key]) => key).join('_')}`;
    }
  }

  getUserCode(): string {
    const TILE_K = this.tileK;
    const body = this.loads === 'vec4' ? this.vec4Steps() : this.scalarSteps();
    return `${this.epilogue?.gate ? GELU_WGSL : ''}
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
        ${this.declareAccumulators()}
        // As many steps in every workgroup (uniform control flow around the barriers); loads past kEnd read 0.
        let steps = (uniforms.kChunk + ${TILE_K - 1}) / ${TILE_K};
        ${body}
        let cBase = z * M * N;
        ${this.store()}
      }`;
  }

  /** Scalar loads: load, barrier, multiply, barrier. */
  private scalarSteps(): string {
    const TILE_K = this.tileK;
    // Tile element e (0..TILE·TILE_K) a thread loads: its coordinates along the stored matrix's contiguous axis.
    const loadA = this.transposeA
      ? `let kk = e / ${TILE}; let mm = e % ${TILE}; let gm = m0 + mm; let gk = k0 + kk;
         let v = select(0.0, mmA[aBase + gk * M + gm], gm < M && gk < kEnd);`
      : `let mm = e / ${TILE_K}; let kk = e % ${TILE_K}; let gm = m0 + mm; let gk = k0 + kk;
         let v = select(0.0, mmA[aBase + gm * K + gk]${this.epilogue?.scale ? ' * mmScale[(gm % uniforms.period) * K + gk]' : ''}, gm < M && gk < kEnd);`;
    const loadB = this.transposeB
      ? `let nn = e / ${TILE_K}; let kk = e % ${TILE_K}; let gn = n0 + nn; let gk = k0 + kk;
         let v = select(0.0, mmB[bBase + gn * K + gk], gn < N && gk < kEnd);`
      : `let kk = e / ${TILE}; let nn = e % ${TILE}; let gn = n0 + nn; let gk = k0 + kk;
         let v = select(0.0, mmB[${this.bStart} + gk * ${this.ldB} + gn], gn < N && gk < kEnd);`;
    return `
        for (var step = 0; step < steps; step++) {
          let k0 = kStart + step * ${TILE_K};
          for (var l = 0; l < ${(TILE * TILE_K) / 256}; l++) {
            let e = t * ${(TILE * TILE_K) / 256} + l;
            { ${loadA} let at = kk * ${TILE} + mm; tileA[at / 4][at % 4] = v; }
            { ${loadB} let at = kk * ${TILE} + nn; tileB[at / 4][at % 4] = v; }
          }
          workgroupBarrier();
          ${this.multiplyStep()}
          workgroupBarrier();
        }`;
  }

  /**
   * vec4 loads with register prefetch: step s's vec4s wait in registers pa_l / pb_l; each step stores them,
   * waits at a barrier, issues step s + 1's loads into the same registers, multiplies, and waits again.
   */
  private vec4Steps(): string {
    const TILE_K = this.tileK;
    const Q = TILE / 4; // vec4s per tile row of TILE floats
    const KQ = TILE_K / 4; // vec4s per tile row of TILE_K floats
    const perThread = (TILE * TILE_K) / 4 / 256;
    const lanes = [...Array(perThread).keys()];
    // Vec4 e of the step (0..TILE·TILE_K/4): which 4 floats of the stored matrix, read as one vec4 when in range.
    // The stored matrix's rows run along `outer` and hold `rowLen` floats; the 4 floats are consecutive along
    // `inner` and, rows being a multiple of 4 long, the vec4 is whole. [variable, tile origin, end] per axis.
    // `times`: a factor of the loaded vec4 (the epilogue's scale of A), or ''.
    const load = (
      reg: string,
      l: number,
      array: string,
      base: string,
      outer: string[],
      inner: string[],
      perRow: number,
      rowLen: string,
      times = '',
    ) =>
      `{ let e = t * ${perThread} + ${l}; let ${outer[0]} = ${outer[1]} + e / ${perRow}; let ${inner[0]} = ${inner[1]} + (e % ${perRow}) * 4;
         ${reg}${l} = vec4<f32>(0.0); if (${outer[0]} < ${outer[2]} && ${inner[0]} < ${inner[2]}) { ${reg}${l} = ${array}[(${base} + ${outer[0]} * ${rowLen} + ${inner[0]}) / 4]${times}; } }`;
    const [k, m, n] = [
      ['gk', 'k0', 'kEnd'],
      ['gm', 'm0', 'M'],
      ['gn', 'n0', 'N'],
    ];
    const loadA = (l: number) =>
      this.transposeA
        ? load('pa', l, 'mmA', 'aBase', k, m, Q, 'M')
        : load('pa', l, 'mmA', 'aBase', m, k, KQ, 'K', this.epilogue?.scale ? ' * mmScale[((gm % uniforms.period) * K + gk) / 4]' : '');
    const loadB = (l: number) =>
      this.transposeB ? load('pb', l, 'mmB', 'bBase', n, k, KQ, 'K') : load('pb', l, 'mmB', this.bStart, k, n, Q, this.ldB);
    // Workgroup memory holds both tiles k-major (row kk: TILE floats along m or n). A vec4 along m or n is one
    // store; a vec4 along k is four floats in four rows.
    const along = (tile: string, reg: string, l: number) =>
      `{ let e = t * ${perThread} + ${l}; let kk = (e % ${KQ}) * 4; let mn = e / ${KQ};
         ${[0, 1, 2, 3].map((j) => `${tile}[(kk + ${j}) * ${Q} + mn / 4][mn % 4] = ${reg}${l}[${j}];`).join(' ')} }`;
    const across = (tile: string, reg: string, l: number) => `${tile}[t * ${perThread} + ${l}] = ${reg}${l};`;
    const storeA = (l: number) => (this.transposeA ? across('tileA', 'pa', l) : along('tileA', 'pa', l));
    const storeB = (l: number) => (this.transposeB ? along('tileB', 'pb', l) : across('tileB', 'pb', l));
    return `
        ${lanes.map((l) => `var pa${l} : vec4<f32>; var pb${l} : vec4<f32>;`).join(' ')}
        { let k0 = kStart; ${lanes.map((l) => loadA(l) + loadB(l)).join('\n')} }
        for (var step = 0; step < steps; step++) {
          ${lanes.map((l) => storeA(l) + '\n' + storeB(l)).join('\n')}
          workgroupBarrier();
          if (step + 1 < steps) {
            let k0 = kStart + (step + 1) * ${TILE_K};
            ${lanes.map((l) => loadA(l) + loadB(l)).join('\n')}
          }
          ${this.multiplyStep()}
          workgroupBarrier();
        }`;
  }

  /** The 8 × 8 accumulators of a thread, in 16 named vec4s (they stay in registers whatever the compiler unrolls). */
  private declareAccumulators(): string {
    return [...Array(PER_THREAD).keys()].map((i) => `var c${i}_0 = vec4<f32>(0.0); var c${i}_1 = vec4<f32>(0.0);`).join(' ');
  }

  /**
   * One step's multiply-adds: thread (tx, ty) owns rows 8ty..8ty+7 and columns 8tx..8tx+7 of the tile; per
   * contraction index it reads its 8 values of A and of B as two vec4s each (4 wide reads per 64 multiply-adds).
   */
  private multiplyStep(): string {
    const lane = ['x', 'y', 'z', 'w'];
    const fma = [
      `let a0 = tileA[kk * ${TILE / 4} + 2 * ty]; let a1 = tileA[kk * ${TILE / 4} + 2 * ty + 1];`,
      `let b0 = tileB[kk * ${TILE / 4} + 2 * tx]; let b1 = tileB[kk * ${TILE / 4} + 2 * tx + 1];`,
      ...[...Array(PER_THREAD).keys()].map((i) => {
        const a = `vec4<f32>(a${i >> 2}.${lane[i & 3]})`;
        return `c${i}_0 = fma(${a}, b0, c${i}_0); c${i}_1 = fma(${a}, b1, c${i}_1);`;
      }),
    ].join('\n            ');
    return `for (var kk = 0; kk < ${this.tileK}; kk++) {
            ${fma}
          }`;
  }

  /** Stores output element `at` (column `col`) of accumulator `acc`, through the epilogue if any (same order as the composed ops). */
  private storeOne(at: string, col: string, acc: string): string {
    const e = this.epilogue;
    if (e == null) return `result[${at}] = ${acc};`;
    let v = acc;
    if (e.bias) v = `(${v} + mmBias[uniforms.bCol + ${col}])`;
    if (e.gain) v = `(${v} * mmGain[uniforms.bCol + ${col}])`;
    if (e.residual) v = `(mmResidual[${at}] + ${v})`;
    if (e.gate) v = `(mmGate[${at}] * nacGelu(${v}))`;
    return `result[${at}] = ${v};`;
  }

  /** B's row length: N, or with an epilogue the uniform ldB (B's columns bCol..bCol + N of a wider matrix). */
  private get ldB(): string {
    return this.epilogue == null ? 'N' : 'uniforms.ldB';
  }

  /** Where B's first column starts (with an epilogue, bCol further: the bias's and gain's first entry too). */
  private get bStart(): string {
    return this.epilogue == null ? 'bBase' : '(bBase + uniforms.bCol)';
  }

  /** Writes the thread's 8 × 8 block, clipped at the matrix edges. */
  private store(): string {
    const lane = ['x', 'y', 'z', 'w'];
    const idx = [...Array(PER_THREAD).keys()];
    return idx
      .map(
        (i) =>
          `{ let gm = m0 + 8 * ty + ${i}; if (gm < M) { let row = cBase + gm * N + n0 + 8 * tx; let w = N - n0 - 8 * tx;\n          ` +
          idx
            .map((j) => `if (${j} < w) { ${this.storeOne(`row + ${j}`, `n0 + 8 * tx + ${j}`, `c${i}_${j >> 2}.${lane[j & 3]}`)} }`)
            .join(' ') +
          ' } }',
      )
      .join('\n        ');
  }
}
