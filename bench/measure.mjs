/**
 * Measurement of one model on the running tfjs backend: the train step exactly as the trainer does it
 * (src/train/train-step.ts: forward + soft-target cross-entropy + backward + gradient clipping + AdamW,
 * src/train/adamw.ts) and the eval-mode forward. Warm-up runs first, then the median of `repeats`
 * timed runs; memory is read after each phase (RSS now, peak RSS of the process, tf.memory()).
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, modelNumClasses } from '../dist/model/factory.js';
import { AdamW } from '../dist/train/adamw.js';
import { trainableNamedParameters } from '../dist/train/param-filter.js';
import { trainStep } from '../dist/train/train-step.js';
import { defaultTrainConfig } from '../dist/train/train-config.js';
import { smoothedTargets, softCrossEntropy } from '../dist/train/loss.js';
import { Rng } from '../dist/util/rng.js';

/** Collects repeated `--tf-flag NAME=VALUE` options (commander's argument parser). */
export function collectFlag(value, previous = []) {
  const i = value.indexOf('=');
  if (i <= 0) throw new Error(`--tf-flag: expected NAME=VALUE, got '${value}'`);
  return [...previous, [value.slice(0, i), value.slice(i + 1)]];
}

/** Sets tfjs environment flags (after the backend is up: backends register their flags on import). */
export function applyTfFlags(flags) {
  for (const [name, raw] of flags) {
    const value = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
    tf.env().set(name, value);
    console.log(`tf flag ${name} = ${JSON.stringify(value)}`);
  }
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Memory now: RSS, the process' peak RSS, and tfjs' own counts. */
export function memorySnapshot() {
  const m = tf.memory();
  return {
    rssMB: process.memoryUsage().rss / 2 ** 20,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    tfNumTensors: m.numTensors,
    tfNumBytesMB: m.numBytes / 2 ** 20,
  };
}

/** A seeded synthetic batch: images uniform in [0, 1), labels 0…C−1. */
export function syntheticBatch(inputShape, batch, numClasses, seed) {
  const rng = new Rng(seed);
  const size = batch * inputShape.reduce((a, b) => a * b, 1);
  const x = rng.uniformArray(size, 0, 1);
  const y = Int32Array.from({ length: batch }, () => rng.int(numClasses));
  return { x, shape: [batch, ...inputShape], y };
}

/** The training recipe the benchmark uses: the trainer's defaults (label smoothing 0.1, clip 1, AdamW wd 0.05). */
export function benchTrainConfig(seed) {
  return { ...defaultTrainConfig('bench'), seed };
}

/** Builds a model and its optimizer as the trainer does. */
export function buildBenchModel(modelConfig, seed) {
  const model = buildModel(modelConfig, { seed });
  const params = trainableNamedParameters(model);
  const optimizer = new AdamW(params, { lr: 1e-3, weightDecay: 0.05 });
  return { model, optimizer, params };
}

/** Eval-mode logits and soft-target loss of a batch (for the PyTorch parity check). */
export async function evalOutputs(model, batch, numClasses, smoothing) {
  model.eval();
  const [logits, loss] = tf.tidy(() => {
    const x = tf.tensor(batch.x, batch.shape);
    const out = model.forward(x);
    const t = smoothedTargets(batch.y, numClasses, smoothing);
    return [out, softCrossEntropy(out, t)];
  });
  try {
    // Asynchronous reads: WebGPU in Node has no synchronous one.
    return { logits: (await logits.data()).slice(), loss: (await loss.data())[0] };
  } finally {
    logits.dispose();
    loss.dispose();
  }
}

/** Runs `fn` (which may return a promise) `warmup` times untimed, then `repeats` times timed (ms). */
async function timeRuns(fn, warmup, repeats) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn(warmup + i);
    times.push(performance.now() - t0);
  }
  return times;
}

/** One eval-mode forward, read back (the read waits for a GPU to finish). */
async function forwardAndRead(model, x) {
  const y = tf.tidy(() => model.forward(x));
  try {
    await y.data();
  } finally {
    y.dispose();
  }
}

/**
 * Times the eval forward ('infer') and/or the train step ('train') of a model on a batch.
 * Returns { infer?: {...}, train?: {...} } with ms (median), all times, samples/s and memory.
 */
export async function measureModel(built, modelConfig, batch, opts) {
  const { model, optimizer } = built;
  const numClasses = modelNumClasses(modelConfig);
  const B = batch.shape[0];
  const out = {};
  if (opts.what !== 'train') {
    model.eval();
    const x = tf.tensor(batch.x, batch.shape);
    const times = await timeRuns(() => forwardAndRead(model, x), opts.warmup, opts.repeats);
    x.dispose();
    out.infer = { ms: median(times), times, samplesPerSec: (B / median(times)) * 1000, memory: memorySnapshot() };
  }
  if (opts.what !== 'infer') {
    model.train();
    const cfg = benchTrainConfig(opts.seed);
    let loss = NaN;
    const times = await timeRuns(
      async (s) => (loss = (await trainStep(model, optimizer, batch, numClasses, cfg, s, 1e-3)).loss),
      opts.warmup,
      opts.repeats,
    );
    out.train = { ms: median(times), times, samplesPerSec: (B / median(times)) * 1000, lastLoss: loss, memory: memorySnapshot() };
    model.eval();
  }
  return out;
}
