#!/usr/bin/env node
/**
 * Where a NAC's eval forward spends its time, by stage (tokenizer, read-in, propagators, read-out,
 * pooling; src/prune/stages.ts, which runs Circuit.forward's own stages and waits for each): the median
 * ms per stage over repeated forwards of a benchmark configuration's batch. For A/B runs across
 * checkouts, alternate them (the VM's speed drifts).
 *
 *   npm run build && node bench/forward-stages.mjs [--config reference|small] [--backend wasm|cpu] [--repeats 11]
 */
import './errors.mjs';
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/index.js';
import { modelNumClasses } from '../dist/model/factory.js';
import { forwardStages, FORWARD_STAGES } from '../dist/prune/stages.js';
import { benchConfig } from './configs.mjs';
import { buildBenchModel, median, syntheticBatch } from './measure.mjs';
import { integer } from './options.mjs';

const opts = new Command('forward-stages')
  .addOption(new Option('--config <name>', 'benchmark configuration').choices(['reference', 'small']).default('reference'))
  .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu']).default('wasm'))
  .option('--repeats <n>', 'timed forwards (after 2 untimed)', integer(1), 11)
  .parse(process.argv)
  .opts();

await initBackend({ backend: opts.backend, quiet: true });
const cfg = benchConfig(opts.config);
const batch = syntheticBatch(cfg.inputShape, cfg.batch, modelNumClasses(cfg.nac), 1);
const { model } = buildBenchModel(cfg.nac, 0);
model.eval();
const x = tf.tensor(batch.x, batch.shape);
const times = Object.fromEntries(FORWARD_STAGES.map((s) => [s, []]));
for (let i = 0; i < opts.repeats + 2; i++) {
  const { logits, ms } = forwardStages(model, x);
  logits.dispose();
  if (i >= 2) for (const s of FORWARD_STAGES) times[s].push(ms[s]);
}
const total = FORWARD_STAGES.reduce((sum, s) => sum + median(times[s]), 0);
console.log(
  `NAC --config ${opts.config}, batch ${cfg.batch}, ${opts.backend}: median ms by stage of ${opts.repeats} eval forwards: ` +
    FORWARD_STAGES.map((s) => `${s} ${median(times[s]).toFixed(1)}`).join(', ') +
    ` (sum ${total.toFixed(1)})`,
);
