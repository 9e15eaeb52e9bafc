#!/usr/bin/env node
/**
 * Matrix-multiplication benchmark of the wasm backend's BatchMatMul kernels: tfjs' stock kernel,
 * this package's plain-wasm kernel that materialises transposes ('transpose'), its 128-bit SIMD GEMM
 * ('simd', wasm/src/gemm.c), and the native
 * OpenBLAS add-on ('native', when built, with OpenBLAS' thread count, plus 'native-1t' on one thread
 * when that count is larger). Prints GFLOP/s per shape (the shapes of a NAC train step) and the
 * train-step time of a small NAC (the task NAC of src/train/tasks.ts on 4×4 patches) at each batch size.
 *
 * Needs `npm run build` (imports dist/). Usage: node bench/matmul.mjs [reps=7] [batches=32,128]
 * Timings are medians; modes are interleaved round by round so load changes hit them alike.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { setWasmMatMul } from '../dist/engine/kernels/matmul.js';
import { loadSimdKernels } from '../dist/engine/kernels/simd-module.js';
import { loadNativeBlas } from '../dist/engine/native-blas.js';
import { NAC } from '../dist/model/nac.js';
import { smallNAC } from '../dist/train/tasks.js';

const reps = Number(process.argv[2] ?? 7);
const batches = (process.argv[3] ?? '32,128').split(',').map(Number);
const report = await initBackend({ backend: 'wasm', quiet: true });
const { blas, detail } = await loadNativeBlas();
const threads = blas?.info().threads ?? 1;
const simd = (await loadSimdKernels(tf.findBackend('wasm'))).kernels;
const modes = [
  'stock',
  'transpose',
  ...(simd != null ? ['simd'] : []),
  ...(blas != null ? ['native'] : []),
  ...(threads > 1 ? ['native-1t'] : []),
];
console.log(`wasm BatchMatMul benchmark; ${report.available.wasm.detail}; ${detail}`);

/** Registers the kernel of a mode ('native-1t': native on one OpenBLAS thread). */
function use(mode) {
  setWasmMatMul(mode.startsWith('native') ? 'native' : mode, { blas, simd });
  blas?.setNumThreads(mode === 'native-1t' ? 1 : threads);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** [label, aShape, bShape, transposeA, transposeB] */
const SHAPES = [
  ['[3072,64]·[64,64]', [3072, 64], [64, 64], false, false],
  ['[3072,64]·[64,64]ᵀ', [3072, 64], [64, 64], false, true],
  ['[3072,64]ᵀ·[3072,64]', [3072, 64], [3072, 64], true, false],
  ['[2048,64]ᵀ·[2048,256]', [2048, 64], [2048, 256], true, false],
  ['[2048,256]·[64,256]ᵀ', [2048, 256], [64, 256], false, true],
  ['[128,2,16,24]·[128,2,24,32]', [128, 2, 16, 24], [128, 2, 24, 32], false, false],
  ['[128,2,16,32]·[128,2,24,32]ᵀ', [128, 2, 16, 32], [128, 2, 24, 32], false, true],
  ['[128,2,16,24]ᵀ·[128,2,16,32]', [128, 2, 16, 24], [128, 2, 16, 32], true, false],
  ['[16,256,64]·[16,64,256]', [16, 256, 64], [16, 64, 256], false, false],
];

function timeOnce(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

console.log(`\nGFLOP/s (median of ${reps}; ms in parentheses)`);
console.log(['shape'.padEnd(32), ...modes.map((m) => m.padStart(18))].join(''));
for (const [label, aShape, bShape, ta, tb] of SHAPES) {
  const a = tf.randomNormal(aShape);
  const b = tf.randomNormal(bShape);
  const probe = tf.matMul(a, b, ta, tb);
  const flops = 2 * probe.size * (ta ? aShape.at(-2) : aShape.at(-1));
  probe.dispose();
  const times = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = -1; r < reps; r++) {
    for (const mode of modes) {
      use(mode);
      const ms = timeOnce(() => tf.matMul(a, b, ta, tb).dispose());
      if (r >= 0) times[mode].push(ms);
    }
  }
  const cells = modes.map((m) => {
    const ms = median(times[m]);
    return `${(flops / ms / 1e6).toFixed(1)} (${ms.toFixed(2)})`.padStart(18);
  });
  console.log([label.padEnd(32), ...cells].join(''));
  tf.dispose([a, b]);
}

/** The small task NAC (src/train/tasks.ts) on 4×4 patches, with the spec's DropPath and a shorter prior fit. */
function makeModel() {
  const base = smallNAC({ type: 'patch', imageSize: [28, 28], inChannels: 1, patchSize: 4, tokenDim: 16 }, 10);
  const cfg = { ...base, dropPath: { readIn: 0, propagator: 0.1, readOut: 0 }, priors: { ...base.priors, fitSteps: 100 } };
  return new NAC(cfg, { seed: 1 });
}

console.log(`\nNAC train step (small patch NAC, plain Adam), ms: median of ${reps}; BatchMatMul kernel ms per step (tf.profile)`);
const model = makeModel();
model.train();
const vars = model.trainableParameters();
const opt = tf.train.adam(1e-3);
for (const B of batches) {
  const x = tf.randomUniform([B, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([B], 0, 10, 'int32'), 10);
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.forward(x)), vars);
      opt.applyGradients(grads);
      value.dataSync();
    });
  const times = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = -2; r < reps; r++) {
    for (const mode of modes) {
      use(mode);
      const ms = timeOnce(step);
      if (r >= 0) times[mode].push(ms);
    }
  }
  const cells = [];
  for (const mode of modes) {
    use(mode);
    const p = await tf.profile(step);
    let mm = 0;
    let all = 0;
    for (const k of p.kernels) {
      const t = await k.kernelTimeMs;
      all += t;
      if (k.name === 'BatchMatMul') mm += t;
    }
    const ms = median(times[mode]);
    cells.push(
      `${mode}: ${ms.toFixed(1)} ms (${((B / ms) * 1000).toFixed(0)} samples/s; BatchMatMul ${mm.toFixed(1)} of ${all.toFixed(1)} kernel ms)`,
    );
  }
  console.log(`B=${B}\n  ${cells.join('\n  ')}`);
  tf.dispose([x, y]);
}
use(report.matMul?.impl ?? 'transpose');
