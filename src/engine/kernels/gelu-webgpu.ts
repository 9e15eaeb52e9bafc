/**
 * Fused exact GELU for tfjs' webgpu backend: the NacGelu (y = ½·x·(1 + erf(x/√2))) and NacGeluGrad
 * (dx = dy·(Φ(x) + x·φ(x))) kernels that ./gelu-native.ts registers for wasm, here as WGSL, one thread per
 * element. Composed of tfjs ops GELU is 5 kernels forward (Multiply, Erf, Add, Multiply, Multiply) and
 * about 10 backward, each a pass over the activations: in the paper-tiny NAC's eval forward on an H200
 * the forward ones were about 3 % of the GPU time (docs/performance.md). src/nn/activations.ts calls them, with the
 * gradient, wherever they are registered for the active backend.
 *
 * erf is Abramowitz and Stegun's 7.1.26 (|error| < 1.5e-7), as tfjs' own webgpu Erf computes it, so results
 * match the composed ops to float32 rounding (test/engine/gelu-webgpu.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, type WebGpuBackendLike } from './webgpu-program.js';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from './gelu-native.js';

/** erf(a) by Abramowitz and Stegun 7.1.26 and GELU(x), in WGSL (also the tiled matmul's GEGLU epilogue's). */
export const GELU_WGSL = `
      fn nacErf(a : f32) -> f32 {
        let z = abs(a);
        let t = 1.0 / (1.0 + 0.3275911 * z);
        let poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
        return sign(a) * (1.0 - poly * exp(-z * z));
      }
      fn nacGelu(x : f32) -> f32 {
        return 0.5 * x * (1.0 + nacErf(x * 0.7071067811865476));
      }`;

class GeluProgram extends FlatProgram {
  variableNames: string[];
  uniforms = '';
  shaderKey: string;
  constructor(
    shape: number[],
    private readonly grad: boolean,
  ) {
    super(shape);
    this.variableNames = grad ? ['geluX', 'geluDy'] : ['geluX'];
    this.shaderKey = grad ? 'nacGeluGrad' : 'nacGelu';
  }
  getUserCode(): string {
    // Φ(x) = ½(1 + erf(x/√2)); φ(x) = e^(−x²/2)/√(2π).
    const value = this.grad
      ? 'geluDy[index] * (0.5 * (1.0 + nacErf(x * 0.7071067811865476)) + x * exp(-0.5 * x * x) * 0.3989422804014327)'
      : 'nacGelu(x)';
    return `${GELU_WGSL}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let x = geluX[index];
          setOutputAtIndex(index, ${value});
        }
      }`;
  }
}

function geluKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  return (args.backend as WebGpuBackendLike).runWebGPUProgram(new GeluProgram(x.shape, false), [x], 'float32', []);
}

function geluGradKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  return (args.backend as WebGpuBackendLike).runWebGPUProgram(new GeluProgram(x.shape, true), [x, dy], 'float32', []);
}

/** Registers (true) or removes (false) the webgpu NacGelu and NacGeluGrad kernels. */
export function setWebGpuGelu(on: boolean): void {
  for (const [name, kernelFunc] of [
    [GELU_KERNEL, geluKernel],
    [GELU_GRAD_KERNEL, geluGradKernel],
  ] as const) {
    const registered = tf.getKernel(name, 'webgpu') != null;
    if (on && !registered)
      tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    else if (!on && registered) tf.unregisterKernel(name, 'webgpu');
  }
}
