/**
 * The depthwise convolution kernels of the wasm backend through the native add-on (native/src/
 * depthwise.c): DepthwiseConv2dNative (tfjs-backend-wasm's own runs at about 1 GFLOP/s) and its two
 * backprop kernels (./depthwise-backprop.ts, JavaScript loops). The add-on reads and writes the wasm
 * heap in place, at the tensors' offsets, with loops vectorised for the CPU it runs on.
 *
 * Only float32 with channel multiplier 1 runs natively; anything else goes to the kernel that was
 * registered before. initBackend switches these on with the native BatchMatMul and off without it.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { depthwiseBackpropConfigs } from './depthwise-backprop.js';
import { switchWasmKernels } from './kernel-originals.js';
import { nativeOutput, type WasmHeapBackend } from './matmul-native.js';
import { convInfo, requireInput, type KernelArgs } from './wasm-io.js';

const FORWARD = 'DepthwiseConv2dNative';
const FILTER = 'DepthwiseConv2dNativeBackpropFilter';
const INPUT = 'DepthwiseConv2dNativeBackpropInput';
type Kernel = (args: KernelArgs) => tf.TensorInfo;
type NativeDepthwise = NonNullable<NativeBlas['depthwise']>;

/** What the add-on's depthwise() needs, in its argument order after the offsets. */
function geometryArgs(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/**
 * One native kernel: `mode` 0 forward (inputs x, filter), 1 input gradient (dy, filter), 2 filter
 * gradient (x, dy). `fallback` runs whatever the add-on does not cover.
 */
function nativeKernel(depthwise: NativeDepthwise, mode: 0 | 1 | 2, fallback: Kernel): Kernel {
  const [aName, bName, kernel] = mode === 0 ? ['x', 'filter', FORWARD] : mode === 1 ? ['dy', 'filter', INPUT] : ['x', 'dy', FILTER];
  return (args: KernelArgs): tf.TensorInfo => {
    const a = requireInput(args, aName, kernel);
    const b = requireInput(args, bName, kernel);
    const attrs = (args.attrs ?? {}) as Record<string, unknown>;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const inShape = mode === 1 ? (attrs.inputShape as number[]) : a.shape;
    const filterShape = mode === 2 ? (attrs.filterShape as number[]) : b.shape;
    if (!Array.isArray(inShape) || !Array.isArray(filterShape) || filterShape[3] !== 1) return fallback(args);
    const info = convInfo(kernel, inShape, filterShape, args.attrs, true);
    const outShape = mode === 0 ? info.outShape : mode === 1 ? info.inShape : info.filterShape;
    return nativeOutput(args.backend as WasmHeapBackend, kernel, outShape, [a, b], (heap, offsets) =>
      depthwise(heap, mode, ...(offsets as [number, number, number]), ...geometryArgs(info)),
    );
  };
}

/**
 * Registers the native depthwise kernels for 'wasm' (with `blas`) or restores the previous ones
 * (null). Returns the names of the kernels now running natively.
 */
export function setWasmDepthwise(blas: NativeBlas | null): string[] {
  const depthwise = blas?.depthwise?.bind(blas);
  const modes: Record<string, 0 | 1 | 2> = { [FORWARD]: 0, [INPUT]: 1, [FILTER]: 2 };
  return switchWasmKernels(
    'wasm-depthwise-originals',
    [FORWARD, INPUT, FILTER],
    depthwise == null ? null : (name, original) => nativeKernel(depthwise, modes[name] as 0 | 1 | 2, original),
    depthwiseBackpropConfigs,
  );
}
