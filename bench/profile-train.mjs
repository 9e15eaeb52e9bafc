#!/usr/bin/env node
/**
 * Per-kernel profile of one training step (forward + loss + backward + AdamW update, without the
 * step's read-back) and of one eval forward, for a benchmark configuration's NAC or Perceiver IO on
 * any backend. wasm/cpu: tf.profile's kernel list (name, count, time). webgpu: tf.time's GPU timestamp
 * queries per shader program (needs the adapter's 'timestamp-query' feature; without it times read 0),
 * plus wall time, GPU time and dispatch count, which tell GPU-bound from dispatch-bound. Both also list the
 * time by kernel and input/output shapes.
 *
 *   npm run build && node bench/profile-train.mjs [--config small|reference|paper-tiny] [--backend wasm|cpu|webgpu]
 *     [--model nac|pio] [--batch N] [--steps N] [--top N] [--tf-flag NAME=VALUE ...] [--json file]
 */
import * as fs from 'node:fs';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { trainStep } from '../dist/train/train-step.js';
import { median } from './measure.mjs';
import { addModelOptions, queuedStep, setupModelRun } from './profile-setup.mjs';
import { integer } from './options.mjs';

const program = addModelOptions(new Command('profile-train'))
  .option('--steps <n>', 'timed training steps (median) before profiling', integer(1), 5)
  .option('--top <n>', 'rows per table', integer(0), 25)
  .option('--json <file>', 'also write the profile as JSON')
  .parse(process.argv);
const opts = program.opts();

const run = await setupModelRun(opts);
const { backend, cfg, B, numClasses, model, optimizer, batch, trainCfg } = run;
console.log(`profile ${opts.model} --config ${cfg.name}, batch ${B}; ${backend}`);

// Wall time of whole steps (with their read-back), as bench/run.mjs measures them.
model.train();
for (let s = 0; s < 2; s++) await trainStep(model, optimizer, batch, numClasses, trainCfg, s, 1e-3);
const wall = [];
for (let s = 0; s < opts.steps; s++) {
  const t0 = performance.now();
  await trainStep(model, optimizer, batch, numClasses, trainCfg, 2 + s, 1e-3);
  wall.push(performance.now() - t0);
}
console.log(`train step: ${median(wall).toFixed(1)} ms (median of ${opts.steps})`);

const x = tf.tensor(batch.x, batch.shape);
const forward = () => tf.tidy(() => model.forward(x));

/** Sums rows {name, ms} by name: [name, count, ms] sorted by time. */
function byName(rows) {
  const acc = new Map();
  for (const r of rows) {
    const a = acc.get(r.name) ?? [r.name, 0, 0];
    a[1] += 1;
    a[2] += r.ms;
    acc.set(r.name, a);
  }
  return [...acc.values()].sort((a, b) => b[2] - a[2]);
}

/**
 * On webgpu: records each dispatched program's class and shapes, in dispatch order (the order of
 * tf.time's per-program times), by wrapping the backend's runWebGPUProgram while `fn` runs.
 */
function recordPrograms(fn) {
  const backend = tf.backend();
  const original = backend.runWebGPUProgram;
  const programs = [];
  backend.runWebGPUProgram = function (program, inputs, ...rest) {
    const shapes = inputs.map((t) => JSON.stringify(t.shape)).join(' ');
    const out = original.call(this, program, inputs, ...rest);
    if (program.outputShape.reduce((a, b) => a * b, 1) > 0)
      programs.push(`${program.constructor.name} ${shapes} → ${JSON.stringify(program.outputShape)}`);
    return out;
  };
  try {
    fn();
  } finally {
    backend.runWebGPUProgram = original;
  }
  return programs;
}

async function profilePhase(label, fn) {
  if (tf.getBackend() === 'webgpu') {
    let programs = [];
    const t0 = performance.now();
    const info = await tf.time(() => {
      programs = recordPrograms(() => {
        const out = fn();
        if (out instanceof tf.Tensor) out.dispose();
      });
    });
    const wallMs = performance.now() - t0;
    const rows = (info.getExtraProfileInfo?.() ?? '')
      .split(', ')
      .filter((p) => p !== '')
      .map((p) => {
        const i = p.lastIndexOf(': ');
        return { name: p.slice(0, i), ms: Number(p.slice(i + 2)) };
      });
    const aligned = rows.length === programs.length;
    const shaped = aligned ? rows.map((r, i) => ({ name: programs[i], ms: r.ms })) : [];
    return { label, wallMs, kernelMs: info.kernelMs, dispatches: rows.length, table: byName(rows), byShape: byName(shaped) };
  }
  const t0 = performance.now();
  const p = await tf.profile(() => {
    const out = fn();
    return out instanceof tf.Tensor ? out : undefined;
  });
  const wallMs = performance.now() - t0;
  const rows = [];
  const shaped = [];
  for (const k of p.kernels) {
    const ms = await k.kernelTimeMs;
    rows.push({ name: k.name, ms });
    const shapes = k.inputShapes.map((s) => JSON.stringify(s)).join(' ');
    shaped.push({ name: `${k.name} ${shapes} → ${k.outputShapes.map((s) => JSON.stringify(s)).join(' ')}`, ms });
  }
  if (p.result instanceof tf.Tensor) p.result.dispose();
  return {
    label,
    wallMs,
    kernelMs: rows.reduce((a, r) => a + r.ms, 0),
    dispatches: rows.length,
    table: byName(rows),
    byShape: byName(shaped),
  };
}

const phases = [await profilePhase('train step (queued, no read)', () => queuedStep(run, 100))];
model.eval();
phases.push(await profilePhase('eval forward', forward));
x.dispose();
for (const ph of phases) {
  console.log(
    `\n${ph.label}: wall ${ph.wallMs.toFixed(1)} ms (profiled), kernel time ${ph.kernelMs.toFixed(1)} ms, ${ph.dispatches} kernels`,
  );
  console.log('kernel/program                      count      ms     %');
  for (const [name, n, ms] of ph.table.slice(0, opts.top)) {
    console.log(
      `${name.padEnd(34)} ${String(n).padStart(6)} ${ms.toFixed(2).padStart(8)} ${((100 * ms) / (ph.kernelMs || 1)).toFixed(1).padStart(5)}`,
    );
  }
  if (ph.byShape?.length) {
    console.log('by program and shapes:');
    for (const [name, n, ms] of ph.byShape.slice(0, opts.top)) console.log(`${ms.toFixed(2).padStart(8)} ms  x${n}  ${name}`);
  }
}
if (opts.json)
  fs.writeFileSync(
    opts.json,
    JSON.stringify({ config: cfg.name, model: opts.model, batch: B, backend: backend, trainStepMs: median(wall), phases }, null, 1),
  );
model.dispose();
