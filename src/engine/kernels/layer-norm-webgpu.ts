/**
 * Fused (non-affine) layer normalisation over the last axis for tfjs' webgpu backend, forward and
 * backward. Composed of tfjs ops, a layer norm is 7 kernels forward and about 20 backward (moments,
 * broadcasts and the reductions of their gradients); a NAC calls it for every state norm and inside
 * every ModFC modulation; with the fused AdamW, fusing it cut the paper-tiny NAC's train step from 8,994 GPU kernels to
 * 5,045 (each costs tens of microseconds of host time on WebGPU in Node). Here each direction is one
 * kernel, one workgroup per row (a first version with one thread per row read memory uncoalesced and
 * cost more GPU time than it saved):
 *   forward:  y = (x − μ)·r,  r = 1/√(σ² + eps)   (σ² biased, as PyTorch and the composite version)
 *   backward: dx = r·(dy − mean(dy) − ŷ·mean(dy·ŷ)), ŷ = y recomputed from x
 * ../layer-norm.ts picks this on webgpu and the composite version elsewhere. In evaluation (no gradient
 * recorded) a LayerNorm with γ and β is one kernel too, NacLayerNormAffine (./layer-norm-affine-simd.ts's
 * fusedLayerNormAffine calls {@link webGpuLayerNormAffine}), where tfjs would add a Multiply and an Add.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, i32, type ProgramUniform, type WebGpuBackendLike } from './webgpu-program.js';
import { envSwitch } from '../environment.js';

/** Kernel names (package-specific: tfjs has no such kernels). */
export const LAYER_NORM_KERNEL = 'NacLayerNorm';
export const LAYER_NORM_GRAD_KERNEL = 'NacLayerNormGrad';
/** LN(x)·γ + β (γ, β optional), forward only; the plain-wasm kernel of ./layer-norm-affine-simd.ts has the same name. */
export const LAYER_NORM_AFFINE_KERNEL = 'NacLayerNormAffine';

const WORKGROUP = 64;

/**
 * One workgroup of {@link WORKGROUP} threads per row of the last axis: each thread strides over the
 * row (coalesced reads), partial sums meet in workgroup memory. Rows past the end compute nothing
 * but still reach every barrier (barriers need uniform control flow).
 */
class RowProgram {
  outputShape: number[];
  uniforms = 'rows : i32, d : i32, eps : f32,';
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  shaderKey: string;
  constructor(
    shape: number[],
    readonly variableNames: string[],
    private readonly body: string,
    name: string,
  ) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [shape.slice(0, -1).reduce((a, b) => a * b, 1), 1, 1];
    this.shaderKey = name;
  }
  getUserCode(): string {
    return `
      var<workgroup> lnA : array<f32, ${WORKGROUP}>;
      var<workgroup> lnB : array<f32, ${WORKGROUP}>;
      fn reduceAB() {
        for (var size = ${WORKGROUP / 2}u; size > 0u; size = size / 2u) {
          if (localId.x < size) {
            lnA[localId.x] = lnA[localId.x] + lnA[localId.x + size];
            lnB[localId.x] = lnB[localId.x] + lnB[localId.x + size];
          }
          workgroupBarrier();
        }
      }
      fn main(index : i32) {
        let row = index / ${WORKGROUP};
        let lane = i32(localId.x);
        let d = uniforms.d;
        let n = select(0, d, row < uniforms.rows);
        let base = row * d;
        var sum = 0.0;
        for (var i = lane; i < n; i = i + ${WORKGROUP}) { sum = sum + lnX[base + i]; }
        lnA[lane] = sum;
        lnB[lane] = 0.0;
        workgroupBarrier();
        reduceAB();
        let mean = lnA[0] / f32(d);
        workgroupBarrier();
        var sq = 0.0;
        for (var i = lane; i < n; i = i + ${WORKGROUP}) { let c = lnX[base + i] - mean; sq = sq + c * c; }
        lnA[lane] = sq;
        workgroupBarrier();
        reduceAB();
        let r = inverseSqrt(lnA[0] / f32(d) + uniforms.eps);
        workgroupBarrier();
        ${this.body}
      }`;
  }
}

const FORWARD = `for (var i = lane; i < n; i = i + ${WORKGROUP}) { setOutputAtIndex(base + i, (lnX[base + i] - mean) * r); }`;
/** The forward with γ (lnGamma) and/or β (lnBeta) applied in the composed ops' order. */
const forwardAffine = (gamma: boolean, beta: boolean) => `for (var i = lane; i < n; i = i + ${WORKGROUP}) {
          var y = (lnX[base + i] - mean) * r;${gamma ? ' y = y * lnGamma[i];' : ''}${beta ? ' y = y + lnBeta[i];' : ''}
          setOutputAtIndex(base + i, y);
        }`;
const BACKWARD = `
        var gSum = 0.0;
        var gySum = 0.0;
        for (var i = lane; i < n; i = i + ${WORKGROUP}) {
          let g = lnDy[base + i];
          gSum = gSum + g;
          gySum = gySum + g * (lnX[base + i] - mean) * r;
        }
        lnA[lane] = gSum;
        lnB[lane] = gySum;
        workgroupBarrier();
        reduceAB();
        let gMean = lnA[0] / f32(d);
        let gyMean = lnB[0] / f32(d);
        for (var i = lane; i < n; i = i + ${WORKGROUP}) {
          let y = (lnX[base + i] - mean) * r;
          setOutputAtIndex(base + i, r * (lnDy[base + i] - gMean - y * gyMean));
        }`;

function uniformsOf(shape: number[], eps: number): ProgramUniform[] {
  const d = shape[shape.length - 1] as number;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return [i32(rows), i32(d), f32(eps)];
}

let registered = false;

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerLayerNormWebGpu(): void {
  if (registered || tf.getKernel(LAYER_NORM_KERNEL, 'webgpu') != null) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: LAYER_NORM_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ backend, inputs, attrs }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const eps = (attrs as unknown as { eps: number }).eps;
      const program = new RowProgram(x.shape, ['lnX'], FORWARD, 'nacLayerNorm');
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, [x], 'float32', uniformsOf(x.shape, eps));
    },
  });
  tf.registerKernel({
    kernelName: LAYER_NORM_GRAD_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ backend, inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const eps = (attrs as unknown as { eps: number }).eps;
      const program = new RowProgram(x.shape, ['lnX', 'lnDy'], BACKWARD, 'nacLayerNormGrad');
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, [x, dy], 'float32', uniformsOf(x.shape, eps));
    },
  });
  tf.registerKernel({
    kernelName: LAYER_NORM_AFFINE_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ backend, inputs, attrs }) => {
      const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma?: tf.TensorInfo; beta?: tf.TensorInfo };
      const eps = (attrs as unknown as { eps: number }).eps;
      const names = ['lnX', ...(gamma != null ? ['lnGamma'] : []), ...(beta != null ? ['lnBeta'] : [])];
      const program = new RowProgram(x.shape, names, forwardAffine(gamma != null, beta != null), `nacLayerNormAffine_${names.join('_')}`);
      const bound = [x, gamma, beta].filter((t): t is tf.TensorInfo => t != null);
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, bound, 'float32', uniformsOf(x.shape, eps));
    },
  });
  registered = true;
}

/**
 * LN(x)·γ + β with γ, β [d] (either may be null) in one kernel while no gradient is recorded, when the fused layer
 * norm serves webgpu ({@link fusedLayerNormActive}); else null. Inputs are checked by the caller.
 */
export function webGpuLayerNormAffine(x: tf.Tensor, gamma: tf.Tensor | null, beta: tf.Tensor | null, eps: number): tf.Tensor | null {
  if (tf.getBackend() !== 'webgpu' || tf.engine().isTapeOn() || !fusedLayerNormActive()) return null;
  const inputs: tf.NamedTensorMap = { x };
  if (gamma != null) inputs['gamma'] = gamma;
  if (beta != null) inputs['beta'] = beta;
  return tf.engine().runKernel(LAYER_NORM_AFFINE_KERNEL, inputs, { eps } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * Whether the fused layer norm serves the active backend: on webgpu unless NAC_FUSED_LAYER_NORM=0
 * (for A/B timing in bench/); on wasm when initBackend registered the native kernels
 * (./layer-norm-native.ts: with the native add-on, unless NAC_FUSED_LAYER_NORM=0). Plain wasm and cpu
 * keep the composite version.
 */
export function fusedLayerNormActive(): boolean {
  const backend = tf.getBackend();
  if (backend === 'wasm') return tf.getKernel(LAYER_NORM_KERNEL, 'wasm') != null;
  if (backend !== 'webgpu') return false;
  if (!envSwitch('NAC_FUSED_LAYER_NORM')) return false;
  registerLayerNormWebGpu();
  return true;
}

type Unary = (x: tf.Tensor) => tf.Tensor;
const byEps = new Map<number, Unary>();

/** Non-affine layer norm over the last axis with the fused kernels (webgpu), differentiable. */
export function fusedLayerNorm(x: tf.Tensor, eps: number): tf.Tensor {
  if (tf.getBackend() === 'webgpu') registerLayerNormWebGpu();
  // No gradient recorded (eval): skip customGrad's bookkeeping (about 20 µs a call).
  if (!tf.engine().isTapeOn()) return tf.engine().runKernel(LAYER_NORM_KERNEL, { x }, { eps } as unknown as tf.NamedAttrMap) as tf.Tensor;
  let f = byEps.get(eps);
  if (f === undefined) {
    const attrs = { eps } as unknown as tf.NamedAttrMap;
    f = tf.customGrad(((input: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
      save([input]);
      return {
        value: tf.engine().runKernel(LAYER_NORM_KERNEL, { x: input }, attrs) as tf.Tensor,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { x: saved[0] as tf.Tensor, dy }, attrs) as tf.Tensor,
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Unary;
    byEps.set(eps, f);
  }
  return f(x);
}
