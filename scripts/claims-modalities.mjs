#!/usr/bin/env node
// Issue 5 §5: NAC vs Perceiver IO on every modality, same tokenizer, recipe and budget, over seeds.
// Reads runs/claims/<task>-<model>-s<seed>/metrics.json (made by scripts/claims-train.sh) and writes
// docs/results/modalities-vs-pio.md, its bar chart (SVG) and docs/results/data/modalities-vs-pio.json.
// Usage: npm run build && node scripts/claims-modalities.mjs [--runs runs/claims] [--seeds 0,1,2]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { meanCI, formatMeanCI } from '../dist/util/stats.js';
import { barChartSVG } from '../dist/train/bar-chart.js';
import { writeFileAtomic } from '../dist/io/atomic.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: 'runs/claims' },
    seeds: { type: 'string', default: '0,1,2' },
    out: { type: 'string', default: 'docs/results' },
  },
});
const seeds = args.seeds.split(',').map(Number);
const TASKS = [
  ['mnist-points', 'MNIST point sets (2-D, 256 points)'],
  ['kicad-points', 'KiCad 3-D point clouds (41 families)'],
  ['listops-short', 'ListOps, short (symbols)'],
  ['spam-assassin', 'SpamAssassin (raw bytes, headers stripped)'],
  ['fashion-mnist', 'Fashion-MNIST (images, demo recipe)'],
  ['mnist', 'MNIST (images, 1 epoch: the models of MNIST → optdigits)'],
];
const MODELS = [
  ['nac', 'NAC'],
  ['perceiver-io', 'Perceiver IO'],
];

function readRun(task, model, seed) {
  const dir = path.join(args.runs, `${task}-${model}-s${seed}`);
  const file = path.join(dir, 'metrics.json');
  if (!fs.existsSync(file)) return null;
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  const run = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
  return {
    seed,
    top1: m.test.top1,
    params: m.parameters,
    minutes: m.trainSeconds / 60,
    steps: m.steps,
    batch: run.train.batchSize,
    epochs: run.train.epochs,
  };
}

const pct = (m) => formatMeanCI(m, 1, 100);
const rows = [];
const data = { seeds, tasks: {} };
for (const [task, label] of TASKS) {
  const byModel = Object.fromEntries(MODELS.map(([k]) => [k, seeds.map((s) => readRun(task, k, s)).filter(Boolean)]));
  if (MODELS.every(([k]) => byModel[k].length === 0)) continue;
  data.tasks[task] = byModel;
  const cells = MODELS.map(([k]) => {
    const runs = byModel[k];
    if (runs.length === 0) return { acc: 'not run', n: 0 };
    const m = meanCI(runs.map((r) => r.top1));
    return {
      acc: `${pct(m)} (n=${runs.length})`,
      m,
      params: runs[0].params,
      minutes: meanCI(runs.map((r) => r.minutes)).mean,
      recipe: `${runs[0].steps} × ${runs[0].batch}`,
    };
  });
  // Paired difference over the seeds both models finished.
  const paired = seeds
    .map((s) => [byModel.nac.find((r) => r.seed === s), byModel['perceiver-io'].find((r) => r.seed === s)])
    .filter(([a, b]) => a && b)
    .map(([a, b]) => a.top1 - b.top1);
  const diff = paired.length ? meanCI(paired) : null;
  const verdict =
    !diff || paired.length < 2
      ? 'too few seeds'
      : diff.mean - diff.ci95 > 0
        ? 'NAC better'
        : diff.mean + diff.ci95 < 0
          ? 'PIO better'
          : 'no significant difference';
  rows.push({ task, label, cells, diff, paired: paired.length, verdict });
}

const fmtParams = (n) => (n === undefined ? '' : `${(n / 1e3).toFixed(0)} k`);
const lines = [
  '# One architecture, every modality: NAC vs Perceiver IO',
  '',
  'Issue 5 §5. For each task, the NAC and the Perceiver IO baseline use the same tokenizer, training recipe and',
  'budget (the task defaults of `src/train/tasks.ts`: a small NAC with d = 64, 8 read-in / 16 propagator / 4',
  'read-out modules, 2 layers; a Perceiver IO with 16 latents × 64, depth 2). Test top-1 accuracy, mean ± 95 %',
  "confidence interval over seeds (Student's t); the difference is paired by seed.",
  '',
  `Runs trained on this project's 2-core ${os.cpus()[0]?.model ?? 'CPU'} machine, Node ${process.version}, wasm backend with the native`,
  'OpenBLAS add-on, one BLAS thread per run, two runs at a time.',
  '',
  '```sh',
  'npm run build && npm run fetch-data && npm run fetch-data -- kicad-points',
  'scripts/claims-train.sh            # trains every run below into runs/claims/ (resumable)',
  `node scripts/claims-modalities.mjs --seeds ${args.seeds}`,
  '```',
  '',
  '| task | NAC top-1 (%) | Perceiver IO top-1 (%) | NAC − PIO (points) | verdict | params NAC / PIO | steps × batch | train wall min NAC / PIO (shared cores) |',
  '|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const [a, b] = r.cells;
  const d = r.diff ? `${formatMeanCI(r.diff, 1, 100)} (n=${r.paired})` : 'n/a';
  lines.push(
    `| ${r.label} | ${a.acc} | ${b.acc} | ${d} | ${r.verdict} | ${fmtParams(a.params)} / ${fmtParams(b.params)} | ${a.recipe ?? b.recipe ?? ''} | ${a.minutes?.toFixed(1) ?? ''} / ${b.minutes?.toFixed(1) ?? ''} |`,
  );
}
const svgName = 'modalities-vs-pio.svg';
lines.push('', `![NAC vs Perceiver IO per task](${svgName})`, '', '## Reading', '');
const notes = path.join(args.out, 'modalities-vs-pio.notes.md');
lines.push(fs.existsSync(notes) ? fs.readFileSync(notes, 'utf8').trim() : '(analysis to come)', '');

const svg = barChartSVG({
  title: 'Test top-1 accuracy, mean ± 95 % CI over seeds',
  yLabel: 'accuracy (%)',
  groups: rows.map((r) => r.task),
  series: MODELS.map(([, name], i) => ({
    name,
    values: rows.map((r) => (r.cells[i].m ? 100 * r.cells[i].m.mean : Number.NaN)),
    errors: rows.map((r) => (r.cells[i].m ? 100 * r.cells[i].m.ci95 : Number.NaN)),
  })),
  yRange: [0, 100],
  width: 760,
});
fs.mkdirSync(path.join(args.out, 'data'), { recursive: true });
writeFileAtomic(path.join(args.out, svgName), svg);
writeFileAtomic(path.join(args.out, 'modalities-vs-pio.md'), lines.join('\n'));
writeFileAtomic(path.join(args.out, 'data', 'modalities-vs-pio.json'), `${JSON.stringify(data, null, 1)}\n`);
console.log(lines.slice(16, 17 + rows.length + 1).join('\n'));
