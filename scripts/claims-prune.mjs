#!/usr/bin/env node
// Inference-pruning experiment (issue 5 §3). For each trained NAC (runs/claims/fashion-mnist-nac-s<seed>/model,
// or --models dir1,dir2) and each scoring rule, removes propagator modules down to 100, 75, 50, 25, 12.5 and
// ≤ 10 % of them, and measures test accuracy (a fixed seeded test subset), wall-clock inference time per
// example on the running backend (median of repeated runs after a warm-up, batch 1 and batch 64; time depends
// only on the module count, so it is measured once per count) and analytical forward FLOPs. Writes
// docs/results/pruning.md, pruning.svg and data/pruning.json. Needs `npm run build` (it uses dist/).
//   node scripts/claims-prune.mjs [--seeds 0,1,2] [--models a,b] [--name pruning] [--test-size 2000] [--calibration 256]
//     [--rules degree,…] [--repeats-1 60] [--repeats-64 12] [--backend wasm] [--out-dir docs/results] [--render-only]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/engine/backend.js';
import { loadNACModelDir, readModelMeta } from '../dist/io/model-dir.js';
import { loadTaskData } from '../dist/train/task-data.js';
import { defaultTrainConfig } from '../dist/train/train-config.js';
import { evaluate } from '../dist/train/evaluate.js';
import { nacForwardFlops } from '../dist/model/flops.js';
import { SCORE_RULES, scoreModules, topIndices } from '../dist/prune/scores.js';
import { pruneNACTo } from '../dist/prune/prune.js';
import { sampleBatch, taskTrainSplit } from '../dist/prune/calibration.js';
import { forwardStages, FORWARD_STAGES } from '../dist/prune/stages.js';
import { bestLine, pruningChartSVG, renderPruningPage, summarizePruning } from '../dist/prune/report.js';
import { writeFileAtomic } from '../dist/io/atomic.js';
import { machineLine } from '../dist/cli/common.js';
import { recordAttention } from '../dist/nn/attention-probe.js';

const t0 = performance.now();
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const intFlag = (name, fallback, min) => {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${flag(name)}'`);
  return v;
};
const seeds = flag('seeds', '0,1,2').split(',').map(Number);
const modelDirs = flag('models', null)?.split(',') ?? seeds.map((s) => `runs/claims/fashion-mnist-nac-s${s}/model`);
const rules = flag('rules', SCORE_RULES.join(',')).split(',');
for (const r of rules) if (!SCORE_RULES.includes(r)) throw new Error(`--rules: '${r}' is not one of ${SCORE_RULES.join(', ')}`);
const testSize = intFlag('test-size', 2000, 0); // 0 = the whole test set
const calibrationSize = intFlag('calibration', 256, 1);
const reps1 = intFlag('repeats-1', 60, 3);
const reps64 = intFlag('repeats-64', 12, 3);
const outDir = flag('out-dir', 'docs/results');
/** Base name of the outputs: <name>.md, <name>.svg, data/<name>.json, notes from <name>.notes.md. */
const name = flag('name', 'pruning');

/** Writes data/<name>.json, <name>.svg and <name>.md (the '## Reading' text from <name>.notes.md when present). */
function writeOutputs(record) {
  fs.mkdirSync(path.join(outDir, 'data'), { recursive: true });
  writeFileAtomic(path.join(outDir, 'data', `${name}.json`), `${JSON.stringify(record, null, 1)}\n`);
  writeFileAtomic(path.join(outDir, `${name}.svg`), pruningChartSVG(record));
  const notes = path.join(outDir, `${name}.notes.md`);
  writeFileAtomic(
    path.join(outDir, `${name}.md`),
    renderPruningPage(record, fs.existsSync(notes) ? fs.readFileSync(notes, 'utf8') : null, name),
  );
}
if (argv.includes('--render-only')) {
  // Re-renders the page and chart from the saved record (e.g. after editing the notes).
  writeOutputs(JSON.parse(fs.readFileSync(path.join(outDir, 'data', `${name}.json`), 'utf8')));
  console.log(`re-rendered ${outDir}/${name}.md and ${name}.svg from data/${name}.json`);
  process.exit(0);
}
for (const d of modelDirs)
  if (!fs.existsSync(path.join(d, 'config.json'))) throw new Error(`${d} is not a model folder (missing config.json; still training?)`);
// One core: the native matmul add-on's OpenBLAS reads this when it loads (inside initBackend).
process.env.OPENBLAS_NUM_THREADS ??= '1';
const backendReport = await initBackend({ backend: flag('backend', 'wasm'), quiet: true });
const machine = `${machineLine()}; matmul: ${backendReport.matMul?.detail ?? backendReport.matMul?.impl ?? 'tfjs'}`;
const loadStart = os.loadavg()[0];
console.log(machine);

/** Keep levels: fraction label → module count for U propagators. */
function keepLevels(U) {
  const levels = [1, 0.75, 0.5, 0.25, 0.125].map((f) => ({ label: `${100 * f} %`, count: Math.max(1, Math.round(f * U)) }));
  levels.push({ label: '≤ 10 %', count: Math.max(1, Math.floor(0.1 * U)) });
  return levels.filter((l, i) => levels.findIndex((m) => m.count === l.count) === i);
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

/** Warm-up forward calls of each model before a paired timing. */
const WARMUP = 5;

/** Wall-clock ms of one forward call. */
function timeOnce(model, x) {
  const start = performance.now();
  tf.tidy(() => model.forward(x).dataSync());
  return performance.now() - start;
}

/**
 * Paired timing of `base` and `model` on x: WARMUP warm-up runs each, then `reps` rounds that run both (alternating
 * which goes first). Per example: the median and the fastest time of each, the median of the per-round time
 * ratios, and the ratio of the fastest times (robust to other jobs on the machine, which only add time).
 */
function pairedTimes(base, model, x, reps) {
  for (let i = 0; i < WARMUP; i++) [base, model].forEach((m) => timeOnce(m, x));
  const rounds = [];
  for (let i = 0; i < reps; i++) {
    if (i % 2) {
      const b = timeOnce(model, x);
      rounds.push({ a: timeOnce(base, x), b });
    } else {
      const a = timeOnce(base, x);
      rounds.push({ a, b: timeOnce(model, x) });
    }
  }
  const B = x.shape[0];
  const [minA, minB] = [Math.min(...rounds.map((r) => r.a)), Math.min(...rounds.map((r) => r.b))];
  return {
    baseMs: median(rounds.map((r) => r.a)) / B,
    ms: median(rounds.map((r) => r.b)) / B,
    speedup: median(rounds.map((r) => r.a / r.b)),
    baseMinMs: minA / B,
    minMs: minB / B,
    minSpeedup: minA / minB,
  };
}

/** Fastest time (ms) of each stage of the staged forward at batch B over `reps` runs (after 2 warm-up runs). */
function stageTimes(model, x, reps) {
  const acc = Object.fromEntries(FORWARD_STAGES.map((s) => [s, []]));
  for (let i = 0; i < reps + 2; i++) {
    const { logits, ms } = forwardStages(model, x);
    logits.dispose();
    if (i >= 2) for (const s of FORWARD_STAGES) acc[s].push(ms[s]);
  }
  return Object.fromEntries(FORWARD_STAGES.map((s) => [s, Math.min(...acc[s])]));
}

/** Share of the read-out's attention (mean over the calibration batch) that goes to read-in modules rather than propagators. */
function readOutShareOnReadIn(model, x) {
  const { result, attention } = recordAttention(() => model.forwardDetailed(x));
  const ro = attention[attention.length - 1]; // [B, Uout, Uin + Up]
  const share = tf.tidy(() => ro.slice([0, 0, 0], [-1, -1, model.config.numReadIn]).sum().div(ro.sum()).dataSync()[0]);
  tf.dispose([...attention, ...Object.values(result)]);
  return share;
}

const results = [];
for (const [mi, dir] of modelDirs.entries()) {
  const meta = readModelMeta(dir);
  const model = loadNACModelDir(dir).eval();
  const U = model.config.numPropagators;
  const base = defaultTrainConfig(meta.task);
  const test = loadTaskData({ ...base, testLimit: testSize, seed: 0, data: { ...base.data, ...(meta.data ?? {}) } }).test;
  const calibration = sampleBatch(taskTrainSplit(meta.task, meta.data), calibrationSize, 0);
  const x1 = sampleBatch(test, 1, 1); // real inputs of any modality (images, points, token ids)
  const x64 = sampleBatch(test, 64, 2);
  const flops0 = nacForwardFlops(model.config, 1);
  // Warm the backend up (kernel compilation, memory growth) before any timing.
  for (let i = 0; i < 20; i++) timeOnce(model, i % 4 ? x1 : x64);
  const stages1 = stageTimes(model, x1, reps1);
  const stages64 = stageTimes(model, x64, reps64);
  const share = (st) => st.propagators / Object.values(st).reduce((a, b) => a + b, 0);
  const baseline = {
    acc: (await evaluate(model, test, { batchSize: 256 })).top1,
    flops: flops0.total,
    flopParts: flops0.parts,
    propagatorFlopShare: flops0.parts.propagators / flops0.total,
    stages1,
    stages64,
    propagatorTimeShare1: share(stages1),
    propagatorTimeShare64: share(stages64),
    readOutAttentionOnReadIn: readOutShareOnReadIn(model, calibration),
  };
  console.log(
    `${dir}: U ${U}, test ${test.size}, acc ${(100 * baseline.acc).toFixed(2)} %; propagators ${(100 * baseline.propagatorFlopShare).toFixed(1)} % of FLOPs, ${(100 * baseline.propagatorTimeShare1).toFixed(1)} % / ${(100 * baseline.propagatorTimeShare64).toFixed(1)} % of time (b1 / b64); read-out attention on read-in modules ${(100 * baseline.readOutAttentionOnReadIn).toFixed(1)} %`,
  );
  const levels = keepLevels(U);
  const cost = {}; // module count → timing and FLOPs
  const variants = [];
  for (const rule of rules) {
    const scores = scoreModules(model, rule, 'propagator', { seed: mi, calibration });
    for (const { label, count } of levels) {
      if (count === U) {
        variants.push({ rule, label, count, kept: [...Array(U).keys()], acc: baseline.acc });
        continue;
      }
      const kept = topIndices(scores, count);
      const pruned = pruneNACTo(model, { propagator: kept });
      if (!cost[count]) {
        const [t1, t64] = [pairedTimes(model, pruned.model, x1, reps1), pairedTimes(model, pruned.model, x64, reps64)];
        cost[count] = { flops: nacForwardFlops(pruned.config, 1).total, t1, t64 };
      }
      const acc = (await evaluate(pruned.model, test, { batchSize: 256 })).top1;
      pruned.model.dispose();
      variants.push({ rule, label, count, kept, acc });
      const c = cost[count];
      console.log(
        `  ${rule.padEnd(10)} keep ${String(count).padStart(3)}: acc ${(100 * acc).toFixed(2)} %  speed-up ${c.t1.speedup.toFixed(2)}× (b1), ${c.t64.speedup.toFixed(2)}× (b64); fastest-run ratio ${c.t1.minSpeedup.toFixed(2)}×, ${c.t64.minSpeedup.toFixed(2)}×`,
      );
    }
  }
  const pruned = Object.values(cost);
  // The unpruned model's times: median over all paired rounds' medians, and the fastest run seen.
  const timings = Object.values(cost);
  const same = (key) => {
    const baseMs = median(timings.map((c) => c[key].baseMs));
    const baseMinMs = Math.min(...timings.map((c) => c[key].baseMinMs));
    return { baseMs, ms: baseMs, speedup: 1, baseMinMs, minMs: baseMinMs, minSpeedup: 1 };
  };
  cost[U] = { flops: baseline.flops, t1: same('t1'), t64: same('t64') };
  Object.assign(baseline, {
    ms1: cost[U].t1.baseMs,
    ms64: cost[U].t64.baseMs,
    minMs1: cost[U].t1.baseMinMs,
    minMs64: cost[U].t64.baseMinMs,
  });
  results.push({ dir, task: meta.task, numPropagators: U, testSize: test.size, baseline, levels, cost, variants });
  tf.dispose([calibration, x1, x64]);
  model.dispose();
}
const wallSeconds = (performance.now() - t0) / 1000;
const record = {
  command: `OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS} node scripts/claims-prune.mjs ${argv.join(' ')}`.trim(),
  machine,
  cores: os.cpus().length,
  date: new Date().toISOString(),
  wallSeconds,
  load1min: [loadStart, os.loadavg()[0]].map((v) => v.toFixed(1)).join(' → '),
  settings: { testSize, calibrationSize, reps1, reps64, rules },
  results,
};
writeOutputs(record);
console.log(bestLine(summarizePruning(record).best).replace(/\*\*/g, ''));
console.log(`wrote ${outDir}/${name}.md, ${name}.svg, data/${name}.json; wall time ${(wallSeconds / 60).toFixed(1)} min`);
