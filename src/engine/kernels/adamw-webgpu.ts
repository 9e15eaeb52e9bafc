/**
 * Fused AdamW kernels for tfjs' webgpu backend. The composite flat update (../../train/adamw-chunks.ts)
 * runs about 16 element-wise kernels per chunk plus one upload per scalar constant and one slice per
 * parameter; on a GPU every kernel costs tens of microseconds of host time (Dawn bind groups, uniforms,
 * encoding), so a paper-size NAC spent ~1,000 of its ~9,000 dispatches per step on the optimizer.
 * Two kernels replace them, with every scalar in uniforms (no recompile when lr changes):
 *   NacAdamMoment: out = decay·moment + (1 − decay)·(scale·g)   (or (scale·g)² for the second moment)
 *   NacAdamParam:  out = keep·p − stepSize·m[o+i] / (√v[o+i] / bc2Sqrt + eps), for one parameter p
 *                  at offset o of its chunk's flat moments.
 * The arithmetic follows the composite update's order, so results agree to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, FlatProgram, i32, type WebGpuBackendLike } from './webgpu-program.js';
import { envSwitch } from '../environment.js';

/** Kernel names (package-specific: tfjs has no such kernels). */
export const ADAM_MOMENT_KERNEL = 'NacAdamMoment';
export const ADAM_PARAM_KERNEL = 'NacAdamParam';

/** Attributes of NacAdamMoment (inputs: moment, g). */
export interface AdamMomentAttrs {
  decay: number;
  /** 1 − decay, computed in double precision by the caller (as the composite update does). */
  oneMinusDecay: number;
  scale: number;
  square: boolean;
}

/** Attributes of NacAdamParam (inputs: p, m, v). */
export interface AdamParamAttrs {
  offset: number;
  keep: number;
  stepSize: number;
  bc2Sqrt: number;
  eps: number;
}

class AdamMomentProgram extends FlatProgram {
  variableNames = ['adamMoment', 'adamGrad'];
  uniforms = 'decay : f32, oneMinusDecay : f32, scale : f32,';
  shaderKey: string;
  constructor(
    shape: number[],
    private readonly square: boolean,
  ) {
    super(shape);
    this.shaderKey = `nacAdamMoment_${square ? 'v' : 'm'}`;
  }
  getUserCode(): string {
    const g = this.square ? 'gs * gs' : 'gs';
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let gs = adamGrad[index] * uniforms.scale;
          setOutputAtIndex(index, adamMoment[index] * uniforms.decay + (${g}) * uniforms.oneMinusDecay);
        }
      }`;
  }
}

class AdamParamProgram extends FlatProgram {
  variableNames = ['adamParam', 'adamM', 'adamV'];
  uniforms = 'offset : i32, keep : f32, stepSize : f32, bc2Sqrt : f32, eps : f32,';
  shaderKey = 'nacAdamParam';
  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let j = index + uniforms.offset;
          let denom = sqrt(adamV[j]) / uniforms.bc2Sqrt + uniforms.eps;
          setOutputAtIndex(index, adamParam[index] * uniforms.keep - (adamM[j] * uniforms.stepSize) / denom);
        }
      }`;
  }
}

let registered = false;

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerAdamWWebGpu(): void {
  if (registered || tf.getKernel(ADAM_MOMENT_KERNEL, 'webgpu') != null) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: ADAM_MOMENT_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ backend, inputs, attrs }) => {
      const a = attrs as unknown as AdamMomentAttrs;
      const { moment, g } = inputs as { moment: tf.TensorInfo; g: tf.TensorInfo };
      const program = new AdamMomentProgram(moment.shape, a.square);
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, [moment, g], 'float32', [
        f32(a.decay),
        f32(a.oneMinusDecay),
        f32(a.scale),
      ]);
    },
  });
  tf.registerKernel({
    kernelName: ADAM_PARAM_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ backend, inputs, attrs }) => {
      const a = attrs as unknown as AdamParamAttrs;
      const { p, m, v } = inputs as { p: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo };
      const program = new AdamParamProgram(p.shape);
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, [p, m, v], 'float32', [
        i32(a.offset),
        f32(a.keep),
        f32(a.stepSize),
        f32(a.bc2Sqrt),
        f32(a.eps),
      ]);
    },
  });
  registered = true;
}

/**
 * Whether the fused kernels serve the active backend: webgpu only (wasm and cpu keep the composite
 * update, whose kernels there are cheap), unless NAC_FUSED_ADAMW=0 (for A/B timing in bench/).
 */
export function fusedAdamWActive(): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  if (!envSwitch('NAC_FUSED_ADAMW')) return false;
  registerAdamWWebGpu();
  return true;
}

/** β·moment + (1 − β)·(scale·g), or (scale·g)² with `square`: one kernel. */
export function adamMoment(moment: tf.Tensor, g: tf.Tensor, attrs: AdamMomentAttrs): tf.Tensor {
  return tf.engine().runKernel(ADAM_MOMENT_KERNEL, { moment, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** The new value of parameter `p` (any shape) from its chunk's new flat moments at `attrs.offset`: one kernel. */
export function adamParam(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamParamAttrs): tf.Tensor {
  return tf.engine().runKernel(ADAM_PARAM_KERNEL, { p, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
