/**
 * `nac eval <model-dir>`: evaluates a trained model folder on its task's test (or validation) split
 * and prints top-1, top-5, loss and per-class accuracy (or JSON with --json). With `--ood <suite>` it
 * runs an out-of-distribution suite instead: `corruptions` (19 corruptions × 5 severities on the
 * task's grey images) or `optdigits` (an MNIST-trained model on UCI optdigits).
 */
import { Option, type Command } from 'commander';
import { loadModelDir, readModelMeta } from '../io/model-dir.js';
import { writeFileAtomic } from '../io/atomic.js';
import { evaluate, TTA_MODES, type TestTimeAugmentation } from '../train/evaluate.js';
import { loadTaskData } from '../train/task-data.js';
import { defaultTrainConfig } from '../train/train-config.js';
import { TASK_NAMES } from '../train/tasks.js';
import { ConfigError } from '../config/validate.js';
import { parseCorruptionList, parseSeverityList } from '../ood/corruptions.js';
import { evaluateCorruptionSuite, evaluateShift } from '../ood/evaluate.js';
import { checkOodSuite, loadSuiteData } from '../ood/suite-data.js';
import { formatCorruptionTable, formatShiftTable } from '../ood/table.js';
import type { ClassifierModel } from '../model/factory.js';
import { backendOption, intFlag, runCommand, startBackend } from './common.js';

interface EvalFlags {
  task?: string;
  split: 'test' | 'val';
  limit: string;
  batchSize: string;
  json?: boolean | string;
  backend: string;
  ood?: string;
  corruptions?: string;
  severities?: string;
  seed?: string;
  tta: TestTimeAugmentation;
}

/** Prints `result` as JSON (--json) or writes it to a file (--json <file>) and then prints `table`. */
function report(flags: EvalFlags, result: object, table: () => string): void {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (flags.json === true) {
    process.stdout.write(text);
    return;
  }
  console.log(table());
  if (typeof flags.json === 'string') {
    writeFileAtomic(flags.json, text);
    console.log(`wrote ${flags.json}`);
  }
}

/** `nac eval --ood <suite>`: runs the suite on the model and reports it. */
async function runOod(dir: string, model: ClassifierModel, task: string, flags: EvalFlags, batchSize: number): Promise<void> {
  const suite = checkOodSuite(flags.ood as string);
  const limit = intFlag('--limit', flags.limit, 0);
  const seed = intFlag('--seed', flags.seed ?? '0', 0);
  const corruptions = parseCorruptionList(flags.corruptions);
  const severities = parseSeverityList(flags.severities);
  const meta = readModelMeta(dir);
  const data = loadSuiteData(suite, { task, data: meta.data, split: flags.split, limit, seed });
  const t0 = performance.now();
  const head = { model: dir, task, split: flags.split, limit, batchSize };
  if (suite === 'optdigits') {
    const r = await evaluateShift(model, data.clean, data.shifted!, { suite, batchSize });
    const seconds = (performance.now() - t0) / 1000;
    report(flags, { ...head, seed, seconds, ...r }, () => formatShiftTable(r, data.clean.classNames));
    return;
  }
  const r = await evaluateCorruptionSuite(model, data.clean, {
    corruptions,
    severities,
    seed,
    batchSize,
    onCell: (cell, done, total) => {
      const s = ((performance.now() - t0) / 1000).toFixed(0);
      const what = cell ? `${cell.corruption} s${cell.severity}: ${(100 * cell.top1).toFixed(1)} %` : 'clean';
      process.stderr.write(`  [${done}/${total}, ${s} s] ${what}\n`);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  report(flags, { ...head, seconds, ...r }, () => formatCorruptionTable(r));
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a model folder on its task's test split (top-1, top-5, loss, per-class accuracy) or on an OOD suite")
    .argument('<model-dir>', 'a model folder (e.g. runs/fashion-mnist-nac-s0/model)')
    .addOption(new Option('--task <name>', 'task to evaluate on (default: the one the model was trained on)').choices(TASK_NAMES()))
    .addOption(new Option('--split <name>', 'which split').choices(['test', 'val']).default('test'))
    .option('--limit <n>', 'a seeded random subset of n examples (0 = all)', '0')
    .option('--batch-size <n>', 'examples per forward pass', '256')
    .option('--json [file]', 'print one JSON object, or with a file: write the JSON there (and print the table)')
    .option('--ood <suite>', "out-of-distribution suite: corruptions (on the task's test images) or optdigits (MNIST models)")
    .option('--corruptions <list>', 'with --ood corruptions: comma-separated corruption names (default: all)')
    .option('--severities <list>', 'with --ood corruptions: comma-separated severities in 1…5 (default: 1,2,3,4,5)')
    .option('--seed <n>', 'with --ood: seed of the test subset and of the corruptions (default 0)')
    .addOption(
      new Option('--tta <mode>', 'test-time augmentation: hflip averages the class probabilities of each image and its mirror image')
        .choices([...TTA_MODES])
        .default('none'),
    )
    .addOption(backendOption())
    .action((dir: string, flags: EvalFlags) =>
      runCommand(async () => {
        const meta = readModelMeta(dir);
        const task = flags.task ?? meta.task;
        if (!task) throw new ConfigError('--task', `is needed: ${dir} does not record its task; allowed: ${TASK_NAMES().join(', ')}`);
        const limit = intFlag('--limit', flags.limit, 0);
        const batchSize = intFlag('--batch-size', flags.batchSize, 1);
        if (flags.ood !== undefined && flags.tta !== 'none') throw new ConfigError('--tta', 'applies only without --ood');
        if (flags.ood === undefined) {
          const extra = (['corruptions', 'severities', 'seed'] as const).find((k) => flags[k] !== undefined);
          if (extra) throw new ConfigError(`--${extra}`, 'applies only with --ood <suite>');
        } else {
          if (checkOodSuite(flags.ood) !== 'corruptions' && (flags.corruptions !== undefined || flags.severities !== undefined)) {
            throw new ConfigError(flags.corruptions !== undefined ? '--corruptions' : '--severities', 'applies only to --ood corruptions');
          }
          parseCorruptionList(flags.corruptions);
          parseSeverityList(flags.severities);
        }
        await startBackend(flags.backend);
        const model = loadModelDir(dir);
        try {
          if (flags.ood !== undefined) {
            await runOod(dir, model, task, flags, batchSize);
            return;
          }
          const cfg = { ...defaultTrainConfig(task), testLimit: limit, data: { ...defaultTrainConfig(task).data, ...(meta.data ?? {}) } };
          const split = loadTaskData(cfg)[flags.split];
          const t0 = performance.now();
          const m = await evaluate(model, split, { batchSize, tta: flags.tta });
          const seconds = (performance.now() - t0) / 1000;
          report(flags, { model: dir, task, split: flags.split, tta: flags.tta, seconds, ...m }, () =>
            [
              `${dir} on ${split.name}${flags.tta === 'none' ? '' : ` (test-time augmentation: ${flags.tta})`}: ${m.count} examples in ${seconds.toFixed(1)} s`,
              `top-1 ${(100 * m.top1).toFixed(2)} %  top-5 ${(100 * m.top5).toFixed(2)} %  loss ${m.loss.toFixed(4)}`,
              ...split.classNames.map((name, c) => `  ${name.padEnd(16)} ${(100 * (m.perClassAccuracy[c] ?? 0)).toFixed(2)} %`),
            ].join('\n'),
          );
        } finally {
          model.dispose();
        }
      }),
    );
}
