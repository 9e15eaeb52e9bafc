#!/usr/bin/env node
/**
 * The webgpu matrix products of the paper-tiny NAC's train step (shapes from the H200 profile in
 * docs/performance.md, with the transposes the forward and the gradients use): TFLOP/s of tfjs' stock
 * BatchMatMul and of the tiled one (src/engine/kernels/matmul-webgpu.ts), alternating per round so that
 * clock changes hit both, and their largest relative difference. Each timing is `--reps` products queued
 * back to back, then one 1-element read (the GPU runs them in order).
 *
 * --shrink N divides the long dimensions (rows, contraction, batch) by N, for a quick run on software
 * Vulkan (bench/gpu/lavapipe.sh), where the timings mean nothing but the differences do.
 *
 *   npm run build && node bench/webgpu-matmul.mjs [--reps 20] [--rounds 5] [--shrink 1]
 */
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../dist/engine/index.js';
import { setWebGpuTiledMatMul, tiledMatMulPlan } from '../dist/engine/kernels/matmul-webgpu.js';
import { median } from './measure.mjs';

const opts = new Command('webgpu-matmul')
  .option('--reps <n>', 'products per timing', (v) => Number(v), 20)
  .option('--rounds <n>', 'timings per kernel (alternating)', (v) => Number(v), 5)
  .option('--shrink <n>', 'divide the long dimensions by this', (v) => Number(v), 1)
  .parse(process.argv)
  .opts();
if (!(opts.reps >= 1 && opts.rounds >= 1 && opts.shrink >= 1)) throw new Error('--reps, --rounds and --shrink must be ≥ 1');
const shrink = (shape) => shape.map((d, i) => (d >= 4096 || (i === 0 && shape.length === 3) ? Math.ceil(d / opts.shrink) : d));

const report = await initBackend({ backend: 'webgpu', quiet: true });
console.log(describeBackend(report));

/** [a shape, b shape, transposeA, transposeB, what]. */
const SHAPES = [
  [[40960, 384], [384, 384], false, false, 'forward, 320 modules × 128'],
  [[32768, 384], [384, 768], false, false, 'forward, GEGLU in'],
  [[32768, 768], [768, 384], false, false, 'forward, GEGLU out'],
  [[32768, 384], [768, 384], false, true, 'dX = dY·Wᵀ'],
  [[40960, 384], [40960, 384], true, false, 'dW = Xᵀ·dY (split K)'],
  [[32768, 768], [32768, 384], true, false, 'dW of GEGLU out (split K)'],
  [[768, 256, 64], [768, 320, 64], false, true, 'attention scores, 128 × 6 heads'],
];

async function timeProducts(a, b, ta, tb) {
  let y = tf.matMul(a, b, ta, tb);
  await tf.slice(y, new Array(y.rank).fill(0), new Array(y.rank).fill(1)).data();
  const t0 = performance.now();
  for (let r = 0; r < opts.reps; r++) {
    y.dispose();
    y = tf.matMul(a, b, ta, tb);
  }
  const probe = tf.slice(y, new Array(y.rank).fill(0), new Array(y.rank).fill(1));
  await probe.data();
  const ms = (performance.now() - t0) / opts.reps;
  probe.dispose();
  return { ms, y };
}

for (const [fullA, fullB, ta, tb, what] of SHAPES) {
  const [sa, sb] = [shrink(fullA), shrink(fullB)];
  const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
  const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
  const plan = tiledMatMulPlan(sa, sb, ta, tb);
  const flops = plan == null ? 0 : 2 * plan.m * plan.n * plan.k * Math.max(plan.batchA, plan.batchB);
  const times = { stock: [], tiled: [] };
  const outs = {};
  for (let round = 0; round < opts.rounds; round++) {
    for (const kind of ['stock', 'tiled']) {
      setWebGpuTiledMatMul(kind === 'tiled');
      const { ms, y } = await timeProducts(a, b, ta, tb);
      times[kind].push(ms);
      if (round === 0) outs[kind] = await y.data();
      y.dispose();
    }
  }
  setWebGpuTiledMatMul(false);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < outs.stock.length; i++) {
    scale = Math.max(scale, Math.abs(outs.stock[i]));
    diff = Math.max(diff, Math.abs(outs.stock[i] - outs.tiled[i]));
  }
  const [s, t] = [median(times.stock), median(times.tiled)];
  const label = `[${sa}]${ta ? 'ᵀ' : ''}·[${sb}]${tb ? 'ᵀ' : ''}`;
  console.log(
    `${label.padEnd(34)} stock ${s.toFixed(2).padStart(7)} ms ${(flops / s / 1e9).toFixed(1).padStart(5)} TFLOP/s | tiled ${t.toFixed(2).padStart(7)} ms ` +
      `${(flops / t / 1e9).toFixed(1).padStart(5)} TFLOP/s (${plan?.splits ?? '-'} part(s)) | tiled/stock time ${(t / s).toFixed(2)} | ` +
      `max diff ${(diff / scale).toExponential(1)} of max | ${what}`,
  );
  tf.dispose([a, b]);
}
