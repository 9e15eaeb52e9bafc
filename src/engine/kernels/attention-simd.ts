/**
 * Fused multi-head attention for evaluation on the wasm backend: NacAttention computes
 * softmax(Q·Kᵀ·scale + bias)·V per batch entry and head in one kernel of the SIMD module
 * (wasm/src/attention.c), on Q, K, V in their [batch, tokens, heads·dh] layout, where tfjs runs three
 * transposes to split the heads, two BatchMatMuls, a Multiply, an Add, a Softmax and a transpose to
 * merge them (each over the whole score or activation tensor).
 *
 * Forward only: `fusedAttention` returns null when tfjs records a gradient, when the kernel is not
 * registered for the active backend, or for inputs it does not cover; callers compose the tfjs ops
 * then. The products sum in the same order as the BatchMatMul kernel; the softmax uses the SIMD
 * module's exp and a reciprocal, so results agree with the composed ops to float32 rounding, not bit
 * for bit (test/engine/fused-eval.test.ts). On webgpu `fusedAttention` runs ./attention-webgpu.ts's
 * shader instead (registered by initBackend unless NAC_WEBGPU_ATTENTION=tfjs).
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import type { SimdKernels } from './simd-module.js';
import { fusedWasmKernelReady, requireInput, setWasmKernels, type KernelArgs } from './wasm-io.js';
import { webgpuAttentionReady } from './attention-webgpu.js';

/** Kernel name (package-specific). */
export const ATTENTION_KERNEL = 'NacAttention';

function attentionKernel(simd: SimdKernels): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const q = requireInput(args, 'q', ATTENTION_KERNEL);
    const k = requireInput(args, 'k', ATTENTION_KERNEL);
    const v = requireInput(args, 'v', ATTENTION_KERNEL);
    const bias = (args.inputs as Record<string, tf.TensorInfo | undefined>)['bias'];
    const { heads, scale } = args.attrs as { heads: number; scale: number };
    const [batch, nq, inner] = q.shape as [number, number, number];
    const nk = k.shape[1] as number;
    const dh = inner / heads;
    const biasStride = bias != null && bias.shape.length === 3 ? nq * nk : 0;
    const inputs = bias == null ? [q, k, v] : [q, k, v, bias];
    return nativeOutput(args.backend as WasmHeapBackend, ATTENTION_KERNEL, q.shape, inputs, (_heap, offsets) => {
      const scratch = simd.malloc(4 * simd.attentionScratchFloats(nq, nk, heads, dh));
      try {
        const [qOff, kOff, vOff] = offsets as [number, number, number];
        const biasOff = bias == null ? 0 : offsets[3]!;
        simd.attention(qOff, kOff, vOff, biasOff, biasStride, offsets.at(-1)!, scratch, batch, nq, nk, heads, dh, scale);
      } finally {
        simd.free(scratch);
      }
    });
  }) as unknown as tf.KernelFunc;
}

/** Registers NacAttention for 'wasm' on the SIMD module, or removes it (null). Returns whether registered. */
export function setWasmFusedAttention(simd: SimdKernels | null): boolean {
  return setWasmKernels([ATTENTION_KERNEL], simd == null ? null : () => attentionKernel(simd));
}

/**
 * softmax(Q_h·K_hᵀ·scale + bias)·V_h for every head h, heads merged: q [B, Nq, H·dh], k and v
 * [B, Nk, H·dh], bias [Nq, Nk] or [B, Nq, Nk] (shared by the heads; -Infinity masks) or null →
 * [B, Nq, H·dh]. Null when the fused kernel cannot run it (gradient recording, another backend, other
 * dtypes or shapes).
 */
export function fusedAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  bias: tf.Tensor | null,
  heads: number,
  scale: number,
): tf.Tensor | null {
  const onWebGpu = tf.getBackend() === 'webgpu';
  if (onWebGpu ? tf.engine().isTapeOn() : !fusedWasmKernelReady(ATTENTION_KERNEL)) return null;
  if (q.rank !== 3 || k.rank !== 3 || !tf.util.arraysEqual(k.shape, v.shape)) return null;
  if ([q, k, v, bias].some((t) => t != null && t.dtype !== 'float32')) return null;
  const [B, nq, inner] = q.shape as [number, number, number];
  const nk = k.shape[1] as number;
  if (k.shape[0] !== B || k.shape[2] !== inner || !Number.isInteger(heads) || heads < 1 || inner % heads !== 0 || nk === 0) return null;
  if (bias != null && !(tf.util.arraysEqual(bias.shape, [nq, nk]) || tf.util.arraysEqual(bias.shape, [B, nq, nk]))) return null;
  if (onWebGpu && !webgpuAttentionReady(B, nq, heads, inner / heads)) return null;
  const inputs: tf.NamedTensorMap = bias == null ? { q, k, v } : { q, k, v, bias };
  return tf.engine().runKernel(ATTENTION_KERNEL, inputs, { heads, scale }) as tf.Tensor;
}
