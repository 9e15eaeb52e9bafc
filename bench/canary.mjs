#!/usr/bin/env node
/**
 * Machine-speed canary: GFLOP/s of one [2048,128]·[128,256] product on plain wasm (the SIMD module's
 * GEMM, native add-on off), median of 25, in about a second. This VM's speed moves by up to about 35 %
 * over minutes (noisy neighbours); on the reference 2-core AMD EPYC an idle, fast state reads 46–48
 * GFLOP/s. Run it before and after a benchmark and quote timings only from fast states.
 *
 *   npm run build && node bench/canary.mjs
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';

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
  `canary: ${((2 * m * n * k) / ms / 1e6).toFixed(1)} GFLOP/s (${ms.toFixed(2)} ms, [${m},${k}]·[${k},${n}], ${report.matMul?.impl} matmul)`,
);
