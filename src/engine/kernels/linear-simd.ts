/**
 * The fused evaluation linear map of the plain-wasm backend: NacLinear computes
 * out = residual + gain ⊙ ((x ⊙ scale) · W + bias) in one pass of the SIMD module's GEMM
 * (wasm/src/gemm.c: the scaling while A is packed, the rest on each finished tile), where tfjs runs a
 * Multiply, a BatchMatMul, an Add, a Multiply and an Add, each over the whole activation. It covers the
 * ModFC layers (scale: the module code's modulation, broadcast over the batch; gain and residual: the
 * LayerScale and the residual connection that follow) and plain Linear layers. With a GEGLU after it,
 * NacLinear multiplies a block of rows at a time and writes a·GELU(g) of each block while it is in
 * cache (the [..., 2h] pre-activation never reaches memory); NacGeglu does it in a second pass where a
 * block would not fit.
 *
 * `fusedLinear` also serves the webgpu backend, where ./linear-webgpu.ts runs the same map (without parts,
 * with GEGLU as two products) in the tiled matrix product.
 *
 * Forward only: `fusedLinear` returns null when tfjs is recording a gradient, when the kernels are not
 * registered for the active backend (registered on plain wasm with the SIMD module: the add-on's
 * OpenBLAS multiplies faster than these; on webgpu by default), or for inputs it does not cover; callers
 * then compose the tfjs ops. Both give the same floats (the kernel performs the same float operations in the same
 * order; test/engine/fused-eval.test.ts checks bit equality).
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import type { SimdKernels } from './simd-module.js';
import { fusedWasmKernelReady, requireInput, setWasmKernels, sizeOf, type KernelArgs } from './wasm-io.js';
import { webGpuLinear, webGpuLinearReady } from './linear-webgpu.js';

/** Kernel names (package-specific: tfjs has no such kernels). */
export const LINEAR_KERNEL = 'NacLinear';
export const GEGLU_KERNEL = 'NacGeglu';

type Optional = 'scale' | 'bias' | 'gain' | 'residual';

/** Largest pre-activation block (floats) NacLinear's GEGLU keeps in cache: 256 KB. */
const GEGLU_BLOCK_FLOATS = 65536;
const OPTIONAL: readonly Optional[] = ['scale', 'bias', 'gain', 'residual'];

/** NacLinear's attributes: gegluBlock (rows per GEGLU block, 0: no GEGLU); with an x2 input, its layout. */
interface LinearAttrs {
  gegluBlock?: number;
  /** With x2: x is [batch·rows, k], x2 [batch·rows2, k], joined per batch entry (gemm_linear_parts). */
  parts?: { batch: number; rows: number; rows2: number };
}

function linearKernel(simd: SimdKernels): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const x = requireInput(args, 'x', LINEAR_KERNEL);
    const w = requireInput(args, 'weight', LINEAR_KERNEL);
    const given = OPTIONAL.filter((name) => (args.inputs as Record<string, unknown>)[name] != null);
    const infos = given.map((name) => requireInput(args, name, LINEAR_KERNEL));
    const { gegluBlock: block = 0, parts } = (args.attrs ?? {}) as LinearAttrs;
    const x2 = parts == null ? null : requireInput(args, 'x2', LINEAR_KERNEL);
    const k = x.shape[1] as number;
    const m = parts == null ? (x.shape[0] as number) : parts.batch * (parts.rows + parts.rows2);
    const n = w.shape[1] as number;
    const period = given.includes('scale') ? sizeOf(infos[given.indexOf('scale')]!.shape) / k : 0;
    const backend = args.backend as WasmHeapBackend;
    const inputs = x2 == null ? [x, w, ...infos] : [x, w, ...infos, x2];
    return nativeOutput(backend, LINEAR_KERNEL, [m, block > 0 ? n / 2 : n], inputs, (_heap, offsets) => {
      const at = (name: Optional): number => (given.includes(name) ? offsets[2 + given.indexOf(name)]! : 0);
      const out = offsets.at(-1)!;
      const scratch = simd.malloc(Math.max(16, 4 * (simd.gemmScratchFloats(n, k) + block * n)));
      try {
        if (parts != null) {
          const x2At = offsets[2 + given.length]!;
          const { batch, rows, rows2 } = parts;
          simd.gemmLinearParts(
            offsets[0]!,
            x2At,
            rows,
            rows2,
            batch,
            at('scale'),
            offsets[1]!,
            at('bias'),
            at('gain'),
            at('residual'),
            out,
            scratch,
            n,
            k,
          );
        } else if (block > 0) {
          simd.gemmLinearGeglu(offsets[0]!, at('scale'), period, offsets[1]!, at('bias'), out, scratch, m, n, k, block);
        } else {
          simd.gemmLinear(offsets[0]!, at('scale'), period, offsets[1]!, at('bias'), at('gain'), at('residual'), out, scratch, m, n, k);
        }
      } finally {
        simd.free(scratch);
      }
    });
  }) as unknown as tf.KernelFunc;
}

function gegluKernel(simd: SimdKernels): tf.KernelFunc {
  return ((args: KernelArgs): tf.TensorInfo => {
    const z = requireInput(args, 'z', GEGLU_KERNEL);
    const [rows, twoH] = z.shape as [number, number];
    return nativeOutput(args.backend as WasmHeapBackend, GEGLU_KERNEL, [rows, twoH / 2], [z], (_heap, [zOff, outOff]) =>
      simd.geglu(zOff!, outOff!, rows, twoH / 2),
    );
  }) as unknown as tf.KernelFunc;
}

/** Registers NacLinear and NacGeglu for 'wasm' on the SIMD module, or removes them (null). Returns whether registered. */
export function setWasmFusedLinear(simd: SimdKernels | null): boolean {
  return setWasmKernels(
    [LINEAR_KERNEL, GEGLU_KERNEL],
    simd == null ? null : (name) => (name === LINEAR_KERNEL ? linearKernel : gegluKernel)(simd),
  );
}

/** What fusedLinear applies around x·W (each optional). */
export interface FusedLinearParts {
  /** Multiplies x before the product; its shape is a suffix of x's (a [U, in] modulation of x [B, U, in]). */
  scale?: tf.Tensor | null;
  /** [out], added to the product. */
  bias?: tf.Tensor | null;
  /** [out], multiplies (product + bias). */
  gain?: tf.Tensor | null;
  /** Shaped like the output, added last. */
  residual?: tf.Tensor | null;
  /** 'geglu': W has 2h columns and the result is a·GELU(g) of the two halves, [..., h] (no gain or residual then). */
  activation?: 'geglu';
}

function isFloat(t: tf.Tensor | null | undefined): boolean {
  return t == null || t.dtype === 'float32';
}

/** Whether `t` broadcasts against `shape` as a suffix of it (leading 1s allowed). */
function isSuffix(t: tf.Tensor, shape: readonly number[]): boolean {
  const dims = [...t.shape];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  return dims.length <= shape.length && dims.every((d, i) => d === shape[shape.length - dims.length + i]);
}

/**
 * residual + gain ⊙ ((x ⊙ scale)·W + bias) for x [..., in], W [in, out] → [..., out] in one kernel, or
 * (activation 'geglu') the GEGLU of (x ⊙ scale)·W + bias; null when the fused kernels cannot run it
 * (gradient recording, another backend, other dtypes or shapes): the caller composes tfjs ops then.
 * x may also be two parts [B, U1, in] and [B, U2, in], taken as their join along axis 1 (without
 * joining them; scale then [U1 + U2, in], no GEGLU).
 */
export function fusedLinear(x: tf.Tensor | readonly tf.Tensor[], weight: tf.Tensor, parts: FusedLinearParts = {}): tf.Tensor | null {
  const gpu = webGpuLinearReady();
  if (!gpu && !fusedWasmKernelReady(LINEAR_KERNEL)) return null;
  if (Array.isArray(x)) {
    if (x.length === 1) return fusedLinear(x[0] as tf.Tensor, weight, parts);
    return gpu ? null : fusedLinearOfParts(x, weight, parts);
  }
  const x1 = x as tf.Tensor;
  const { scale, gain, residual, activation } = parts;
  if (!coversOperands(x1, weight, parts)) return null;
  const [k, n] = weight.shape as [number, number];
  const lead = x1.shape.slice(0, -1);
  const outShape = [...lead, n];
  if (scale != null && (!isSuffix(scale, x1.shape) || scale.shape[scale.rank - 1] !== k)) return null;
  if (residual != null && !tf.util.arraysEqual(residual.shape, outShape)) return null;
  if (activation === 'geglu' && (n % 2 !== 0 || gain != null || residual != null)) return null;
  if (gpu) return webGpuLinear({ ...parts, x: x1, weight }, activation === 'geglu');
  const m = sizeOf(lead);
  return tf.tidy(() => {
    const inputs = kernelInputs(x1.reshape([m, k]), weight, parts);
    if (activation !== 'geglu') return (tf.engine().runKernel(LINEAR_KERNEL, inputs, {}) as tf.Tensor).reshape(outShape);
    // GEGLU in the same kernel, a block of rows at a time (a whole number of scale periods, the
    // pre-activation block within 256 KB); else the product, then the NacGeglu kernel.
    const period = scale == null ? 1 : scale.size / k;
    const block = period * Math.max(1, Math.floor(64 / period));
    const y =
      block * n <= GEGLU_BLOCK_FLOATS
        ? (tf.engine().runKernel(LINEAR_KERNEL, inputs, { gegluBlock: block }) as tf.Tensor)
        : (tf.engine().runKernel(GEGLU_KERNEL, { z: tf.engine().runKernel(LINEAR_KERNEL, inputs, {}) as tf.Tensor }, {}) as tf.Tensor);
    return y.reshape([...lead, n / 2]);
  });
}

/** Whether the kernel takes these dtypes and shapes of weight, bias and gain (x's last axis: in). */
function coversOperands(x: tf.Tensor, weight: tf.Tensor, { scale, bias, gain, residual }: FusedLinearParts): boolean {
  if (weight.rank !== 2 || x.rank < 1 || ![x, weight, scale, bias, gain, residual].every(isFloat)) return false;
  const [k, n] = weight.shape as [number, number];
  if (x.shape[x.rank - 1] !== k) return false;
  return [bias, gain].every((v) => v == null || (v.size === n && v.shape[v.rank - 1] === n));
}

function kernelInputs(x: tf.Tensor, weight: tf.Tensor, { scale, bias, gain, residual }: FusedLinearParts): tf.NamedTensorMap {
  const inputs: tf.NamedTensorMap = { x, weight };
  if (scale != null) inputs['scale'] = scale;
  if (bias != null) inputs['bias'] = bias;
  if (gain != null) inputs['gain'] = gain;
  if (residual != null) inputs['residual'] = residual;
  return inputs;
}

/**
 * Whether fusedLinear can take x in parts now (the fused kernel may run): callers that would otherwise
 * join the same parts for several products join them once instead.
 */
export function fusedLinearTakesParts(): boolean {
  return fusedWasmKernelReady(LINEAR_KERNEL);
}

/** fusedLinear of two parts [B, U1, in] and [B, U2, in] joined along axis 1 (gemm_linear_parts). */
function fusedLinearOfParts(x: readonly tf.Tensor[], weight: tf.Tensor, parts: FusedLinearParts): tf.Tensor | null {
  const [a, b] = x as [tf.Tensor, tf.Tensor];
  if (x.length !== 2 || a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || parts.activation != null) return null;
  if (!coversOperands(a, weight, parts) || !coversOperands(b, weight, parts)) return null;
  const [B, rows, k] = a.shape as [number, number, number];
  const rows2 = b.shape[1] as number;
  const n = weight.shape[1] as number;
  const { scale, residual } = parts;
  // The kernel reads one scale row per module of the joined rows: [U1 + U2, in] (leading 1s allowed).
  if (scale != null && (!isSuffix(scale, [rows + rows2, k]) || scale.size !== (rows + rows2) * k)) return null;
  if (residual != null && !tf.util.arraysEqual(residual.shape, [B, rows + rows2, n])) return null;
  return tf.tidy(() => {
    const inputs = { ...kernelInputs(a.reshape([B * rows, k]), weight, parts), x2: b.reshape([B * rows2, k]) };
    const attrs: LinearAttrs = { parts: { batch: B, rows, rows2 } };
    return (tf.engine().runKernel(LINEAR_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor).reshape([B, rows + rows2, n]);
  });
}
