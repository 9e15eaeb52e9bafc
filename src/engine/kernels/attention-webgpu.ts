/**
 * Fused multi-head attention for evaluation on tfjs' webgpu backend (the NacAttention kernel that
 * ./attention-simd.ts's `fusedAttention` runs): softmax(Q·Kᵀ·scale + bias)·V per batch entry and head in
 * one shader, on Q, K, V in their [batch, tokens, heads·dh] layout. Composed of tfjs ops this is three
 * transposes to split the heads, two matrix products, a multiply, an add, a softmax and a transpose to
 * merge them, each over the whole score tensor; in the paper-tiny NAC's eval forward on an H200 they took
 * about 19 of 88 ms of GPU time (docs/performance.md).
 *
 * The shader (./attention-webgpu-program.ts): one thread per query row, keys and values streamed through
 * workgroup memory, an online softmax. Results agree with the composed ops to float32 rounding
 * (test/engine/attention-webgpu.test.ts).
 *
 * initBackend registers it on webgpu (0.59x the composed ops' time for a paper-tiny propagator layer on an
 * H200 as of 2026-11-27, before the bias was staged: bench/webgpu-kernels.mjs, docs/performance.md);
 * NAC_WEBGPU_ATTENTION=tfjs keeps the composed ops, =unstaged runs the program as timed then (the bias read per
 * pair), =blocked runs ./attention-webgpu-blocked.ts's program instead (keys a block at a time; untimed).
 * Head sizes that are not a multiple of 4 or exceed {@link MAX_HEAD_DIM} fall back to the composed ops.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, i32, MAX_DISPATCH, type WebGpuBackendLike } from './webgpu-program.js';
import { BLOCKED_MAX_HEAD_DIM, BlockedAttentionProgram } from './attention-webgpu-blocked.js';
import { AttentionProgram, MAX_HEAD_DIM, ROWS } from './attention-webgpu-program.js';

/** Kernel name, shared with the wasm kernel (./attention-simd.ts). */
const ATTENTION_KERNEL = 'NacAttention';

function attentionKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { q, k, v, bias } = args.inputs as { q: tf.TensorInfo; k: tf.TensorInfo; v: tf.TensorInfo; bias?: tf.TensorInfo };
  const { heads, scale } = args.attrs as unknown as { heads: number; scale: number };
  const [, nq, inner] = q.shape as [number, number, number];
  const nk = k.shape[1] as number;
  const dh = inner / heads;
  const program =
    programChoice === 'blocked' && dh <= BLOCKED_MAX_HEAD_DIM
      ? new BlockedAttentionProgram(q.shape, heads, dh, bias != null)
      : new AttentionProgram(q.shape, heads, dh, bias != null, programChoice !== 'unstaged');
  const biasStride = bias != null && bias.shape.length === 3 ? nq * nk : 0;
  const uniforms = [i32(nq), i32(nk), i32(heads), f32(scale), i32(biasStride)];
  const inputs = bias == null ? [q, k, v] : [q, k, v, bias];
  return (args.backend as WebGpuBackendLike).runWebGPUProgram(program, inputs, 'float32', uniforms);
}

/** The kernel's programs besides the default (true): see {@link setWebGpuFusedAttention}. */
export type AttentionProgramChoice = 'unstaged' | 'blocked';

/**
 * Which program the kernel runs: ./attention-webgpu-program.ts's (one key at a time) with the bias staged
 * ('rows') or read per pair ('unstaged'), or ./attention-webgpu-blocked.ts's.
 */
let programChoice: 'rows' | AttentionProgramChoice = 'rows';

/**
 * Registers the webgpu NacAttention kernel with the one-key-at-a-time program (true), the same with the bias
 * read per pair from the buffer ('unstaged', the program timed on 2026-11-27) or the blocked one ('blocked',
 * ./attention-webgpu-blocked.ts: opt-in, not yet timed on a GPU), or removes it (false).
 */
export function setWebGpuFusedAttention(on: boolean | AttentionProgramChoice): void {
  if (on !== false) programChoice = on === true ? 'rows' : on;
  const registered = tf.getKernel(ATTENTION_KERNEL, 'webgpu') != null;
  if (on && !registered) {
    tf.registerKernel({ kernelName: ATTENTION_KERNEL, backendName: 'webgpu', kernelFunc: attentionKernel as unknown as tf.KernelFunc });
  } else if (!on && registered) {
    tf.unregisterKernel(ATTENTION_KERNEL, 'webgpu');
  }
}

/**
 * Whether the webgpu kernel takes this attention now (registered, webgpu active): a non-empty batch and
 * queries, heads of a size it covers, and a grid (x: query blocks, y: heads, z: batch entries) within
 * WebGPU's dispatch limits.
 */
export function webgpuAttentionReady(batch: number, nq: number, heads: number, dh: number): boolean {
  if (tf.getBackend() !== 'webgpu' || tf.getKernel(ATTENTION_KERNEL, 'webgpu') == null) return false;
  if (batch === 0 || nq === 0 || dh % 4 !== 0 || dh > MAX_HEAD_DIM) return false;
  return Math.max(batch, heads, Math.ceil(nq / ROWS)) <= MAX_DISPATCH;
}
