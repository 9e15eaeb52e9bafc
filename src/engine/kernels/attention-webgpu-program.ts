/**
 * The WGSL program of the webgpu NacAttention kernel (./attention-webgpu.ts runs it): one thread per query row
 * (workgroups of {@link ROWS} rows of one head and batch entry) keeps its scaled query and its output
 * accumulator in registers (named vec4s, dh/4 of each) and streams the keys and values through workgroup memory
 * {@link KEY_BLOCK} at a time, with an online softmax (running maximum and sum, the accumulator rescaled when the
 * maximum grows). Pairs whose bias is -Infinity are skipped. A row whose every pair is masked gives NaN, as the
 * composed softmax does. ./attention-webgpu-blocked.ts derives a second program from it.
 *
 * The bias is staged too ({@link stagedBiasLoad}): each block's [ROWS × KEY_BLOCK] piece is read into workgroup
 * memory with consecutive threads on consecutive keys. Read per pair straight from the buffer, as the program
 * timed on 2026-11-27 did (still there with `stageBias` false), the 32 rows of a warp sit nk floats apart, so
 * every key costs a load that touches 32 cache lines.
 */
/** Query rows per workgroup (one thread each). */
export const ROWS = 64;
/** Keys (and values) staged in workgroup memory at a time. */
export const KEY_BLOCK = 16;
/** Largest head size: the query and the accumulator take dh/2 vec4 registers per thread. */
export const MAX_HEAD_DIM = 128;
/**
 * Row stride of a staged bias tile, bTile[key · BIAS_STRIDE + row]: one more than {@link ROWS}, so that the 16
 * keys of one row that a warp stores together fall in different banks, while the reads (a warp's 32 rows of
 * one key) stay consecutive.
 */
export const BIAS_STRIDE = ROWS + 1;

/**
 * WGSL that loads the bias of query rows workgroupId.x·ROWS … +ROWS and keys j0 … j0+keys of batch entry b into
 * `bTile` (array<f32, keys · BIAS_STRIDE>). Thread t reads key t mod keys of every (ROWS/keys)-th row, so a
 * warp reads whole runs of `keys` consecutive floats. Entries past the last row or key hold 0: the programs
 * mask those pairs themselves. `keys` must divide {@link ROWS}.
 */
export function stagedBiasLoad(keys: number): string {
  if (ROWS % keys !== 0) throw new Error(`stagedBiasLoad: ${keys} keys per block do not divide ${ROWS} rows`);
  return `{
            let jj = i32(localId.x) % ${keys};
            let keyIn = j0 + jj < uniforms.nk;
            let col = b * uniforms.biasStride + min(j0 + jj, uniforms.nk - 1);
            for (var r = i32(localId.x) / ${keys}; r < ${ROWS}; r = r + ${ROWS / keys}) {
              let row = i32(workgroupId.x) * ${ROWS} + r;
              bTile[jj * ${BIAS_STRIDE} + r] = select(0.0, atBias[col + min(row, uniforms.nq - 1) * uniforms.nk], keyIn && row < uniforms.nq);
            }
          }`;
}

export class AttentionProgram {
  variableNames: string[];
  outputShape: number[];
  uniforms = 'nq : i32, nk : i32, heads : i32, scale : f32, biasStride : i32,';
  workgroupSize: [number, number, number] = [ROWS, 1, 1];
  dispatchLayout = { x: [1], y: [2], z: [0] };
  dispatch: [number, number, number];
  shaderKey: string;
  constructor(
    shape: number[],
    heads: number,
    protected readonly dh: number,
    protected readonly hasBias: boolean,
    /** Stage the bias through workgroup memory (true) or read it per pair from the buffer (the 2026-11-27 program). */
    protected readonly stageBias = true,
  ) {
    this.variableNames = hasBias ? ['atQ', 'atK', 'atV', 'atBias'] : ['atQ', 'atK', 'atV'];
    this.outputShape = shape;
    this.dispatch = [Math.ceil((shape[1] as number) / ROWS), heads, shape[0] as number];
    this.shaderKey = `nacAttention_${dh}_${hasBias ? (stageBias ? 'stagedBias' : 'bias') : 'noBias'}`;
  }
  getUserCode(): string {
    const D4 = this.dh / 4;
    const lanes = [...Array(D4).keys()];
    const vec = (array: string, at: string) => `vec4<f32>(${array}[${at}], ${array}[${at} + 1], ${array}[${at} + 2], ${array}[${at} + 3])`;
    const loadQ = lanes
      .map((d) => `let q${d} = select(vec4<f32>(0.0), ${vec('atQ', `qRow + ${4 * d}`)}, valid) * uniforms.scale;`)
      .join('\n        ');
    const declareAcc = lanes.map((d) => `var acc${d} = vec4<f32>(0.0);`).join(' ');
    const dotQK = lanes.map((d) => `dot(q${d}, kTile[jj * ${D4} + ${d}])`).join(' + ');
    const update = lanes.map((d) => `acc${d} = acc${d} * corr + p * vTile[jj * ${D4} + ${d}];`).join('\n              ');
    const write = lanes
      .map(
        (d) =>
          `result[oRow + ${4 * d}] = acc${d}.x / l; result[oRow + ${4 * d + 1}] = acc${d}.y / l; result[oRow + ${4 * d + 2}] = acc${d}.z / l; result[oRow + ${4 * d + 3}] = acc${d}.w / l;`,
      )
      .join('\n          ');
    const staged = this.hasBias && this.stageBias;
    const bias = !this.hasBias
      ? '0.0'
      : staged
        ? `bTile[jj * ${BIAS_STRIDE} + i32(localId.x)]`
        : 'atBias[b * uniforms.biasStride + i * uniforms.nk + j]';
    return `
      var<workgroup> kTile : array<vec4<f32>, ${KEY_BLOCK * D4}>;
      var<workgroup> vTile : array<vec4<f32>, ${KEY_BLOCK * D4}>;
      ${staged ? `var<workgroup> bTile : array<f32, ${KEY_BLOCK * BIAS_STRIDE}>;` : ''}
      fn main() {
        let i = i32(workgroupId.x) * ${ROWS} + i32(localId.x);
        let h = i32(workgroupId.y);
        let b = i32(workgroupId.z);
        let ld = uniforms.heads * ${this.dh};
        let valid = i < uniforms.nq;
        let qRow = (b * uniforms.nq + min(i, uniforms.nq - 1)) * ld + h * ${this.dh};
        ${loadQ}
        ${declareAcc}
        var m = -3.0e38;
        var l = 0.0;
        for (var j0 = 0; j0 < uniforms.nk; j0 = j0 + ${KEY_BLOCK}) {
          for (var e = i32(localId.x); e < ${KEY_BLOCK * D4}; e = e + ${ROWS}) {
            let j = j0 + e / ${D4};
            let at = (b * uniforms.nk + min(j, uniforms.nk - 1)) * ld + h * ${this.dh} + 4 * (e % ${D4});
            let inside = j < uniforms.nk;
            kTile[e] = select(vec4<f32>(0.0), ${vec('atK', 'at')}, inside);
            vTile[e] = select(vec4<f32>(0.0), ${vec('atV', 'at')}, inside);
          }
          ${staged ? stagedBiasLoad(KEY_BLOCK) : ''}
          workgroupBarrier();
          for (var jj = 0; jj < ${KEY_BLOCK}; jj = jj + 1) {
            let j = j0 + jj;
            if (valid && j < uniforms.nk) {
              let s = ${dotQK} + ${bias};
              if (s > -3.0e38) {
                let mNew = max(m, s);
                let corr = exp(m - mNew);
                let p = exp(s - mNew);
                l = l * corr + p;
              ${update}
                m = mNew;
              }
            }
          }
          workgroupBarrier();
        }
        if (valid) {
          let oRow = (b * uniforms.nq + i) * ld + h * ${this.dh};
          ${write}
        }
      }`;
  }
}
