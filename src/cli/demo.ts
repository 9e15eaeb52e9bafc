/**
 * `nac demo` (`npm run demo`): the main job. Trains a small NAC and the Perceiver IO baseline on
 * Fashion-MNIST with the same tokenizer, recipe and budget, evaluates both on the 10k test images and
 * writes a report (markdown, both models' curves as SVG) into the output folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { currentBackendReport, describeBackend } from '../engine/backend.js';
import { writeFileAtomic } from '../io/atomic.js';
import { applyOverrides, type RunConfig } from '../train/train-config.js';
import { defaultRun } from '../train/tasks.js';
import { loadTaskData } from '../train/task-data.js';
import { train, type TrainSummary } from '../train/trainer.js';
import { curvesFromLog } from '../train/curves.js';
import { lineChartSVG, type Series } from '../train/plot.js';
import { backendOption, runCommand, startBackend } from './common.js';

/** The demo's recipe for both models (on top of the Fashion-MNIST task defaults). */
export const DEMO_OVERRIDES: readonly string[] = ['train.epochs=3', 'train.evalEvery=300', 'train.valSize=2000'];

/** Overrides that make the demo a seconds-long smoke run (`--quick`). */
const QUICK_OVERRIDES: readonly string[] = [
  'train.steps=20',
  'train.trainLimit=2000',
  'train.testLimit=500',
  'train.evalEvery=10',
  'train.valSize=500',
];

interface DemoResult {
  name: string;
  run: RunConfig;
  summary: TrainSummary;
  wallSeconds: number;
}

function backendLine(): string {
  const report = currentBackendReport();
  return report ? describeBackend(report) : 'backend unknown';
}

function pct(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${(100 * x).toFixed(2)} %`;
}

/** The report's markdown. */
function reportMarkdown(results: DemoResult[], totalSeconds: number, command: string): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '# Demo: NAC vs Perceiver IO on Fashion-MNIST',
    '',
    `Command: \`${command}\` · machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version} · ${backendLine()} · total ${(totalSeconds / 60).toFixed(1)} min`,
    '',
    '| model | parameters | test top-1 | test top-5 | test loss | steps × batch | train time | samples/s |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const t = r.summary.test;
    lines.push(
      `| ${r.name} | ${r.summary.parameterCount.toLocaleString('en-US')} | ${pct(t?.top1)} | ${pct(t?.top5)} | ${t ? t.loss.toFixed(4) : 'n/a'} | ${r.summary.step} × ${r.run.train.batchSize} | ${r.summary.trainSeconds.toFixed(0)} s | ${r.summary.samplesPerSecond.toFixed(0)} |`,
    );
  }
  lines.push(
    '',
    '## Per-class test accuracy',
    '',
    `| class | ${results.map((r) => r.name).join(' | ')} |`,
    `|---|${results.map(() => '---|').join('')}`,
  );
  const classes = (results[0]?.summary.test?.perClassAccuracy ?? []).map((_, c) => c);
  const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  for (const c of classes) lines.push(`| ${names[c] ?? c} | ${results.map((r) => pct(r.summary.test?.perClassAccuracy[c])).join(' | ')} |`);
  lines.push('', '![validation accuracy](val-accuracy.svg)', '', '![training loss](train-loss.svg)', '');
  lines.push(
    'Each run folder (`nac/`, `perceiver-io/`) holds run.json (the full config), log.jsonl, the model folder and metrics.json.',
    '',
  );
  return lines.join('\n');
}

/** Training loss (smoothed) and validation top-1 of both models, one chart each. */
function curves(results: DemoResult[], out: string): void {
  const loss: Series[] = [];
  const val: Series[] = [];
  for (const r of results) {
    const c = curvesFromLog(path.join(out, r.run.model.model, 'log.jsonl'));
    loss.push({ name: r.name, points: c.trainLoss });
    val.push({ name: r.name, points: c.valTop1.map(([s, a]) => [s, 100 * a]) });
  }
  writeFileAtomic(
    path.join(out, 'train-loss.svg'),
    lineChartSVG({ title: 'Training loss (Fashion-MNIST)', xLabel: 'step', yLabel: 'loss', series: loss }),
  );
  writeFileAtomic(
    path.join(out, 'val-accuracy.svg'),
    lineChartSVG({ title: 'Validation top-1 (Fashion-MNIST)', xLabel: 'step', yLabel: 'top-1 %', series: val }),
  );
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: train a NAC and the Perceiver IO baseline on Fashion-MNIST, evaluate both, write a report')
    .option('--out <dir>', 'output folder (replaced)', 'runs/demo')
    .option('--seed <n>', 'seed of both runs', '0')
    .option(
      '--set <path=value>',
      'override a field of both runs, e.g. train.epochs=3 (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--quick', 'a 20-step smoke run on a data slice (seconds; for checking the pipeline)')
    .option('--no-progress', 'plain log lines instead of progress bars')
    .addOption(backendOption())
    .action((flags: { out: string; seed: string; set: string[]; quick?: boolean; progress: boolean; backend: string }) =>
      runCommand(async () => {
        await startBackend(flags.backend);
        const started = performance.now();
        fs.rmSync(flags.out, { recursive: true, force: true });
        const overrides = [...DEMO_OVERRIDES, ...(flags.quick ? QUICK_OVERRIDES : []), `train.seed=${Number(flags.seed)}`, ...flags.set];
        const results: DemoResult[] = [];
        for (const [kind, name] of [
          ['nac', 'NAC'],
          ['perceiver-io', 'Perceiver IO'],
        ] as const) {
          const run = applyOverrides(defaultRun('fashion-mnist', kind), overrides);
          const data = loadTaskData(run.train);
          const t0 = performance.now();
          process.stderr.write(`\n== ${name}\n`);
          const summary = await train(run, data, { out: path.join(flags.out, kind), progress: flags.progress ? undefined : false });
          if (summary.status !== 'done') throw new Error(`${name} run did not finish: ${summary.message}`);
          results.push({ name, run, summary, wallSeconds: (performance.now() - t0) / 1000 });
        }
        const total = (performance.now() - started) / 1000;
        curves(results, flags.out);
        const command = `npm run demo${flags.quick ? ' -- --quick' : ''}`;
        writeFileAtomic(path.join(flags.out, 'report.md'), reportMarkdown(results, total, command));
        process.stderr.write(`\nreport: ${path.join(flags.out, 'report.md')} (${(total / 60).toFixed(1)} min)\n`);
        for (const r of results)
          console.log(
            `${r.name.padEnd(13)} test top-1 ${pct(r.summary.test?.top1)}  ${r.summary.parameterCount.toLocaleString('en-US')} parameters  ${r.summary.trainSeconds.toFixed(0)} s`,
          );
      }),
    );
}
