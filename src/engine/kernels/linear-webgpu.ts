/**
 * The fused evaluation linear map on tfjs' webgpu backend: NacLinear (named as its plain-wasm twin in
 * ./linear-simd.ts, which validates the operands and calls {@link webGpuLinear}) computes
 * out = residual + gain ⊙ ((x ⊙ scale)·W + bias) as one tiled matrix product (./matmul-webgpu-program.ts with a
 * TiledEpilogue: the scale applied while A is loaded, the rest as each output is stored). tfjs runs a Multiply,
 * a BatchMatMul, an Add, a Multiply and an Add, each a pass over the activations: in the paper-tiny NAC's eval
 * forward on an H200 the modulations, bias adds, LayerScale gains and residual adds were about 5 % of the GPU
 * time (docs/performance.md). A GEGLU after the map is two such products, each reading its half of W's columns
 * in place, the second gated by the first (a ⊙ GELU(g) as g is stored), in place of two weight slices, two
 * bias slices, two products, two bias adds, a GELU and a Multiply.
 *
 * Forward only: it runs when tfjs records no gradient, the kernel is registered (NAC_WEBGPU_LINEAR=fused, the
 * default; `tfjs` turns it off, and so do NAC_WEBGPU_MATMUL=tfjs and =tiled-transposed, which tile no
 * untransposed product) and the tiled program takes the product in the matmul's mode ('auto', or `tiled`'s
 * loads and step) without splitting its contraction (./matmul-webgpu.ts); otherwise the caller composes tfjs
 * ops. Each output is the same float operations in the same order as the composed ops around the same tiled
 * product (test/engine/linear-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { i32, type WebGpuBackendLike } from './webgpu-program.js';
import { TiledMatMulProgram, type TiledEpilogue } from './matmul-webgpu-program.js';
import { tiledMatMulChoice, tiledMatMulPlan, type TiledChoice, type TiledMatMulMode } from './matmul-webgpu.js';

/** The kernel's name on webgpu (the plain-wasm one has the same name and inputs, plus x2 and GEGLU blocks). */
export const WEBGPU_LINEAR_KERNEL = 'NacLinear';

/** The optional inputs, in the order the program binds them (TiledEpilogue's). */
const EXTRA = ['scale', 'bias', 'gain', 'residual', 'gate'] as const;

/** Which products the kernel takes (as the tiled BatchMatMul's modes): 'auto' (the default) or all it covers (true). */
let mode: 'auto' | true = 'auto';

/**
 * How the tiled program runs x [m, k]·W [k, n] in one pass (no split), else null. Unsplit, its contraction is
 * one chunk of k (tiledMatMulPlan's kChunk).
 */
function tiledPass(m: number, k: number, n: number): TiledChoice | null {
  const plan = tiledMatMulPlan([m, k], [k, n], false, false);
  return plan == null || plan.splits !== 1 ? null : tiledMatMulChoice(mode, plan, false, false);
}

/**
 * NacLinear's attributes on webgpu: the tiled choice {@link webGpuLinear} planned (once per call), and the
 * columns [column, column + width) of W that the product reads (default: all).
 */
interface LinearAttrs extends TiledChoice {
  column?: number;
  width?: number;
}

function linearKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const { x, weight } = inputs as { x: tf.TensorInfo; weight: tf.TensorInfo };
  const [m, k] = x.shape as [number, number];
  const ldB = weight.shape[1] as number;
  const { column = 0, width = ldB, step, loads: chosen } = args.attrs as unknown as LinearAttrs;
  const n = width;
  const given = EXTRA.filter((name) => inputs[name] != null);
  const epilogue = Object.fromEntries(EXTRA.map((name) => [name, given.includes(name)])) as unknown as TiledEpilogue;
  // vec4 loads of a column range need it to start and W's rows to run on a multiple of 4 floats.
  const loads = chosen === 'vec4' && (ldB % 4 !== 0 || column % 4 !== 0) ? 'scalar' : chosen;
  const program = new TiledMatMulProgram([m, n], m, n, 1, false, false, step, loads, epilogue);
  const uniforms = [i32(m), i32(n), i32(k), i32(1), i32(1), i32(1), i32(Math.max(k, 1)), i32(ldB), i32(column)];
  if (epilogue.scale) uniforms.push(i32(tf.util.sizeFromShape(inputs.scale!.shape) / k));
  const bound = [x, weight, ...given.map((name) => inputs[name]!)];
  return (args.backend as WebGpuBackendLike).runWebGPUProgram(program, bound, 'float32', uniforms);
}

/**
 * How the fused map runs under the tiled BatchMatMul's mode, so that a matmul switch (NAC_WEBGPU_MATMUL) covers
 * the linear maps' products too: the same choices in 'auto', the fixed loads and step in `true`, and off
 * (false) where the matmul tiles no untransposed product ('transposed', false).
 */
export function fusedLinearMode(matmul: TiledMatMulMode): boolean | 'auto' {
  return matmul === 'auto' || matmul === true ? matmul : false;
}

/**
 * Registers the webgpu NacLinear kernel for the products the tiled matmul's 'auto' mode takes unsplit ('auto'),
 * or for every unsplit product it covers (true: tests and benchmarks, with the loads and step that
 * setTiledMatMulLoads and setTiledMatMulStep set), or removes it (false).
 */
export function setWebGpuFusedLinear(how: boolean | 'auto'): void {
  const on = how !== false;
  if (on) mode = how;
  const registered = tf.getKernel(WEBGPU_LINEAR_KERNEL, 'webgpu') != null;
  if (on && !registered)
    tf.registerKernel({ kernelName: WEBGPU_LINEAR_KERNEL, backendName: 'webgpu', kernelFunc: linearKernel as unknown as tf.KernelFunc });
  else if (!on && registered) tf.unregisterKernel(WEBGPU_LINEAR_KERNEL, 'webgpu');
}

/** Whether the webgpu NacLinear may run now: the active backend is webgpu, it is registered, no gradient is recorded. */
export function webGpuLinearReady(): boolean {
  return tf.getBackend() === 'webgpu' && tf.getKernel(WEBGPU_LINEAR_KERNEL, 'webgpu') != null && !tf.engine().isTapeOn();
}

/** Operands as ./linear-simd.ts's fusedLinear has checked them: x [..., k], W [k, n], scale a suffix of x's shape, ... */
export interface WebGpuLinearOperands {
  x: tf.Tensor;
  weight: tf.Tensor;
  scale?: tf.Tensor | null;
  bias?: tf.Tensor | null;
  gain?: tf.Tensor | null;
  residual?: tf.Tensor | null;
}

/**
 * residual + gain ⊙ ((x ⊙ scale)·W + bias) → [..., n], or with `geglu` a ⊙ GELU(g) of W's two column halves
 * → [..., n/2]; null when the tiled program would not run the product(s) in one pass.
 */
export function webGpuLinear(ops: WebGpuLinearOperands, geglu: boolean): tf.Tensor | null {
  const [k, n] = ops.weight.shape as [number, number];
  const lead = ops.x.shape.slice(0, -1);
  const m = tf.util.sizeFromShape(lead);
  const width = geglu ? n / 2 : n;
  const choice = tiledPass(m, k, width);
  if (choice == null) return null;
  const run = (inputs: Record<string, tf.Tensor | null | undefined>, columns: { column?: number; width?: number } = {}): tf.Tensor => {
    const named: tf.NamedTensorMap = {};
    for (const [name, t] of Object.entries(inputs)) if (t != null) named[name] = t;
    const attrs: LinearAttrs = { ...choice, ...columns };
    return tf.engine().runKernel(WEBGPU_LINEAR_KERNEL, named, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
  return tf.tidy(() => {
    const x = ops.x.reshape([m, k]);
    if (!geglu) return run({ ...ops, x }).reshape([...lead, n]);
    // The halves of W and b read in place (no slices): a, then g gated by a.
    const a = run({ x, weight: ops.weight, scale: ops.scale, bias: ops.bias }, { column: 0, width });
    return run({ x, weight: ops.weight, scale: ops.scale, bias: ops.bias, gate: a }, { column: width, width }).reshape([...lead, width]);
  });
}
