/**
 * The WebGPU kernel of ../random.ts: fills a float32 tensor with counter-hash noise (uniform or normal)
 * on the device, with no input and a few bytes of uniforms. The hash is the same as the host version's.
 * Registered on first use (the webgpu backend's module is loaded lazily, see ../webgpu.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { f32, FlatProgram, i32, type WebGpuBackendLike } from './webgpu-program.js';

/** Kernel name (package-specific: tfjs has no such kernel). */
export const HASH_NOISE_KERNEL = 'NacHashNoise';

/** Attributes of one draw: uniform in [lo, hi) from key1, or standard normal from key1 and key2. */
export interface HashNoiseAttrs {
  normal: boolean;
  lo: number;
  hi: number;
  key1: number;
  key2: number;
}

/** The noise program: one thread per output element. */
class HashNoiseProgram extends FlatProgram {
  variableNames: string[] = [];
  uniforms = 'key1 : i32, key2 : i32, lo : f32, range : f32,';
  shaderKey: string;
  constructor(
    shape: number[],
    private readonly normal: boolean,
  ) {
    super(shape);
    this.shaderKey = `nacHashNoise_${normal ? 'normal' : 'uniform'}`;
  }
  getUserCode(): string {
    const value = this.normal
      ? `let u1 = unitAt(u32(index), bitcast<u32>(uniforms.key1)) + 2.98023223876953125e-8;
        let u2 = unitAt(u32(index), bitcast<u32>(uniforms.key2));
        let v = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);`
      : `let v = uniforms.lo + uniforms.range * unitAt(u32(index), bitcast<u32>(uniforms.key1));`;
    return `
      fn lowbias32(x0 : u32) -> u32 {
        var x = x0;
        x = x ^ (x >> 16u);
        x = x * 0x7feb352du;
        x = x ^ (x >> 15u);
        x = x * 0x846ca68bu;
        return x ^ (x >> 16u);
      }
      fn unitAt(i : u32, key : u32) -> f32 {
        return f32(lowbias32(lowbias32(i ^ key) + key) >> 8u) * 5.9604644775390625e-8;
      }
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${value}
          setOutputAtIndex(index, v);
        }
      }`;
  }
}

let registered = false;

/** Registers the kernel for 'webgpu' (idempotent). */
export function registerHashNoiseWebGpu(): void {
  if (registered || tf.getKernel(HASH_NOISE_KERNEL, 'webgpu') != null) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: HASH_NOISE_KERNEL,
    backendName: 'webgpu',
    kernelFunc: ({ backend, attrs }) => {
      const a = attrs as unknown as HashNoiseAttrs & { shape: number[] };
      const program = new HashNoiseProgram(a.shape, a.normal);
      const toI32 = (k: number): number => k | 0;
      return (backend as unknown as WebGpuBackendLike).runWebGPUProgram(program, [], 'float32', [
        i32(toI32(a.key1)),
        i32(toI32(a.key2)),
        f32(a.lo),
        f32(a.hi - a.lo),
      ]);
    },
  });
  registered = true;
}
