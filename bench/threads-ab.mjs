#!/usr/bin/env node
/**
 * Plain-wasm NAC forward and train step on one thread and on --threads threads of this package's SIMD
 * kernels (initBackend's `threads`), alternating in one process, round by round, so that the VM's
 * speed drifts hit both alike; prints each way's median and the median of the per-round ratios, and
 * checks that the logits are bit-identical. With --products, first the same for single products of the
 * reference train step's shapes, calling the SIMD kernels directly.
 *
 *   npm run build && node bench/threads-ab.mjs [--config reference|small] [--threads 2] [--rounds 15] [--train-rounds 7] [--products]
 */
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { loadSimdKernels } from '../dist/engine/kernels/simd-module.js';
import { threadedSimdStatus } from '../dist/engine/kernels/simd-threads.js';
import { trainStep } from '../dist/train/train-step.js';
import { cpuInfo } from './cpu-info.mjs';
import { median } from './measure.mjs';
import { setupModelRun } from './profile-setup.mjs';
import { integer } from './options.mjs';

const opts = new Command('threads-ab')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(['reference', 'small']).default('reference'))
  .option('--threads <n>', 'threads of the second way', integer(1), 2)
  .option('--rounds <n>', 'forward rounds (one forward each way per round)', integer(1), 15)
  .option('--train-rounds <n>', 'train-step rounds (0: none)', integer(0), 7)
  .option('--products', 'first time single products of the reference shapes', false)
  .parse(process.argv)
  .opts();

/**
 * Runs each of `fns` (one per way; each returns milliseconds) once per round, in turn, for `rounds` rounds:
 * the times per way and the median of the per-round ratios of the first way's time over the second's.
 */
async function alternate(rounds, fns) {
  const times = fns.map(() => []);
  for (let r = 0; r < rounds; r++) for (const [i, fn] of fns.entries()) times[i].push(await fn());
  return { times, speedUp: median(times[0].map((v, r) => v / times[1][r])) };
}

/** alternate() of `fn` on one thread and on --threads threads, printed with the ranges. */
async function alternateThreads(label, rounds, fn) {
  const { times, speedUp } = await alternate(
    rounds,
    ways.map((t) => async () => {
      await use(t);
      return fn();
    }),
  );
  const fmt = (a) => `median ${median(a).toFixed(1)} ms (${Math.min(...a).toFixed(1)}–${Math.max(...a).toFixed(1)})`;
  console.log(
    `${label}: 1 thread ${fmt(times[0])}; ${opts.threads} threads ${fmt(times[1])}; speed-up median ${speedUp.toFixed(2)}x over ${rounds} rounds`,
  );
}

const ways = [1, opts.threads];
const use = (threads) => initBackend({ backend: 'wasm', native: false, threads, quiet: true });
await use(1);
if (opts.products) {
  // [m, n, k, transA, transB]: x·W, dy·Wᵀ and xᵀ·dy of the reference's 2048 × 128 → 256 maps, and of its 2560-row ones.
  const shapes = [
    [2048, 256, 128, 0, 0],
    [2048, 128, 256, 0, 1],
    [128, 256, 2048, 1, 0],
    [2560, 128, 128, 0, 0],
    [2560, 128, 128, 0, 1],
    [128, 128, 2560, 1, 0],
  ];
  const status = await loadSimdKernels(tf.findBackend('wasm'));
  const one = status.kernels;
  const many = (await threadedSimdStatus(status, opts.threads)).kernels;
  for (const [m, n, k, ta, tb] of shapes) {
    const [a, b, c] = [m * k, k * n, m * n].map((len) => one.malloc(4 * len));
    const s = one.malloc(4 * one.gemmScratchFloats(n, k));
    const heap = new Float32Array(one.memory.buffer);
    for (let i = 0; i < m * k; i++) heap[a / 4 + i] = Math.sin(i);
    for (let i = 0; i < k * n; i++) heap[b / 4 + i] = Math.cos(i);
    const { times, speedUp } = await alternate(
      31,
      [one, many].map((kernels) => () => {
        const t0 = performance.now();
        kernels.gemmBatched(a, b, c, s, 1, m, n, k, ta, tb, 0, 0);
        return performance.now() - t0;
      }),
    );
    console.log(
      `product [${m} × ${k}]·[${k} × ${n}] transA ${ta} transB ${tb}: 1 thread ${median(times[0]).toFixed(2)} ms, ${opts.threads} threads ${median(times[1]).toFixed(2)} ms, speed-up median ${speedUp.toFixed(2)}x`,
    );
    [a, b, c, s].forEach((p) => one.free(p));
  }
}

const run = await setupModelRun({ backend: 'wasm', config: opts.config, model: 'nac', tfFlag: [] });
const { model, optimizer, batch, numClasses, trainCfg } = run;
const x = tf.tensor(batch.x, batch.shape);
console.log(`threads-ab --config ${opts.config}: NAC, batch ${run.B}, plain wasm; ${cpuInfo().summary}`);

model.eval();
const forward = () => {
  const t0 = performance.now();
  const y = tf.tidy(() => model.forward(x));
  const logits = y.dataSync().slice();
  y.dispose();
  return { ms: performance.now() - t0, logits };
};
const logits = [];
for (const t of ways) {
  await use(t);
  forward();
  logits.push(forward().logits);
}
const identical = logits[0].every((v, i) => Object.is(v, logits[1][i]));
console.log(`logits on 1 and ${opts.threads} threads: ${identical ? 'bit-identical' : 'DIFFERENT'}`);

await alternateThreads('forward', opts.rounds, () => forward().ms);
if (opts.trainRounds > 0) {
  model.train();
  let step = 0;
  const train = async () => {
    const t0 = performance.now();
    await trainStep(model, optimizer, batch, numClasses, trainCfg, step++, 1e-3);
    return performance.now() - t0;
  };
  for (let i = 0; i < 2; i++) await train();
  await alternateThreads('train step', opts.trainRounds, train);
}
if (!identical) process.exit(1);
process.exit(0);
