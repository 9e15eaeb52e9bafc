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

/**
 * The dispatch of a program with one thread per output element (`main(index)`, flat index): the layout over
 * all of the output's axes and enough workgroups of `workgroup` threads along x.
 */
export function flatDispatch(
  shape: readonly number[],
  workgroup: number,
): { dispatchLayout: { x: number[] }; dispatch: [number, number, number] } {
  return { dispatchLayout: { x: shape.map((_, i) => i) }, dispatch: [Math.ceil(shape.reduce((a, b) => a * b, 1) / workgroup), 1, 1] };
}
