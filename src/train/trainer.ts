/**
 * The training loop: builds the model and optimizer of a run, walks the seeded batch order step by
 * step (warmup + cosine learning rate), evaluates on the validation split, writes atomic checkpoints
 * and JSON-lines logs, stops early with a clear message when the loss turns NaN, and finally saves
 * the model folder, the test metrics and a plot of the curves into the run folder:
 *
 *   <out>/run.json  <out>/log.jsonl  <out>/checkpoint/  <out>/model/  <out>/metrics.json  <out>/curves.svg
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetSplits } from '../data/dataset.js';
import { batchIndices } from '../data/dataset.js';
import { buildModel, modelNumClasses, type ClassifierModel } from '../model/factory.js';
import { saveModelDir } from '../io/model-dir.js';
import { writeFileAtomic } from '../io/atomic.js';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from './adamw.js';
import { noDecayDefault, trainableNamedParameters } from './param-filter.js';
import { learningRateAt } from './schedule.js';
import { loadCheckpoint, saveCheckpoint, type TrainerState } from './checkpoint.js';
import { checkCompatible } from './checkpoint-compat.js';
import { evaluate } from './evaluate.js';
import { readToHost } from '../engine/host.js';
import type { EvalMetrics } from './metrics.js';
import { Progress } from './progress.js';
import { RunLog } from './run-log.js';
import { writeCurvesFromLog } from './curves.js';
import { STREAM, stepRng, trainStep, type StepResult } from './train-step.js';
import { validateTrainConfig, type RunConfig } from './train-config.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Run folder (created). */
  out: string;
  /** Continue from `<out>/checkpoint` (refuses a checkpoint of another config). */
  resume?: boolean;
  /** Show a progress bar (default: when stderr is a TTY); otherwise plain log lines. */
  progress?: boolean;
  /** Stop after this many steps of this call, as an interruption would (tests; default: run to the end). */
  stopAfter?: number;
  /** Called after every step. */
  onStep?: (step: number, result: StepResult) => void;
  /** Where human-readable lines go (default: stderr). */
  log?: (line: string) => void;
}

/** What a run did. */
export interface TrainSummary {
  /** 'done': all steps ran; 'stopped': stopAfter hit; 'nan': the loss or gradients became non-finite. */
  status: 'done' | 'stopped' | 'nan';
  message: string;
  step: number;
  totalSteps: number;
  parameterCount: number;
  /** Seconds spent in training steps (this call). */
  trainSeconds: number;
  samplesPerSecond: number;
  val?: EvalMetrics;
  test?: EvalMetrics;
}

/** Steps per epoch and in total for a run on a training set of `trainSize` examples. */
export function runLength(run: RunConfig, trainSize: number): { stepsPerEpoch: number; totalSteps: number } {
  const stepsPerEpoch = Math.max(1, Math.floor(trainSize / run.train.batchSize));
  const totalSteps = run.train.steps > 0 ? run.train.steps : Math.max(1, Math.round(run.train.epochs * stepsPerEpoch));
  return { stepsPerEpoch, totalSteps };
}

/** Trains the run's model on `data`, writing everything into `options.out`. */
export async function train(run: RunConfig, data: DatasetSplits, options: TrainOptions): Promise<TrainSummary> {
  const cfg = validateTrainConfig(run.train);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = options.out;
  const ckptDir = path.join(out, 'checkpoint');
  const numClasses = modelNumClasses(run.model);
  if (data.train.classNames.length !== numClasses) {
    throw new Error(`model predicts ${numClasses} classes but ${data.train.name} has ${data.train.classNames.length}`);
  }
  if (!options.resume && fs.existsSync(ckptDir)) {
    throw new Error(`${out} already holds a run (${ckptDir}); pass --resume to continue it, or choose another --out`);
  }
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(path.join(out, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);

  const model = buildModel(run.model, { seed: cfg.seed, skipPriorFit: !!options.resume });
  const params = trainableNamedParameters(model);
  const optimizer = new AdamW(params, {
    lr: cfg.lr,
    weightDecay: cfg.weightDecay,
    decay: cfg.decayFilter === 'all' ? () => true : noDecayDefault,
  });
  const { stepsPerEpoch, totalSteps } = runLength(run, data.train.size);
  const schedule = { baseLr: cfg.lr, minLr: cfg.minLr, warmupSteps: Math.round(cfg.warmupFraction * totalSteps), totalSteps };
  const evalEvery = cfg.evalEvery > 0 ? cfg.evalEvery : stepsPerEpoch;
  const ckptEvery = cfg.checkpointEvery > 0 ? cfg.checkpointEvery : stepsPerEpoch;
  let state: TrainerState = { step: 0, epoch: 0, batchInEpoch: 0, rng: {} };
  if (options.resume) state = resumeInto(ckptDir, run, model, optimizer);
  const runLog = new RunLog(path.join(out, 'log.jsonl'));
  const started = state.step;
  log(
    `training ${data.train.name}: ${data.train.size} examples, ${totalSteps} steps of ${cfg.batchSize} (${stepsPerEpoch}/epoch), ${model.parameterCount().toLocaleString('en-US')} parameters${started ? `, resuming at step ${started}` : ''}`,
  );
  const progress = new Progress({ total: totalSteps - started, label: 'train', unit: 'step', tty: options.progress });
  const summary: TrainSummary = {
    status: 'done',
    message: '',
    step: state.step,
    totalSteps,
    parameterCount: model.parameterCount(),
    trainSeconds: 0,
    samplesPerSecond: 0,
  };
  let order: Int32Array[] = [];
  let orderEpoch = -1;
  try {
    while (state.step < totalSteps) {
      if (options.stopAfter !== undefined && state.step - started >= options.stopAfter) {
        summary.status = 'stopped';
        break;
      }
      const epoch = Math.floor(state.step / stepsPerEpoch);
      if (epoch !== orderEpoch) {
        order = batchIndices(data.train.size, cfg.batchSize, stepRng(cfg.seed, STREAM.order, epoch), true);
        orderEpoch = epoch;
      }
      const batch = data.train.getBatch(order[state.step % stepsPerEpoch] as Int32Array);
      const lr = learningRateAt(state.step, schedule);
      const t0 = performance.now();
      const r = await trainStep(model, optimizer, batch, numClasses, cfg, state.step, lr);
      summary.trainSeconds += (performance.now() - t0) / 1000;
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
        summary.status = 'nan';
        const kept = fs.existsSync(ckptDir)
          ? `the last good checkpoint is ${ckptDir} (step ${loadCheckpoint(ckptDir).trainer.step})`
          : 'no checkpoint was written yet';
        summary.message = `stopped at step ${state.step}: the ${Number.isFinite(r.loss) ? 'gradient norm' : 'loss'} is not finite (lr ${lr.toExponential(2)}); ${kept}. Try a lower train.lr or train.gradClip.`;
        runLog.write({ type: 'error', step: state.step, message: summary.message });
        log(`error: ${summary.message}`);
        break;
      }
      state = {
        ...state,
        step: state.step + 1,
        epoch: Math.floor((state.step + 1) / stepsPerEpoch),
        batchInEpoch: (state.step + 1) % stepsPerEpoch,
      };
      options.onStep?.(state.step, r);
      runLog.write({ type: 'train', step: state.step, loss: r.loss, regularizer: r.regularizer, gradNorm: r.gradNorm, lr });
      progress.tick(1, {
        loss: r.loss.toFixed(4),
        lr: lr.toExponential(2),
        'samples/s': Math.round(((state.step - started) * cfg.batchSize) / summary.trainSeconds),
      });
      if (state.step % evalEvery === 0 || state.step === totalSteps) {
        summary.val = await evaluate(model, data.val, { batchSize: cfg.evalBatchSize });
        runLog.write({
          type: 'eval',
          split: 'val',
          step: state.step,
          top1: summary.val.top1,
          top5: summary.val.top5,
          loss: summary.val.loss,
        });
        progress.log(`step ${state.step}: val top-1 ${(100 * summary.val.top1).toFixed(2)} %, loss ${summary.val.loss.toFixed(4)}`);
      }
      if (state.step % ckptEvery === 0 || state.step === totalSteps) {
        await readToHost([...model.namedParameters().values(), ...optimizer.stateTensors()]);
        saveCheckpoint(ckptDir, { modelConfig: run.model, trainConfig: run.train, model, optimizer, trainer: state });
      }
    }
  } finally {
    progress.done();
  }
  summary.step = state.step;
  summary.samplesPerSecond = summary.trainSeconds > 0 ? ((state.step - started) * cfg.batchSize) / summary.trainSeconds : 0;
  try {
    if (summary.status === 'done') await finish(model, run, data, out, summary, runLog, log);
  } finally {
    runLog.close();
    optimizer.dispose();
    model.dispose();
  }
  return summary;
}

/** Loads `<dir>` into the model and optimizer after checking it belongs to this run; returns its state. */
function resumeInto(dir: string, run: RunConfig, model: ClassifierModel, optimizer: AdamW): TrainerState {
  if (!fs.existsSync(dir) && !fs.existsSync(`${dir}.old`)) throw new Error(`--resume: no checkpoint at ${dir}`);
  const ckpt = loadCheckpoint(dir);
  checkCompatible({ modelConfig: ckpt.modelConfig, trainConfig: ckpt.trainConfig }, { modelConfig: run.model, trainConfig: run.train });
  const values = new Map<string, tf.Tensor>();
  try {
    for (const [name, p] of ckpt.params) values.set(name, tf.tensor(p.data, p.shape, 'float32'));
    model.loadParameters(values);
  } finally {
    for (const t of values.values()) t.dispose();
  }
  optimizer.setState(ckpt.optimizer);
  return ckpt.trainer;
}

/** Final evaluation on the test split, the model folder, metrics.json and the curves. */
async function finish(
  model: ClassifierModel,
  run: RunConfig,
  data: DatasetSplits,
  out: string,
  summary: TrainSummary,
  runLog: RunLog,
  log: (line: string) => void,
): Promise<void> {
  summary.test = await evaluate(model, data.test, { batchSize: run.train.evalBatchSize });
  runLog.write({
    type: 'eval',
    split: 'test',
    step: summary.step,
    top1: summary.test.top1,
    top5: summary.test.top5,
    loss: summary.test.loss,
  });
  await saveModelDir(path.join(out, 'model'), run.model, model, {
    task: run.train.task,
    classNames: [...data.test.classNames],
    data: { ...run.train.data },
  });
  const metrics = {
    task: run.train.task,
    model: run.model.model,
    parameters: summary.parameterCount,
    steps: summary.step,
    trainSeconds: summary.trainSeconds,
    samplesPerSecond: summary.samplesPerSecond,
    val: summary.val && { top1: summary.val.top1, top5: summary.val.top5, loss: summary.val.loss },
    test: {
      top1: summary.test.top1,
      top5: summary.test.top5,
      loss: summary.test.loss,
      perClassAccuracy: summary.test.perClassAccuracy,
      count: summary.test.count,
    },
    classNames: data.test.classNames,
  };
  writeFileAtomic(path.join(out, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  writeCurvesFromLog(path.join(out, 'log.jsonl'), path.join(out, 'curves.svg'));
  summary.message = `test top-1 ${(100 * summary.test.top1).toFixed(2)} % (${summary.test.count} examples), top-5 ${(100 * summary.test.top5).toFixed(2)} %`;
  log(summary.message);
}
