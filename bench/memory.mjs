#!/usr/bin/env node
/**
 * Memory soak test: trains the small NAC (the fashion-mnist task model) for N steps on seeded synthetic
 * batches with the trainer's step (src/train/train-step.ts, AdamW) and records tf.memory().numTensors
 * and RSS (after a full garbage collection) every `every` steps. Exits 1 unless, from the warm-up on, the
 * tensor count is flat and RSS stays within 10 % (`--tolerance`): the median of the last 3 samples against the
 * median of the first 3, with no single sample more than twice the tolerance above the latter. Writes
 * <out>/memory.json.
 *
 *   node bench/memory.mjs [--steps 1000] [--every 50] [--warmup-steps 100] [--batch 32] [--backend wasm|cpu] [--out dir]
 */
import './errors.mjs';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../dist/engine/index.js';
import { writeFileAtomic } from '../dist/io/atomic.js';
import { trainStep } from '../dist/train/train-step.js';
import { benchConfig } from './configs.mjs';
import { benchTrainConfig, buildBenchModel, median, syntheticBatch } from './measure.mjs';
import { integer, positiveNumber } from './options.mjs';

/** Samples whose median gives the RSS at the start (from the warm-up on) and at the end of the run. */
const WINDOW = 3;
const opts = new Command('memory')
  .option('--steps <n>', 'training steps', integer(1), 1000)
  .option('--every <n>', 'record every n steps', integer(1), 50)
  .option('--warmup-steps <n>', 'steps before the reference point', integer(1), 100)
  .option('--batch <n>', 'batch size', integer(1), 32)
  .option('--tolerance <x>', 'allowed RSS growth after warm-up (fraction)', positiveNumber, 0.1)
  .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'webgpu']).default('wasm'))
  .option('--out <dir>', 'output folder', path.join('bench', 'results', 'memory'))
  .parse(process.argv)
  .opts();

const report = await initBackend({ backend: opts.backend, quiet: true });
const cfg = benchConfig('small');
const built = buildBenchModel(cfg.nac, 0);
built.model.train();
const trainCfg = benchTrainConfig(0);
v8.setFlagsFromString('--expose-gc');
/** A full V8 collection before each sample (the flag set at run time, then gc read from a fresh context). */
const collectGarbage = vm.runInNewContext('gc');
const batches = [0, 1, 2, 3].map((i) => syntheticBatch(cfg.inputShape, opts.batch, cfg.numClasses, 100 + i));
const samples = [];
const t0 = performance.now();
console.log(`memory soak: small NAC, batch ${opts.batch}, ${opts.steps} steps; ${describeBackend(report)}`);
for (let s = 1; s <= opts.steps; s++) {
  await trainStep(built.model, built.optimizer, batches[s % batches.length], cfg.numClasses, trainCfg, s, 1e-3);
  if (s % opts.every === 0) {
    collectGarbage(); // RSS of what is retained, not of garbage V8 has not collected yet
    const m = tf.memory();
    const sample = {
      step: s,
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      rssMB: process.memoryUsage().rss / 2 ** 20,
      s: (performance.now() - t0) / 1000,
    };
    samples.push(sample);
    console.log(
      `step ${String(s).padStart(5)}  tensors ${sample.numTensors}  tf bytes ${(sample.numBytes / 2 ** 20).toFixed(1)} MB  RSS ${sample.rssMB.toFixed(1)} MB`,
    );
  }
}
const after = samples.filter((x) => x.step >= opts.warmupSteps);
if (after.length < 2 * WINDOW) throw new Error(`--steps must leave at least ${2 * WINDOW} samples from --warmup-steps on`);
const ref = after[0];
const tensorsFlat = after.every((x) => x.numTensors === ref.numTensors);
// Sustained RSS: the median of the first and of the last WINDOW samples, so that one sample caught in a
// transient (an allocator or GC spike, seen once at +11 %) does not read as a leak, while a leak, which
// stays, raises the last ones. A transient may still not exceed twice the tolerance.
const startRss = median(after.slice(0, WINDOW).map((x) => x.rssMB));
const endRss = median(after.slice(-WINDOW).map((x) => x.rssMB));
const maxRss = Math.max(...after.map((x) => x.rssMB));
const rssGrowth = endRss / startRss - 1;
const peakGrowth = maxRss / startRss - 1;
const ok = tensorsFlat && rssGrowth <= opts.tolerance && peakGrowth <= 2 * opts.tolerance;
const verdict = {
  ok,
  tensorsFlat,
  referenceStep: ref.step,
  startRssMB: startRss,
  endRssMB: endRss,
  maxRssMB: maxRss,
  rssGrowth,
  peakGrowth,
  tolerance: opts.tolerance,
};
fs.mkdirSync(opts.out, { recursive: true });
writeFileAtomic(
  path.join(opts.out, 'memory.json'),
  `${JSON.stringify({ options: opts, backend: describeBackend(report), verdict, samples }, null, 2)}\n`,
);
console.log(
  `${ok ? 'OK' : 'FAIL'}: tensor count ${tensorsFlat ? `flat at ${ref.numTensors}` : 'NOT flat'} from step ${ref.step}; ` +
    `RSS (median of ${WINDOW} samples) ${startRss.toFixed(1)} → ${endRss.toFixed(1)} MB (${(rssGrowth * 100).toFixed(1)} %, ` +
    `limit ${(opts.tolerance * 100).toFixed(0)} %); highest ${maxRss.toFixed(1)} MB (${(peakGrowth * 100).toFixed(1)} %, ` +
    `limit ${(opts.tolerance * 200).toFixed(0)} %)`,
);
process.exitCode = ok ? 0 : 1;
