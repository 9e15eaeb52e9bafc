/**
 * `nac train`: trains a NAC or the Perceiver IO baseline on a task, from the task's defaults, a JSON
 * run config and `--set path=value` overrides, into a run folder (checkpoints, logs, model, metrics,
 * curves). `--resume` continues an interrupted run exactly where its last checkpoint left it.
 */
import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { applyOverrides, validateTrainConfig, type RunConfig } from '../train/train-config.js';
import { defaultRun, TASK_NAMES, taskSpec, withNumClasses } from '../train/tasks.js';
import { loadTaskData } from '../train/task-data.js';
import { train } from '../train/trainer.js';
import { MODEL_KINDS, validateModelConfig } from '../model/factory.js';
import { ConfigError } from '../config/validate.js';
import { backendOption, intFlag, numberFlag, runCommand, startBackend } from './common.js';

/** Options of `nac train`. */
interface TrainFlags {
  task: string;
  model: 'nac' | 'perceiver-io';
  config?: string;
  set: string[];
  out?: string;
  seed?: string;
  epochs?: string;
  steps?: string;
  resume?: boolean;
  progress: boolean;
  backend: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Builds the run config of a `nac train` invocation: task defaults ← config file ← flags ← --set. */
export function runFromFlags(flags: Omit<TrainFlags, 'progress' | 'backend'>): RunConfig {
  let run = defaultRun(flags.task, flags.model);
  if (flags.config) {
    if (!fs.existsSync(flags.config)) throw new ConfigError('--config', `file not found: ${flags.config}`);
    const raw = JSON.parse(fs.readFileSync(flags.config, 'utf8')) as Partial<RunConfig>;
    // train.data merges key by key, so a file written before a data option existed still loads.
    const train = { ...run.train, ...(raw.train ?? {}) };
    train.data = { ...run.train.data, ...(raw.train?.data ?? {}) };
    run = { model: raw.model ?? run.model, train };
  }
  if (flags.seed !== undefined) run.train.seed = intFlag('--seed', flags.seed, 0);
  if (flags.epochs !== undefined) run.train.epochs = numberFlag('--epochs', flags.epochs, '≥ 0');
  if (flags.steps !== undefined) run.train.steps = intFlag('--steps', flags.steps, 0);
  applyOverrides(run, flags.set);
  run.model = validateModelConfig(run.model, 'model');
  validateTrainConfig(run.train);
  return run;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a NAC (or the Perceiver IO baseline) on a task; writes checkpoints, logs, the model, metrics and curves')
    .addOption(new Option('--task <name>', 'dataset / task').choices(TASK_NAMES()).default('fashion-mnist'))
    .addOption(new Option('--model <kind>', 'model kind').choices([...MODEL_KINDS]).default('nac'))
    .option('--config <file>', 'JSON run config {"model": {...}, "train": {...}} (either half optional) over the task defaults')
    .option('--set <path=value>', 'override one field, e.g. train.lr=0.001 or model.numLayers=4 (repeatable)', collect, [])
    .option('--out <dir>', 'run folder (default runs/<task>-<model>-s<seed>)')
    .option('--seed <n>', 'seed of weights, data order, augmentation and noise (train.seed)')
    .option('--epochs <n>', 'passes over the training set (train.epochs)')
    .option('--steps <n>', 'total optimizer steps; overrides --epochs (train.steps)')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--no-progress', 'plain log lines instead of a progress bar')
    .addOption(backendOption())
    .addHelpText(
      'after',
      '\nOutputs in --out: run.json, log.jsonl, checkpoint/, model/, metrics.json, curves.svg.\nExit codes: 0 done, 2 bad input, 3 stopped on a non-finite loss.',
    )
    .action((flags: TrainFlags) =>
      runCommand(async () => {
        const run = runFromFlags(flags);
        await startBackend(flags.backend);
        const out = flags.out ?? `runs/${run.train.task}-${run.model.model}-s${run.train.seed}`;
        const data = loadTaskData(run.train);
        if (taskSpec(run.train.task).numClasses === null && !flags.set.some((o) => /numClasses=/.test(o))) {
          run.model = withNumClasses(run.model, data.train.classNames.length);
        }
        const summary = await train(run, data, { out, resume: !!flags.resume, progress: flags.progress ? undefined : false });
        if (summary.status === 'nan') return 3;
        process.stderr.write(`run folder: ${out}\n`);
      }),
    );
}
