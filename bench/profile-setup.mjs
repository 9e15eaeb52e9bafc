/**
 * What the profiling scripts (profile-train.mjs, profile-cpu.mjs) share: their model options and the
 * setup they imply (backend, tfjs flags, benchmark configuration, model, optimizer, synthetic batch).
 */
import './errors.mjs';
import { Option } from 'commander';
import { forwardBackward } from '../dist/train/train-step.js';
import { initBackend, describeBackend } from '../dist/engine/index.js';
import { modelNumClasses } from '../dist/model/factory.js';
import { benchConfig, BENCH_CONFIG_NAMES } from './configs.mjs';
import { applyTfFlags, benchTrainConfig, buildBenchModel, collectFlag, syntheticBatch } from './measure.mjs';
import { integer } from './options.mjs';

/** Adds --config, --backend, --model, --batch and --tf-flag to a commander program. */
export function addModelOptions(program) {
  return program
    .addOption(new Option('--config <name>', 'benchmark configuration').choices(BENCH_CONFIG_NAMES).default('small'))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(['wasm', 'cpu', 'webgpu']).default('wasm'))
    .addOption(new Option('--model <m>', 'model').choices(['nac', 'pio']).default('nac'))
    .option('--batch <n>', "batch size (default: the configuration's)", integer(1))
    .option(
      '--tf-flag <name=value>',
      'set a tfjs environment flag (repeatable), e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64',
      collectFlag,
      [],
    );
}

/** Initialises the backend and builds the model, optimizer, batch and train config the options name. */
export async function setupModelRun(opts) {
  const report = await initBackend({ backend: opts.backend, quiet: true });
  applyTfFlags(opts.tfFlag);
  const cfg = benchConfig(opts.config);
  const B = opts.batch ?? cfg.batch;
  const modelConfig = opts.model === 'nac' ? cfg.nac : cfg.pio;
  const numClasses = modelNumClasses(modelConfig);
  const { model, optimizer } = buildBenchModel(modelConfig, 0);
  const batch = syntheticBatch(cfg.inputShape, B, numClasses, 1);
  return { backend: describeBackend(report), cfg, B, numClasses, model, optimizer, batch, trainCfg: benchTrainConfig(0) };
}

/**
 * A training step without its read-back (forward, backward, AdamW at lr 1e-3, no clipping): on a GPU it
 * only queues work. `run` is what setupModelRun returned; `step` seeds the step's noise. Returns the
 * loss tensor, unread (the caller disposes it).
 */
export function queuedStep(run, step) {
  const { value, regularizer, grads } = forwardBackward(run.model, run.batch, run.numClasses, run.trainCfg, step);
  run.optimizer.step(grads, 1e-3, 1);
  regularizer?.dispose();
  for (const g of grads.values()) g.dispose();
  return value;
}
