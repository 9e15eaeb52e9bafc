#!/usr/bin/env node
// Issue 5 §2, OOD robustness: NAC vs Perceiver IO over seeds on (a) the corruption suite (19 corruptions ×
// 5 severities, src/ood/) on a fixed seeded subset of the Fashion-MNIST test set, for
// runs/claims/fashion-mnist-<model>-s<seed>/model, and (b) MNIST → UCI optdigits for
// runs/claims/mnist-<model>-s<seed>/model. Writes docs/results/ood.md (mean ± 95 % CI over seeds),
// docs/results/ood-severity.svg, docs/results/ood-corruptions.png and docs/results/data/ood.json.
// A run that is missing (no metrics.json or model/) is an error, or with --allow-missing a warning.
// Needs `npm run build`. Usage:
//   OPENBLAS_NUM_THREADS=1 node scripts/claims-ood.mjs [--seeds 0,1,2] [--limit 1000] [--shift-limit 2000]
//     [--corruptions a,b] [--severities 1,2,3,4,5] [--seed 0] [--batch-size 256] [--allow-missing] [--out docs/results]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../dist/engine/index.js';
import { machineLine } from '../dist/cli/common.js';
import { writeFileAtomic } from '../dist/io/atomic.js';
import { loadModelDir } from '../dist/io/model-dir.js';
import { lineChartSVG } from '../dist/train/plot.js';
import { evaluate } from '../dist/train/evaluate.js';
import { meanCI, formatMeanCI } from '../dist/util/stats.js';
import { parseCorruptionList, parseSeverityList, CORRUPTIONS } from '../dist/ood/corruptions.js';
import { evaluateCorruptionSuite, evaluateShift } from '../dist/ood/evaluate.js';
import { loadSuiteData } from '../dist/ood/suite-data.js';
import { corruptionGridPNG } from '../dist/ood/grid-png.js';

process.on('uncaughtException', (e) => {
  process.stderr.write(`error: ${e.message}\n${process.env.NAC_DEBUG ? `${e.stack}\n` : ''}`);
  process.exit(2);
});
const t0 = performance.now();
const argv = process.argv.slice(2);
const { values: a } = parseArgs({
  args: argv,
  strict: true,
  options: {
    seeds: { type: 'string', default: '0,1,2' },
    limit: { type: 'string', default: '1000' },
    'shift-limit': { type: 'string', default: '2000' },
    corruptions: { type: 'string' },
    severities: { type: 'string' },
    seed: { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '256' },
    'allow-missing': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/results' },
    runs: { type: 'string', default: 'runs/claims' },
  },
});
const int = (v, name, min = 0) => {
  const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
};
const seeds = a.seeds.split(',').map((s) => int(s, 'seeds'));
const limit = int(a.limit, 'limit');
const shiftLimit = int(a['shift-limit'], 'shift-limit');
const evalSeed = int(a.seed, 'seed');
const batchSize = int(a['batch-size'], 'batch-size', 1);
const corruptions = parseCorruptionList(a.corruptions);
const severities = parseSeverityList(a.severities).sort((x, y) => x - y);
const command = `OPENBLAS_NUM_THREADS=1 node scripts/claims-ood.mjs ${argv.join(' ')}`.trim();
const MODELS = [
  ['nac', 'NAC'],
  ['perceiver-io', 'Perceiver IO'],
];

// ---- Which runs exist: all of them, or (with --allow-missing) a warning for each missing one.
const runDir = (task, model, seed) => path.join(a.runs, `${task}-${model}-s${seed}`);
const finished = (dir) => fs.existsSync(path.join(dir, 'metrics.json')) && fs.existsSync(path.join(dir, 'model', 'config.json'));
const jobs = [];
const missing = [];
for (const task of ['fashion-mnist', 'mnist'])
  for (const seed of seeds)
    for (const [model] of MODELS)
      (finished(runDir(task, model, seed)) ? jobs : missing).push({ task, model, seed, dir: runDir(task, model, seed) });
if (missing.length > 0) {
  const list = missing.map((m) => m.dir).join(', ');
  if (!a['allow-missing'])
    throw new Error(
      `missing finished runs (no metrics.json or model/): ${list}; train them with scripts/claims-train.sh, or pass --allow-missing`,
    );
  for (const m of missing) process.stderr.write(`warning: ${m.dir} is missing (no metrics.json or model/): skipped\n`);
}
if (jobs.length === 0) throw new Error('no finished runs to evaluate');

await initBackend({ backend: 'auto', quiet: true });
const machine = machineLine();
console.log(machine);

// ---- Forward throughput first (one model of each kind, after a warm-up batch), and the projected time.
const cellsPerRun = corruptions.length * severities.length + 1;
const fashion = loadSuiteData('corruptions', { task: 'fashion-mnist', limit, seed: evalSeed }).clean;
const probe = loadSuiteData('corruptions', { task: 'fashion-mnist', limit: 512, seed: evalSeed + 1 }).clean;
const throughput = {};
for (const [kind, name] of MODELS) {
  const job = jobs.find((j) => j.model === kind);
  if (!job) continue;
  const model = loadModelDir(path.join(job.dir, 'model'));
  await evaluate(model, probe.subset(Int32Array.from({ length: 64 }, (_, i) => i)), { batchSize });
  // Images per CPU-second (user + system): the rate of one dedicated core, whatever else the machine runs.
  const c0 = process.cpuUsage();
  await evaluate(model, probe, { batchSize });
  const c = process.cpuUsage(c0);
  throughput[kind] = probe.size / ((c.user + c.system) / 1e6);
  model.dispose();
  console.log(`${name}: ${throughput[kind].toFixed(0)} images per CPU-second (forward, batch ${batchSize}, ${probe.size} clean images)`);
}
const projected = jobs.reduce((t, j) => {
  const images = j.task === 'fashion-mnist' ? cellsPerRun * fashion.size : shiftLimit + 1797;
  return t + images / throughput[j.model];
}, 0);
console.log(
  `projected: ${(projected / 60).toFixed(1)} CPU-min of forward passes for ${jobs.length} runs (${fashion.size} images × ${cellsPerRun} passes per corruption run)`,
);
let mnistSets = null;
const results = [];
for (const job of jobs) {
  const model = loadModelDir(path.join(job.dir, 'model'));
  const ts = performance.now();
  const c0 = process.cpuUsage();
  const cpuSince = () => ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(c0));
  try {
    if (job.task === 'fashion-mnist') {
      const result = await evaluateCorruptionSuite(model, fashion, {
        corruptions,
        severities,
        seed: evalSeed,
        batchSize,
        onCell: (cell, done, total) => {
          if (cell && done % severities.length === 0) {
            const s = (performance.now() - ts) / 1000;
            process.stderr.write(
              `  [${done}/${total}, ${s.toFixed(0)} s] ${cell.corruption}: ${(100 * cell.top1).toFixed(1)} % at s${cell.severity}\n`,
            );
          }
        },
      });
      results.push({ ...job, seconds: (performance.now() - ts) / 1000, cpuSeconds: cpuSince(), result });
      console.log(
        `${job.dir}: clean ${(100 * result.clean.top1).toFixed(2)} %, mean corrupted ${(100 * result.mean.top1).toFixed(2)} % (${((performance.now() - ts) / 1000).toFixed(0)} s)`,
      );
    } else {
      mnistSets ??= loadSuiteData('optdigits', { task: 'mnist', limit: shiftLimit, seed: evalSeed });
      const result = await evaluateShift(model, mnistSets.clean, mnistSets.shifted, { suite: 'optdigits', batchSize });
      results.push({ ...job, seconds: (performance.now() - ts) / 1000, cpuSeconds: cpuSince(), result });
      console.log(`${job.dir}: MNIST ${(100 * result.clean.top1).toFixed(2)} %, optdigits ${(100 * result.shifted.top1).toFixed(2)} %`);
    }
  } finally {
    model.dispose();
  }
}
const wallSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

// ---- Aggregate over seeds (mean ± 95 % CI) and write the page, the figures and the raw numbers.
const pct = (values) => (values.length === 0 ? '—' : formatMeanCI(meanCI(values), 1, 100));
const runsOf = (task, model) => results.filter((r) => r.task === task && r.model === model);
const seedsOf = (task, model) => runsOf(task, model).map((r) => r.seed);
const cellTop1 = (r, c, s) => r.result.cells.find((x) => x.corruption === c && x.severity === s).top1;
const lines = [
  '# Out-of-distribution robustness: NAC vs Perceiver IO',
  '',
  'Issue 5 §2. Models: the claims runs (`scripts/claims-train.sh`), NAC and Perceiver IO trained with the same',
  'tokenizer, recipe and budget; each seed is one trained model. Numbers are top-1 accuracy in %, mean ± 95 % CI',
  'over seeds (Student t; a bare mean where only one seed ran). Relative drop = (clean − corrupted)/clean.',
  '',
  '```sh',
  'npm run build',
  command,
  '```',
  '',
  `Machine: ${machine}. Whole command: **${(cpuSeconds / 60).toFixed(1)} min of CPU time** (user + system of the process, i.e. about the` +
    ` time on one dedicated core), ${(wallSeconds / 60).toFixed(1)} min wall on this machine as it was shared then.` +
    ` Forward throughput, measured first on 512 clean images: ${
      MODELS.filter(([k]) => throughput[k])
        .map(([k, n]) => `${n} ${throughput[k].toFixed(0)} images per CPU-second`)
        .join(', ') || 'n/a'
    }.`,
  '',
];
if (missing.length > 0) lines.push(`Missing runs, skipped (\`--allow-missing\`): ${missing.map((m) => `\`${m.dir}\``).join(', ')}.`, '');

const fm = MODELS.map(([k, n]) => [k, n, runsOf('fashion-mnist', k)]).filter(([, , r]) => r.length > 0);
if (fm.length > 0) {
  lines.push(
    '## Fashion-MNIST corruption suite',
    '',
    `${fashion.size} test images (a subset fixed by seed ${evalSeed}, the same for every model), each corruption seeded per image`,
    `by seed ${evalSeed}, so every model sees the very same corrupted images. ${corruptions.length} corruptions × severities ${severities.join(', ')}`,
    '(src/ood/; the parameter of each level is in the table at the end). Seeds: ' +
      fm.map(([, n]) => `${n} ${seedsOf('fashion-mnist', fm.find((x) => x[1] === n)[0]).join(', ')}`).join('; ') +
      '.',
    '',
    '| model | clean | mean corrupted | mean relative drop | worst corruption (mean over severities) |',
    '|---|---|---|---|---|',
  );
  for (const [, name, runs] of fm) {
    const worst = corruptions
      .map((c) => [c, meanCI(runs.map((r) => r.result.perCorruption.find((p) => p.corruption === c).top1)).mean])
      .sort((x, y) => x[1] - y[1])[0];
    lines.push(
      `| ${name} | ${pct(runs.map((r) => r.result.clean.top1))} | ${pct(runs.map((r) => r.result.mean.top1))} | ${pct(runs.map((r) => r.result.mean.relativeDrop))} | ${worst[0]} (${(100 * worst[1]).toFixed(1)}) |`,
    );
  }
  const nacRuns = runsOf('fashion-mnist', 'nac');
  const pioRuns = runsOf('fashion-mnist', 'perceiver-io');
  const paired = nacRuns.map((r) => [r, pioRuns.find((p) => p.seed === r.seed)]).filter(([, p]) => p);
  if (paired.length > 0) {
    const diff = (f) => pct(paired.map(([n, p]) => f(n) - f(p)));
    lines.push(
      `| NAC − Perceiver IO, paired by seed (${paired.length}) | ${diff((r) => r.result.clean.top1)} | ${diff((r) => r.result.mean.top1)} | ${diff((r) => r.result.mean.relativeDrop)} | |`,
    );
  }
  lines.push(
    '',
    `Time per run: ${fm.flatMap(([, name, runs]) => runs.map((r) => `${name} s${r.seed} ${r.cpuSeconds.toFixed(0)} s CPU (${r.seconds.toFixed(0)} s wall)`)).join(', ')}.`,
  );
  lines.push('', '![top-1 vs severity](ood-severity.svg)', '', '### By severity (mean over corruptions)', '');
  lines.push(
    `| severity | ${fm.map(([, n]) => `${n} top-1`).join(' | ')} | ${fm.map(([, n]) => `${n} drop`).join(' | ')} |`,
    `|---|${fm.map(() => '---|---|').join('')}`,
  );
  lines.push(`| clean | ${fm.map(([, , r]) => pct(r.map((x) => x.result.clean.top1))).join(' | ')} | ${fm.map(() => '0').join(' | ')} |`);
  for (const s of severities) {
    const ps = (r) => r.result.perSeverity.find((p) => p.severity === s);
    lines.push(
      `| ${s} | ${fm.map(([, , r]) => pct(r.map((x) => ps(x).top1))).join(' | ')} | ${fm.map(([, , r]) => pct(r.map((x) => ps(x).relativeDrop))).join(' | ')} |`,
    );
  }
  lines.push('', '### By corruption (mean over severities)', '');
  lines.push(
    `| corruption | family | ${fm.map(([, n]) => `${n} top-1`).join(' | ')} | ${fm.map(([, n]) => `${n} drop`).join(' | ')} |`,
    `|---|---|${fm.map(() => '---|---|').join('')}`,
  );
  for (const c of corruptions) {
    const pc = (r) => r.result.perCorruption.find((p) => p.corruption === c);
    const fam = CORRUPTIONS.find((x) => x.name === c).family;
    lines.push(
      `| ${c} | ${fam} | ${fm.map(([, , r]) => pct(r.map((x) => pc(x).top1))).join(' | ')} | ${fm.map(([, , r]) => pct(r.map((x) => pc(x).relativeDrop))).join(' | ')} |`,
    );
  }
  for (const [, name, runs] of fm) {
    lines.push(
      '',
      `### ${name}: top-1 per corruption × severity`,
      '',
      `| corruption | ${severities.map((s) => `s${s}`).join(' | ')} |`,
      `|---|${severities.map(() => '---|').join('')}`,
    );
    for (const c of corruptions) lines.push(`| ${c} | ${severities.map((s) => pct(runs.map((r) => cellTop1(r, c, s)))).join(' | ')} |`);
  }
  lines.push(
    '',
    '### The corruptions',
    '',
    `Seed ${evalSeed}, the first image of the subset; columns: clean, then severities ${severities.join(', ')}; rows in the order of the table below.`,
    '',
    '![examples of every corruption at every severity](ood-corruptions.png)',
    '',
  );
  lines.push('| corruption | family | parameter | levels (severity 1 → 5) |', '|---|---|---|---|');
  for (const c of corruptions) {
    const spec = CORRUPTIONS.find((x) => x.name === c);
    lines.push(`| ${c} | ${spec.family} | ${spec.parameter} | ${spec.levels.join(', ')} |`);
  }
  const series = fm.map(([, name, runs]) => ({
    name,
    points: [
      [0, meanCI(runs.map((r) => r.result.clean.top1)).mean],
      ...severities.map((s) => [s, meanCI(runs.map((r) => r.result.perSeverity.find((p) => p.severity === s).top1)).mean]),
    ],
  }));
  writeFileAtomic(
    path.join(a.out, 'ood-severity.svg'),
    lineChartSVG({
      title: `Corrupted Fashion-MNIST: top-1 vs severity (mean of ${corruptions.length} corruptions)`,
      xLabel: 'severity (0 = clean)',
      yLabel: 'top-1 accuracy',
      yRange: [0, 1],
      series,
    }),
  );
  const first = fashion.getBatch([0]).x;
  writeFileAtomic(
    path.join(a.out, 'ood-corruptions.png'),
    corruptionGridPNG(first, { height: 28, width: 28 }, { corruptions, severities, seed: evalSeed, id: 0 }),
  );
}

lines.push('', '## MNIST → UCI optdigits', '');
const sh = MODELS.map(([k, n]) => [k, n, runsOf('mnist', k)]).filter(([, , r]) => r.length > 0);
if (sh.length === 0) {
  lines.push('Not run yet: no finished `runs/claims/mnist-<model>-s<seed>` model.');
} else {
  lines.push(
    `MNIST-trained models on a seeded subset of ${sh[0][2][0].result.clean.count} MNIST test images and on ${sh[0][2][0].result.shifted.count} of the 1,797 optdigits digits (8×8`,
    'counts by other writers, upsampled to a 20×20 box in a 28×28 frame like MNIST; src/data/optdigits.ts).',
    '',
    '| model | seeds | MNIST test | optdigits | relative drop |',
    '|---|---|---|---|---|',
  );
  for (const [k, name, runs] of sh)
    lines.push(
      `| ${name} | ${seedsOf('mnist', k).join(', ')} | ${pct(runs.map((r) => r.result.clean.top1))} | ${pct(runs.map((r) => r.result.shifted.top1))} | ${pct(runs.map((r) => r.result.relativeDrop))} |`,
    );
}
const notes = path.join(a.out, 'ood.notes.md');
lines.push('', '## Reading', '', fs.existsSync(notes) ? fs.readFileSync(notes, 'utf8').trim() : '(analysis to come)', '');
writeFileAtomic(path.join(a.out, 'ood.md'), lines.join('\n'));

const raw = {
  command,
  machine,
  date: new Date().toISOString(),
  wallSeconds,
  cpuSeconds,
  projectedCpuSeconds: projected,
  limit,
  shiftLimit,
  seed: evalSeed,
  seeds,
  corruptions,
  severities,
  throughput,
  missing: missing.map((m) => m.dir),
  runs: results,
};
writeFileAtomic(path.join(a.out, 'data', 'ood.json'), `${JSON.stringify(raw, null, 1)}\n`);
console.log(`wrote ${path.join(a.out, 'ood.md')} (${(wallSeconds / 60).toFixed(1)} min wall, ${(cpuSeconds / 60).toFixed(1)} min CPU)`);
