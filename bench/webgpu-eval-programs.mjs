#!/usr/bin/env node
/**
 * Shader programs one eval forward of a benchmark configuration's NAC dispatches on webgpu, once the circuit
 * is generated (the eval caches warm), with this package's fused eval kernels on (the fused linear maps,
 * src/engine/kernels/linear-webgpu.ts) and off (the composed ops), by program: each dispatch costs host time
 * in Node (tens of microseconds), whatever the GPU time. Counts, not timings, so software Vulkan
 * (bench/gpu/lavapipe.sh) answers as well as a GPU. At small batches the 'auto' choice leaves the products to
 * tfjs' kernel (too few tiles), so --force-tiled takes every product the tiled program covers, to count what a
 * large batch runs (splits of long contractions aside).
 *
 *   npm run build && node bench/webgpu-eval-programs.mjs [--config paper-tiny|reference|small] [--batch 2] [--force-tiled]
 */
import './errors.mjs';
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../dist/engine/index.js';
import { setWebGpuFusedLinear } from '../dist/engine/kernels/linear-webgpu.js';
import { setWebGpuTiledMatMul } from '../dist/engine/kernels/matmul-webgpu.js';
import { modelNumClasses } from '../dist/model/factory.js';
import { benchConfig } from './configs.mjs';
import { buildBenchModel, syntheticBatch } from './measure.mjs';
import { integer } from './options.mjs';

const opts = new Command('webgpu-eval-programs')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(['paper-tiny', 'reference', 'small']).default('paper-tiny'))
  .option('--batch <n>', 'examples per forward', integer(1), 2)
  .option('--force-tiled', 'the tiled program (and the fused maps) for every product it covers', false)
  .parse(process.argv)
  .opts();

const report = await initBackend({ backend: 'webgpu', quiet: true });
console.log(describeBackend(report));
const cfg = benchConfig(opts.config);
const { model } = buildBenchModel(cfg.nac, 0);
model.eval();
const data = syntheticBatch(cfg.inputShape, opts.batch, modelNumClasses(cfg.nac), 1);
const x = tf.tensor(data.x, data.shape);

const backend = tf.backend();
const run = backend.runWebGPUProgram;
let keys = [];
backend.runWebGPUProgram = function (program, ...rest) {
  keys.push(program.shaderKey.split(/_/)[0].replace(/\d+$/, ''));
  return run.call(this, program, ...rest);
};
if (opts.forceTiled) setWebGpuTiledMatMul(true);
console.log(
  `NAC --config ${cfg.name}, batch ${opts.batch}, eval forward after one to warm the caches${opts.forceTiled ? ', tiled program forced' : ''}`,
);
for (const fused of [false, true]) {
  setWebGpuFusedLinear(fused ? (opts.forceTiled ? true : 'auto') : false);
  model.clearEvalCaches();
  tf.tidy(() => model.forward(x)).dispose();
  keys = [];
  const y = tf.tidy(() => model.forward(x));
  await y.data();
  y.dispose();
  const by = {};
  for (const k of keys) by[k] = (by[k] ?? 0) + 1;
  const list = Object.entries(by)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(`${fused ? 'fused linear maps' : 'composed ops     '}: ${String(keys.length).padStart(4)} programs (${list})`);
}
backend.runWebGPUProgram = run;
