/**
 * `nac eval <model-dir>`: evaluates a trained model folder on its task's test (or validation) split
 * and prints top-1, top-5, loss and per-class accuracy (or one JSON object with --json).
 */
import { Option, type Command } from 'commander';
import { loadModelDir, readModelMeta } from '../io/model-dir.js';
import { evaluate } from '../train/evaluate.js';
import { loadTaskData } from '../train/task-data.js';
import { defaultTrainConfig } from '../train/train-config.js';
import { TASK_NAMES } from '../train/tasks.js';
import { ConfigError } from '../config/validate.js';
import { backendOption, runCommand, startBackend } from './common.js';

interface EvalFlags {
  task?: string;
  split: 'test' | 'val';
  limit: string;
  batchSize: string;
  json?: boolean;
  backend: string;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a model folder on its task's test split: top-1, top-5, loss, per-class accuracy")
    .argument('<model-dir>', 'a model folder (e.g. runs/fashion-mnist-nac-s0/model)')
    .addOption(new Option('--task <name>', 'task to evaluate on (default: the one the model was trained on)').choices(TASK_NAMES()))
    .addOption(new Option('--split <name>', 'which split').choices(['test', 'val']).default('test'))
    .option('--limit <n>', 'evaluate on the first n examples only (0 = all)', '0')
    .option('--batch-size <n>', 'examples per forward pass', '256')
    .option('--json', 'print one JSON object')
    .addOption(backendOption())
    .action((dir: string, flags: EvalFlags) =>
      runCommand(async () => {
        const meta = readModelMeta(dir);
        const task = flags.task ?? meta.task;
        if (!task) throw new ConfigError('--task', `is needed: ${dir} does not record its task; allowed: ${TASK_NAMES().join(', ')}`);
        const limit = Number(flags.limit);
        const batchSize = Number(flags.batchSize);
        if (!Number.isInteger(limit) || limit < 0) throw new ConfigError('--limit', `must be an integer ≥ 0, got '${flags.limit}'`);
        if (!Number.isInteger(batchSize) || batchSize < 1)
          throw new ConfigError('--batch-size', `must be an integer ≥ 1, got '${flags.batchSize}'`);
        await startBackend(flags.backend);
        const cfg = { ...defaultTrainConfig(task), testLimit: limit, data: { ...defaultTrainConfig(task).data, ...(meta.data ?? {}) } };
        const data = loadTaskData(cfg);
        const split = data[flags.split];
        const model = loadModelDir(dir);
        try {
          const t0 = performance.now();
          const m = evaluate(model, split, { batchSize });
          const seconds = (performance.now() - t0) / 1000;
          if (flags.json) {
            console.log(JSON.stringify({ model: dir, task, split: flags.split, seconds, ...m }, null, 2));
            return;
          }
          console.log(`${dir} on ${split.name}: ${m.count} examples in ${seconds.toFixed(1)} s`);
          console.log(`top-1 ${(100 * m.top1).toFixed(2)} %  top-5 ${(100 * m.top5).toFixed(2)} %  loss ${m.loss.toFixed(4)}`);
          split.classNames.forEach((name, c) => console.log(`  ${name.padEnd(16)} ${(100 * (m.perClassAccuracy[c] ?? 0)).toFixed(2)} %`));
        } finally {
          model.dispose();
        }
      }),
    );
}
