#!/usr/bin/env node
/**
 * Machine-speed canary: GFLOP/s of one [2048,128]·[128,256] product on plain wasm (the SIMD module's
 * GEMM, native add-on off), median of 25, in about a second, and the CPU (src/cli/cpu-info.ts). On the
 * issue-4 reference VM (2-core AMD EPYC with AVX-512) an idle machine reads 46–48 GFLOP/s and busy
 * neighbours take up to about 35 % off; a Zen 3 EPYC VM without AVX-512, which also reports only "AMD
 * EPYC", reads 14–34. Run it before and after a benchmark; quote ratios against PyTorch only from an
 * AVX-512 machine in its fast state.
 *
 *   npm run build && node bench/canary.mjs
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { cpuInfo } from './cpu-info.mjs';

const report = await initBackend({ backend: 'wasm', native: false, quiet: true });
const [m, k, n] = [2048, 128, 256];
const a = tf.randomNormal([m, k]);
const b = tf.randomNormal([k, n]);
for (let i = 0; i < 5; i++) tf.matMul(a, b).dispose();
const times = [];
for (let i = 0; i < 25; i++) {
  const t0 = performance.now();
  tf.matMul(a, b).dispose();
  times.push(performance.now() - t0);
}
times.sort((x, y) => x - y);
const ms = times[times.length >> 1];
console.log(
  `canary: ${((2 * m * n * k) / ms / 1e6).toFixed(1)} GFLOP/s (${ms.toFixed(2)} ms, [${m},${k}]·[${k},${n}], ${report.matMul?.impl} matmul; ${cpuInfo().summary})`,
);
