/**
 * What this package's WebGPU kernels use of tfjs-backend-webgpu: its program runner (a program is a
 * duck-typed object with variableNames, outputShape, dispatch, getUserCode, ...; inputs are bound as
 * storage buffers named after variableNames) and its uniform format.
 */
import type * as tf from '@tensorflow/tfjs';

/** One program-defined uniform, in the order of the program's `uniforms` declaration. */
export interface ProgramUniform {
  type: string;
  data: number[];
}

/** The webgpu backend, as far as the kernels here need it. */
export interface WebGpuBackendLike {
  runWebGPUProgram(program: unknown, inputs: tf.TensorInfo[], dtype: string, uniforms: ProgramUniform[]): tf.TensorInfo;
  disposeData(dataId: object): void;
}

/** An int32 uniform. */
export const i32 = (v: number): ProgramUniform => ({ type: 'int32', data: [v] });
/** A float32 uniform. */
export const f32 = (v: number): ProgramUniform => ({ type: 'float32', data: [v] });

/** WebGPU's default limit on workgroups per dispatch axis. */
export const MAX_DISPATCH = 65535;

/** Threads per workgroup of the flat programs. */
export const FLAT_WORKGROUP = 64;

/**
 * The part of tfjs-webgpu's program interface shared by programs with one thread per output element
 * (`main(index)`, flat index): the layout over all of the output's axes and enough workgroups of
 * {@link FLAT_WORKGROUP} threads along x. Subclasses add variableNames, uniforms, shaderKey and getUserCode.
 */
export abstract class FlatProgram {
  abstract variableNames: string[];
  abstract uniforms: string;
  outputShape: number[];
  workgroupSize: [number, number, number] = [FLAT_WORKGROUP, 1, 1];
  size = true;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(shape.reduce((a, b) => a * b, 1) / FLAT_WORKGROUP), 1, 1];
  }
}
