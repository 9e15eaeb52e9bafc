/**
 * Chooses which BatchMatMul kernel the wasm backend runs: tfjs-backend-wasm's own ('stock'), the
 * plain-wasm one that materialises transposes ('transpose', ./matmul-wasm.ts), this package's 128-bit
 * SIMD GEMM ('simd', ./matmul-simd.ts), or the native OpenBLAS one ('native', ./matmul-native.ts).
 * initBackend picks 'native' when the add-on is available and allowed, else 'simd' when the SIMD
 * module loads, else 'transpose'; 'stock' exists for comparisons (bench/matmul.mjs).
 *
 * The stock registration is kept (with its setupFunc, which the wrappers rely on) and restored for
 * 'stock'. Switching is cheap and can happen at any time; only this file re-registers BatchMatMul.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas.js';
import { blasGemm, makeHeapBatchMatMul } from './matmul-native.js';
import { simdGemm } from './matmul-simd.js';
import { makeTransposingBatchMatMul, type MatMulKernel } from './matmul-wasm.js';
import type { SimdKernels } from './simd-module.js';
import { stockKernel } from './stock-kernel.js';

/** The BatchMatMul implementations available for the wasm backend. */
export type WasmMatMulMode = 'stock' | 'transpose' | 'simd' | 'native';

/** Global slot (shared by duplicate module instances): the current mode. */
const MODE = Symbol.for('neural-attentive-circuits/wasm-batchmatmul-mode');
const slots = globalThis as unknown as { [MODE]?: WasmMatMulMode };

/** What the 'native' and 'simd' modes multiply with. */
export interface WasmMatMulEngines {
  blas?: NativeBlas | null;
  simd?: SimdKernels | null;
}

/**
 * Registers the BatchMatMul kernel of `mode` for 'wasm'. 'native' needs `engines.blas`, 'simd'
 * `engines.simd`. Returns false, changing nothing, when tfjs-backend-wasm has no BatchMatMul kernel.
 */
export function setWasmMatMul(mode: WasmMatMulMode, engines: WasmMatMulEngines = {}): boolean {
  const stock = stockKernel('wasm', 'BatchMatMul');
  if (stock == null) return false;
  if (mode === 'native' && engines.blas == null) throw new Error("setWasmMatMul: mode 'native' needs the native BLAS add-on");
  if (mode === 'simd' && engines.simd == null) throw new Error("setWasmMatMul: mode 'simd' needs the SIMD kernels (loadSimdKernels)");
  const stockFunc = stock.kernelFunc as unknown as MatMulKernel;
  const kernelFunc =
    mode === 'stock'
      ? stockFunc
      : mode === 'transpose'
        ? makeTransposingBatchMatMul(stockFunc)
        : makeHeapBatchMatMul(mode === 'native' ? blasGemm(engines.blas!) : simdGemm(engines.simd!), stockFunc);
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  slots[MODE] = mode;
  return true;
}

/** The BatchMatMul implementation currently registered for 'wasm'. */
export function wasmMatMulMode(): WasmMatMulMode {
  return slots[MODE] ?? 'stock';
}
