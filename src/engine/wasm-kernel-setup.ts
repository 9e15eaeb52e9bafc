/**
 * The wasm backend's kernels after selection: which BatchMatMul runs (the native OpenBLAS add-on, else
 * this package's 128-bit SIMD GEMM, else tfjs' kernels with transposes materialised) and, with it, which
 * elementwise, sum, noise and fused eval kernels replace tfjs' own.
 */
import { setWasmBinary, setWasmDepthwise, setWasmLayerNorm, setWasmMatMul, setWasmUnary, type WasmMatMulMode } from './kernels/index.js';
import { registerWasmSum } from './kernels/sum.js';
import type { NativeBlasStatus } from './native-blas.js';
import type { SimdStatus } from './kernels/simd-module.js';
import { setWasmFusedLinear } from './kernels/linear-simd.js';
import { setWasmFusedAttention } from './kernels/attention-simd.js';
import { setWasmFusedLayerNormAffine } from './kernels/layer-norm-affine-simd.js';
import { setWasmHashNoise } from './kernels/hash-noise-wasm.js';
import { setWasmGelu } from './kernels/gelu-native.js';
import { envSwitch } from './environment.js';

/**
 * Registers the wasm kernels for the add-on `blas` (null: native: false, or not built) and the SIMD
 * module `simd` (null: the wasm backend is not the active one), and says which BatchMatMul runs.
 */
export function registerWasmKernels(blas: NativeBlasStatus | null, simd: SimdStatus | null): { impl: WasmMatMulMode; detail: string } {
  const matMul = registerMatMul(blas, simd);
  setWasmHashNoise(simd?.kernels ?? null);
  registerWasmSum(matMul.impl === 'native' ? (blas?.blas ?? null) : matMul.impl === 'simd' ? (simd?.kernels?.heap ?? null) : null);
  // Fused eval kernels on the SIMD GEMM: the linear maps and layer norms only where it is the matmul (the
  // add-on's OpenBLAS is faster); attention with the add-on too, as its sparse paths skip the pairs the truncated
  // kernel masks, which the add-on's products compute (docs/performance.md: 0.72-0.82x the composed forward).
  const fusedOn = envSwitch('NAC_FUSED_EVAL') ? (simd?.kernels ?? null) : null;
  const fusedEval = matMul.impl === 'simd' ? fusedOn : null;
  setWasmFusedLinear(fusedEval);
  setWasmFusedAttention(matMul.impl === 'simd' || matMul.impl === 'native' ? fusedOn : null);
  setWasmFusedLayerNormAffine(envSwitch('NAC_FUSED_LAYER_NORM') ? fusedEval : null);
  return matMul;
}

/**
 * Registers the wasm BatchMatMul kernel: native when `status` holds the add-on (status null: native:
 * false), else the SIMD GEMM when `simd` loaded (null: the wasm backend was not initialised), else
 * tfjs' kernels with transposes materialised.
 */
function registerMatMul(status: NativeBlasStatus | null, simd: SimdStatus | null): { impl: WasmMatMulMode; detail: string } {
  const nativeWhy = status == null ? 'native add-on off (native: false)' : status.detail;
  setWasmDepthwise(status?.blas ?? null);
  // The add-on's elementwise kernels, else the same C cores compiled into the SIMD module.
  const heapKernels = status?.blas ?? simd?.kernels?.heap ?? null;
  setWasmUnary(heapKernels);
  setWasmGelu(heapKernels);
  setWasmBinary(heapKernels);
  setWasmLayerNorm(envSwitch('NAC_FUSED_LAYER_NORM') ? heapKernels : null);
  if (status?.blas != null && setWasmMatMul('native', { blas: status.blas })) return { impl: 'native', detail: status.detail };
  if (simd?.kernels != null && setWasmMatMul('simd', { simd: simd.kernels })) {
    return { impl: 'simd', detail: `plain wasm (${simd.detail}); ${nativeWhy}` };
  }
  if (setWasmMatMul('transpose')) {
    const simdWhy = simd == null ? 'SIMD kernels not loaded (wasm is not the active backend)' : simd.detail;
    return { impl: 'transpose', detail: `plain wasm (XNNPACK, transposes materialised; ${simdWhy}); ${nativeWhy}` };
  }
  return { impl: 'stock', detail: 'tfjs-backend-wasm BatchMatMul' };
}
