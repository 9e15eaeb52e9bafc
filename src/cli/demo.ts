/**
 * `nac demo` (`npm run demo`): the main job. Trains a small NAC and the Perceiver IO baseline on
 * Fashion-MNIST with the same tokenizer, recipe and budget, evaluates both on the 10k test images and
 * writes a report (markdown, both models' curves as SVG) into the output folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { applyOverrides, validateTrainConfig, type RunConfig } from '../train/train-config.js';
import { validateModelConfig } from '../model/factory.js';
import { defaultRun } from '../train/tasks.js';
import { loadTaskData } from '../train/task-data.js';
import { train, type TrainSummary } from '../train/trainer.js';
import { curvesFromLog } from '../train/curves.js';
import { lineChartSVG, type Series } from '../train/plot.js';
import { backendOption, intFlag, machineLine, runCommand, startBackend } from './common.js';

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

/** What the report needs of one finished run (read back from its metrics.json). */
interface DemoResult {
  name: string;
  run: RunConfig;
  summary: Pick<TrainSummary, 'parameterCount' | 'step' | 'trainSeconds' | 'samplesPerSecond'> & {
    test?: { top1: number; top5: number; loss: number; perClassAccuracy: number[] };
  };
}

/** Reads a finished run folder's metrics into a {@link DemoResult}; throws if the run did not finish. */
function readResult(name: string, run: RunConfig, dir: string): DemoResult {
  const file = path.join(dir, 'metrics.json');
  if (!fs.existsSync(file)) throw new Error(`${name} run did not finish: ${file} is missing (see the log above)`);
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    parameters: number;
    steps: number;
    trainSeconds: number;
    samplesPerSecond: number;
    test: { top1: number; top5: number; loss: number; perClassAccuracy: number[] };
  };
  return {
    name,
    run,
    summary: {
      parameterCount: m.parameters,
      step: m.steps,
      trainSeconds: m.trainSeconds,
      samplesPerSecond: m.samplesPerSecond,
      test: m.test,
    },
  };
}

/** Runs `nac train` for one model in a child process (one BLAS thread), prefixing its output lines. */
function trainInChild(kind: string, out: string, overrides: string[], backend: string): Promise<number> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const args = [main, 'train', '--task', 'fashion-mnist', '--model', kind, '--out', out, '--backend', backend, '--no-progress'];
  for (const o of overrides) args.push('--set', o);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1' };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stderr.write(`[${kind}] ${line}\n`);
    });
  };
  prefix(child.stdout);
  prefix(child.stderr);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function pct(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${(100 * x).toFixed(2)} %`;
}

/** The report's markdown. */
function reportMarkdown(results: DemoResult[], totalSeconds: number, command: string, jobs: number): string {
  const lines = [
    '# Demo: NAC vs Perceiver IO on Fashion-MNIST',
    '',
    `Command: \`${command}\` · machine: ${machineLine()} · ${jobs >= 2 ? 'both models trained side by side, one process each' : 'one model after the other'} · total ${(totalSeconds / 60).toFixed(1)} min`,
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
    .option(
      '--jobs <n>',
      'models trained at once: 2 runs NAC and Perceiver IO side by side in two processes (default: 2 if the machine has 2+ cores)',
      String(Math.min(2, os.availableParallelism())),
    )
    .option('--no-progress', 'plain log lines instead of progress bars')
    .addOption(backendOption())
    .action((flags: { out: string; seed: string; set: string[]; quick?: boolean; jobs: string; progress: boolean; backend: string }) =>
      runCommand(async () => {
        const seed = intFlag('--seed', flags.seed, 0);
        const jobs = intFlag('--jobs', flags.jobs, 1);
        const overrides = [...DEMO_OVERRIDES, ...(flags.quick ? QUICK_OVERRIDES : []), `train.seed=${seed}`, ...flags.set];
        const models = [
          ['nac', 'NAC'],
          ['perceiver-io', 'Perceiver IO'],
        ] as const;
        // Checked before anything starts or --out is cleared: a bad --set leaves the folder as it was.
        const runs = models.map(([kind]) => {
          const run = applyOverrides(defaultRun('fashion-mnist', kind), overrides);
          run.model = validateModelConfig(run.model, 'model');
          validateTrainConfig(run.train);
          return run;
        });
        await startBackend(flags.backend);
        const started = performance.now();
        fs.rmSync(flags.out, { recursive: true, force: true });
        if (jobs >= 2) {
          process.stderr.write(`training both models side by side (--jobs ${jobs}), one process each\n`);
          const codes = await Promise.all(models.map(([kind]) => trainInChild(kind, path.join(flags.out, kind), overrides, flags.backend)));
          codes.forEach((code, i) => {
            if (code !== 0)
              throw new Error(`${models[i]?.[1]} run failed with exit code ${code} (see its [${models[i]?.[0]}] lines above)`);
          });
        } else {
          for (const [i, [kind, name]] of models.entries()) {
            process.stderr.write(`\n== ${name}\n`);
            const summary = await train(runs[i] as RunConfig, loadTaskData((runs[i] as RunConfig).train), {
              out: path.join(flags.out, kind),
              progress: flags.progress ? undefined : false,
            });
            if (summary.status !== 'done') throw new Error(`${name} run did not finish: ${summary.message}`);
          }
        }
        const results = models.map(([kind, name], i) => readResult(name, runs[i] as RunConfig, path.join(flags.out, kind)));
        const total = (performance.now() - started) / 1000;
        curves(results, flags.out);
        const command = `npm run demo${flags.quick ? ' -- --quick' : ''}`;
        writeFileAtomic(path.join(flags.out, 'report.md'), reportMarkdown(results, total, command, jobs));
        process.stderr.write(`\nreport: ${path.join(flags.out, 'report.md')} (${(total / 60).toFixed(1)} min)\n`);
        for (const r of results)
          console.log(
            `${r.name.padEnd(13)} test top-1 ${pct(r.summary.test?.top1)}  ${r.summary.parameterCount.toLocaleString('en-US')} parameters  ${r.summary.trainSeconds.toFixed(0)} s`,
          );
      }),
    );
}
