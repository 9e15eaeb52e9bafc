#!/usr/bin/env node
/**
 * Where the JavaScript thread spends a training step. For each timed step it splits the wall time into
 * "queue" (forward, backward and AdamW issued without reading anything back: on a GPU backend this is
 * pure host work, encoding and submitting programs) and "wait" (the read of the loss, i.e. the device
 * finishing), and with --cpu-profile it records the V8 CPU profile of those steps and prints the
 * functions with the most self and inclusive time. A GPU train step whose queue time dominates is
 * host-bound: fewer, larger kernels or cheaper dispatches help, not faster shaders.
 *
 *   npm run build && node bench/profile-cpu.mjs [--config small|reference|paper-tiny] [--backend wasm|cpu|webgpu]
 *     [--model nac|pio] [--batch N] [--steps N] [--cpu-profile] [--top N] [--tf-flag NAME=VALUE ...] [--json file]
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Command } from 'commander';
import { trainStep } from '../dist/train/train-step.js';
import { median } from './measure.mjs';
import { addModelOptions, queuedStep, setupModelRun } from './profile-setup.mjs';
import { integer } from './options.mjs';

const program = addModelOptions(new Command('profile-cpu'))
  .option('--steps <n>', 'timed steps', integer(1), 4)
  .option('--cpu-profile', 'record and summarise the V8 CPU profile of the timed steps', false)
  .option('--top <n>', 'functions listed', integer(0), 25)
  .option('--json <file>', 'also write the timings (and summary) as JSON')
  .parse(process.argv);
const opts = program.opts();

const run = await setupModelRun(opts);
const { backend, cfg, B, numClasses, model, optimizer, batch, trainCfg } = run;
model.train();
for (let s = 0; s < 2; s++) await trainStep(model, optimizer, batch, numClasses, trainCfg, s, 1e-3);

const session = opts.cpuProfile ? new Session() : null;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const queue = [];
const wait = [];
for (let s = 0; s < opts.steps; s++) {
  const t0 = performance.now();
  const value = queuedStep(run, 2 + s);
  const t1 = performance.now();
  await value.data();
  queue.push(t1 - t0);
  wait.push(performance.now() - t1);
  value.dispose();
}
const result = {
  config: cfg.name,
  model: opts.model,
  batch: B,
  backend,
  flags: Object.fromEntries(opts.tfFlag),
  queueMs: median(queue),
  waitMs: median(wait),
};
console.log(`${opts.model} --config ${cfg.name} batch ${B}; ${result.backend}`);
console.log(
  `per step (median of ${opts.steps}): queue ${result.queueMs.toFixed(1)} ms, wait ${result.waitMs.toFixed(1)} ms, total ${(result.queueMs + result.waitMs).toFixed(1)} ms`,
);

if (session) {
  const { profile } = await session.post('Profiler.stop');
  result.self = [];
  result.inclusive = [];
  summarise(profile, result);
  const fmt = ([k, us, pct]) => `${(us / 1000).toFixed(1).padStart(9)} ms ${pct.toFixed(1).padStart(5)} %  ${k}`;
  console.log('self time:');
  result.self.slice(0, opts.top).forEach((r) => console.log(fmt(r)));
  console.log('inclusive time:');
  result.inclusive.slice(0, opts.top).forEach((r) => console.log(fmt(r)));
}
if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(result, null, 1));
model.dispose();

/** Self and inclusive time per function (name file:line) of a V8 CPU profile, largest first. */
function summarise(profile, out) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').at(-1)}:${n.callFrame.lineNumber + 1}`;
  const self = new Map();
  const incl = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const n = nodes.get(id);
    self.set(key(n), (self.get(key(n)) ?? 0) + dt);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const k = key(nodes.get(x));
      if (!seen.has(k)) incl.set(k, (incl.get(k) ?? 0) + dt);
      seen.add(k);
    }
  });
  const rows = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, us, (100 * us) / total]);
  out.self = rows(self).slice(0, 60);
  out.inclusive = rows(incl).slice(0, 60);
}
