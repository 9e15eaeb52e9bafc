#!/usr/bin/env node
/**
 * The plain-wasm fused eval kernels (src/engine/kernels/linear-simd.ts, attention-simd.ts,
 * layer-norm-affine-simd.ts) on and off in one process, round by round, so that the VM's speed drifts
 * hit both alike: the median eval forward of a benchmark configuration's NAC each way, then the largest
 * logit difference between the two and, with --profile, each way's kernel count and time by kernel.
 *
 *   npm run build && node bench/fused-eval-ab.mjs [--config reference|small] [--repeats 15] [--profile]
 */
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { setWasmFusedLinear } from '../dist/engine/kernels/linear-simd.js';
import { setWasmFusedAttention } from '../dist/engine/kernels/attention-simd.js';
import { setWasmFusedLayerNormAffine } from '../dist/engine/kernels/layer-norm-affine-simd.js';
import { loadSimdKernels } from '../dist/engine/kernels/simd-module.js';
import { modelNumClasses } from '../dist/model/factory.js';
import { benchConfig } from './configs.mjs';
import { buildBenchModel, median, syntheticBatch } from './measure.mjs';

const opts = new Command('fused-eval-ab')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(['reference', 'small']).default('reference'))
  .option('--repeats <n>', 'timed forwards each way', (v) => Number(v), 15)
  .option('--profile', 'also print each way kernel times (tf.profile of one forward)', false)
  .parse(process.argv)
  .opts();

await initBackend({ backend: 'wasm', native: false, quiet: true });
const simd = (await loadSimdKernels(tf.findBackend('wasm'))).kernels;
if (simd == null) throw new Error('the SIMD module did not load: nothing to compare');
const cfg = benchConfig(opts.config);
const { model } = buildBenchModel(cfg.nac, 0);
const batch = syntheticBatch(cfg.inputShape, cfg.batch, modelNumClasses(cfg.nac), 1);
const x = tf.tensor(batch.x, batch.shape);
model.eval();

const set = (on) => {
  setWasmFusedLinear(on ? simd : null);
  setWasmFusedAttention(on ? simd : null);
  setWasmFusedLayerNormAffine(on ? simd : null);
};
const ways = { fused: true, composed: false };
const forward = () => {
  const y = tf.tidy(() => model.forward(x));
  const d = y.dataSync();
  y.dispose();
  return d;
};
const times = { fused: [], composed: [] };
const outs = {};
for (let r = 0; r < opts.repeats + 3; r++) {
  for (const [way, on] of Object.entries(ways)) {
    set(on);
    const t0 = performance.now();
    outs[way] = forward();
    if (r >= 3) times[way].push(performance.now() - t0); // 3 warm-up rounds: V8 tiers the kernels up
  }
}
console.log(`NAC --config ${cfg.name}, batch ${cfg.batch}, plain wasm; eval forward, median of ${opts.repeats} each way, interleaved`);
for (const way of Object.keys(ways)) console.log(`${way.padEnd(9)} ${median(times[way]).toFixed(1)} ms (min ${Math.min(...times[way]).toFixed(1)})`);
console.log(`fused / composed: ${(median(times.fused) / median(times.composed)).toFixed(3)}`);
let diff = 0;
for (let i = 0; i < outs.fused.length; i++) diff = Math.max(diff, Math.abs(outs.fused[i] - outs.composed[i]));
console.log(`largest logit difference: ${diff.toExponential(2)}`);
if (opts.profile) {
  for (const [way, on] of Object.entries(ways)) {
    set(on);
    const p = await tf.profile(() => tf.tidy(() => model.forward(x)));
    const acc = new Map();
    let total = 0;
    for (const k of p.kernels) {
      const ms = await k.kernelTimeMs;
      total += ms;
      acc.set(k.name, (acc.get(k.name) ?? 0) + ms);
    }
    p.result.dispose();
    const top = [...acc].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`${way}: ${p.kernels.length} kernels, ${total.toFixed(1)} ms; ${top.map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', ')}`);
  }
}
set(true);
x.dispose();
model.dispose();
