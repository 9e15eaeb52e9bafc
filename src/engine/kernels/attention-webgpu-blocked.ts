/**
 * A second WGSL program for the webgpu NacAttention kernel (./attention-webgpu.ts chooses: opt-in with
 * NAC_WEBGPU_ATTENTION=blocked, for A/B timing on a GPU), written without a GPU to time it: the online softmax
 * of ./attention-webgpu-program.ts done a block of keys at a time, as FlashAttention-2 does. Per block of
 * {@link BLOCK_KEYS} keys each thread (one query row) computes all the block's scores first (kept in its own
 * column of workgroup memory), takes their maximum, rescales its accumulator once, and adds p·v for every key of
 * the block. The one-key-at-a-time program rescales the accumulator and takes two exponentials per unmasked
 * pair, and branches per pair on the mask, which diverges inside a warp when about two thirds of the pairs are
 * masked at random (the NAC's truncated kernel); here masked pairs contribute p = 0 without a branch. Q, K and V
 * are read as vec4s. The block's bias is staged into the scores' workgroup array first (./attention-webgpu-program.ts's
 * stagedBiasLoad), and each thread overwrites its own entries with the scores.
 *
 * Same results as the composed ops to float32 rounding, fully masked rows NaN
 * (test/engine/attention-webgpu.test.ts runs every case on every program). Head sizes up to
 * {@link BLOCKED_MAX_HEAD_DIM} (the query and the accumulator stay in registers: dh/2 vec4s per thread).
 */
import { AttentionProgram, BIAS_STRIDE, ROWS, stagedBiasLoad } from './attention-webgpu-program.js';

/** Keys per block (a block's K and V tiles and scores are in workgroup memory at once). */
export const BLOCK_KEYS = 16;
/** Largest head size this program takes (larger ones run the one-key-at-a-time program). */
export const BLOCKED_MAX_HEAD_DIM = 64;
/** A score below this is a masked pair (bias -Infinity): WGSL code avoids computing with infinities. */
const MASKED = '-3.0e38';

/** The same inputs, uniforms and dispatch as ./attention-webgpu-program.ts's program; Q, K, V bound as vec4s. */
export class BlockedAttentionProgram extends AttentionProgram {
  variableComponents: number[];
  constructor(shape: number[], heads: number, dh: number, hasBias: boolean) {
    super(shape, heads, dh, hasBias);
    this.variableComponents = hasBias ? [4, 4, 4, 1] : [4, 4, 4];
    this.shaderKey = `nacAttentionBlocked_${dh}_${hasBias ? 'stagedBias' : 'noBias'}`;
  }

  override getUserCode(): string {
    const D4 = this.dh / 4;
    const lanes = [...Array(D4).keys()];
    const bias = this.hasBias ? ` + bTile[jj * ${BIAS_STRIDE} + me]` : '';
    return `
      var<workgroup> kTile : array<vec4<f32>, ${BLOCK_KEYS * D4}>;
      var<workgroup> vTile : array<vec4<f32>, ${BLOCK_KEYS * D4}>;
      var<workgroup> bTile : array<f32, ${BLOCK_KEYS * BIAS_STRIDE}>;
      fn main() {
        let i = i32(workgroupId.x) * ${ROWS} + i32(localId.x);
        let h = i32(workgroupId.y);
        let b = i32(workgroupId.z);
        let ld4 = uniforms.heads * ${D4};
        let valid = i < uniforms.nq;
        let qRow = (b * uniforms.nq + min(i, uniforms.nq - 1)) * ld4 + h * ${D4};
        ${lanes.map((d) => `let q${d} = atQ[qRow + ${d}] * uniforms.scale;`).join(' ')}
        ${lanes.map((d) => `var acc${d} = vec4<f32>(0.0);`).join(' ')}
        var m = ${MASKED};
        var l = 0.0;
        let me = i32(localId.x);
        for (var j0 = 0; j0 < uniforms.nk; j0 = j0 + ${BLOCK_KEYS}) {
          for (var e = i32(localId.x); e < ${BLOCK_KEYS * D4}; e = e + ${ROWS}) {
            let j = j0 + e / ${D4};
            let at = (b * uniforms.nk + min(j, uniforms.nk - 1)) * ld4 + h * ${D4} + e % ${D4};
            let inside = j < uniforms.nk;
            kTile[e] = select(vec4<f32>(0.0), atK[at], inside);
            vTile[e] = select(vec4<f32>(0.0), atV[at], inside);
          }
          ${this.hasBias ? stagedBiasLoad(BLOCK_KEYS) : ''}
          workgroupBarrier();
          // The block's scores, in place of its bias: q·k (q pre-scaled) + bias, or MASKED for a masked pair or a
          // key or row past the end.
          var mBlock = ${MASKED};
          for (var jj = 0; jj < ${BLOCK_KEYS}; jj = jj + 1) {
            let j = j0 + jj;
            let r = ${lanes.map((d) => `dot(q${d}, kTile[jj * ${D4} + ${d}])`).join(' + ')}${bias};
            let sj = select(${MASKED}, r, valid && j < uniforms.nk && r > ${MASKED});
            bTile[jj * ${BIAS_STRIDE} + me] = sj;
            mBlock = max(mBlock, sj);
          }
          if (mBlock > ${MASKED}) {
            let mNew = max(m, mBlock);
            let corr = exp(m - mNew);
            l = l * corr;
            ${lanes.map((d) => `acc${d} = acc${d} * corr;`).join(' ')}
            for (var jj = 0; jj < ${BLOCK_KEYS}; jj = jj + 1) {
              let sj = bTile[jj * ${BIAS_STRIDE} + me];
              let p = select(0.0, exp(sj - mNew), sj > ${MASKED});
              l = l + p;
              ${lanes.map((d) => `acc${d} = fma(vec4<f32>(p), vTile[jj * ${D4} + ${d}], acc${d});`).join(' ')}
            }
            m = mNew;
          }
          workgroupBarrier();
        }
        if (valid) {
          let oRow = (b * uniforms.nq + i) * ld4 * 4 + h * ${this.dh};
          ${lanes.map((d) => [0, 1, 2, 3].map((c) => `result[oRow + ${4 * d + c}] = acc${d}[${c}] / l;`).join(' ')).join('\n          ')}
        }
      }`;
  }
}
