#!/usr/bin/env node
/**
 * The plain-wasm fused eval kernels (src/engine/kernels/linear-simd.ts, attention-simd.ts,
 * layer-norm-affine-simd.ts) on and off in one process, round by round, so that the VM's speed drifts
 * hit both alike: the median eval forward of a benchmark configuration's NAC each way, then the largest
 * logit difference between the two and, with --profile, each way's kernel count and time (and count) by kernel.
 *
 * With --ops, first the same for single ops on the reference shapes: a ModFC with bias, LayerScale and
 * residual, a GEGLU ModFC, 4-head attention over 80 senders, layer norm with its affine. With --native, on the
 * native add-on's products instead, where of the three only the fused attention runs by default: it alone
 * is switched.
 *
 *   npm run build && node bench/fused-eval-ab.mjs [--config reference|small] [--repeats 15] [--profile] [--ops] [--native]
 */
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { setWasmFusedLinear } from '../dist/engine/kernels/linear-simd.js';
import { setWasmFusedAttention } from '../dist/engine/kernels/attention-simd.js';
import { fusedLayerNormAffine, setWasmFusedLayerNormAffine } from '../dist/engine/kernels/layer-norm-affine-simd.js';
import { fusedLinear } from '../dist/engine/kernels/linear-simd.js';
import { fusedAttention } from '../dist/engine/kernels/attention-simd.js';
import { layerNorm } from '../dist/nn/layer-norm.js';
import { gelu } from '../dist/nn/activations.js';
import { loadSimdKernels } from '../dist/engine/kernels/simd-module.js';
import { modelNumClasses } from '../dist/model/factory.js';
import { benchConfig } from './configs.mjs';
import { buildBenchModel, median, syntheticBatch } from './measure.mjs';
import { integer } from './options.mjs';

const opts = new Command('fused-eval-ab')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(['reference', 'small']).default('reference'))
  .option('--repeats <n>', 'timed forwards each way', integer(1), 15)
  .option('--profile', 'also print each way kernel times (tf.profile of one forward)', false)
  .option('--ops', 'first time single ops each way', false)
  .option('--native', 'on the native add-on (switching only the fused attention)', false)
  .parse(process.argv)
  .opts();

const report = await initBackend({ backend: 'wasm', native: opts.native, quiet: true });
const simd = (await loadSimdKernels(tf.findBackend('wasm'))).kernels;
if (simd == null) throw new Error('the SIMD module did not load: nothing to compare');
const cfg = benchConfig(opts.config);
const { model } = buildBenchModel(cfg.nac, 0);
const batch = syntheticBatch(cfg.inputShape, cfg.batch, modelNumClasses(cfg.nac), 1);
const x = tf.tensor(batch.x, batch.shape);
model.eval();

const set = (on) => {
  if (!opts.native) setWasmFusedLinear(on ? simd : null);
  setWasmFusedAttention(on ? simd : null);
  if (!opts.native) setWasmFusedLayerNormAffine(on ? simd : null);
};
const ways = { fused: true, composed: false };
if (opts.ops) timeOps();
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
console.log(
  `NAC --config ${cfg.name}, batch ${cfg.batch}, ${opts.native ? `native add-on (${report.matMul.detail})` : 'plain wasm'}; eval forward, median of ${opts.repeats} each way, interleaved`,
);
for (const way of Object.keys(ways))
  console.log(`${way.padEnd(9)} ${median(times[way]).toFixed(1)} ms (min ${Math.min(...times[way]).toFixed(1)})`);
console.log(`fused / composed: ${(median(times.fused) / median(times.composed)).toFixed(3)}`);
let diff = 0;
for (let i = 0; i < outs.fused.length; i++) diff = Math.max(diff, Math.abs(outs.fused[i] - outs.composed[i]));
console.log(`largest logit difference: ${diff.toExponential(2)}`);
if (opts.profile) {
  for (const [way, on] of Object.entries(ways)) {
    set(on);
    const p = await tf.profile(() => tf.tidy(() => model.forward(x)));
    const acc = new Map(); // name → [ms, count]
    let total = 0;
    for (const k of p.kernels) {
      const ms = await k.kernelTimeMs;
      total += ms;
      const [t, n] = acc.get(k.name) ?? [0, 0];
      acc.set(k.name, [t + ms, n + 1]);
    }
    p.result.dispose();
    const top = [...acc].sort((a, b) => b[1][0] - a[1][0]).slice(0, 10);
    console.log(
      `${way}: ${p.kernels.length} kernels, ${total.toFixed(1)} ms; ${top.map(([n, [ms, c]]) => `${n} ${ms.toFixed(1)} (×${c})`).join(', ')}`,
    );
  }
}
set(true);
x.dispose();
model.dispose();

/** Single ops on the reference shapes, fused kernel vs the tfjs ops it replaces, round by round. */
function timeOps() {
  const [B, U, V, D, H] = [32, 64, 80, 128, 4];
  const r = (shape, seed) => tf.randomNormal(shape, 0, 1, 'float32', seed);
  const x = r([B, U, D], 1),
    m = r([U, D], 2),
    w = r([D, D], 3),
    b = r([D], 4),
    g = r([D], 5),
    res = r([B, U, D], 6);
  const w2 = r([D, 4 * D], 7),
    b2 = r([4 * D], 8),
    k = r([B, V, D], 9),
    v = r([B, V, D], 10),
    bias = r([U, V], 11);
  const split = (t) => t.reshape([B, t.shape[1], H, D / H]).transpose([0, 2, 1, 3]);
  const cases = [
    [
      'ModFC + bias + LayerScale + residual',
      () => fusedLinear(x, w, { scale: m, bias: b, gain: g, residual: res }),
      () =>
        res.add(
          tf
            .matMul(x.mul(m).reshape([-1, D]), w)
            .add(b)
            .mul(g)
            .reshape([B, U, D]),
        ),
    ],
    [
      'GEGLU ModFC [2048,128]·[128,512]',
      () => fusedLinear(x, w2, { scale: m, bias: b2, activation: 'geglu' }),
      () => {
        const z = tf.matMul(x.mul(m).reshape([-1, D]), w2).add(b2);
        const [a, gg] = tf.split(z, 2, -1);
        return a.mul(gelu(gg));
      },
    ],
    [
      'attention, 4 heads, 64 × 80',
      () => fusedAttention(x, k, v, bias, H, 1 / Math.sqrt(D / H)),
      () => {
        const s = tf
          .matMul(split(x), split(k), false, true)
          .mul(1 / Math.sqrt(D / H))
          .add(bias);
        return tf.matMul(tf.softmax(s, -1), split(v)).transpose([0, 2, 1, 3]).reshape([B, U, D]);
      },
    ],
    ['layer norm + affine [32,64,128]', () => fusedLayerNormAffine(x, g, b, 1e-5), () => layerNorm(x, 1e-5).mul(g).add(b)],
  ];
  set(true);
  const t = cases.map(() => [[], []]);
  for (let rep = 0; rep < opts.repeats + 5; rep++) {
    cases.forEach(([, fused, composed], i) => {
      [fused, composed].forEach((fn, j) => {
        const t0 = performance.now();
        const y = tf.tidy(fn);
        y.dataSync();
        if (rep >= 5) t[i][j].push(performance.now() - t0);
        y.dispose();
      });
    });
  }
  console.log(`single ops, median of ${opts.repeats}: fused / composed`);
  cases.forEach(([name], i) => console.log(`${name.padEnd(38)} ${median(t[i][0]).toFixed(2)} / ${median(t[i][1]).toFixed(2)} ms`));
  tf.dispose([x, m, w, b, g, res, w2, b2, k, v, bias]);
}
