/**
 * The training recipe: every knob of `nac train` with its default, and a validator whose errors name
 * the field and its allowed values. A run is `{ model, train }`: a model config (NAC or Perceiver IO)
 * and this recipe; `--set train.lr=1e-3` style overrides address either half by dotted path.
 */
import { ConfigError, checkBool, checkInt, checkKeys, checkNumber, checkOneOf } from '../config/validate.js';
import type { ModelConfig } from '../model/factory.js';
import { validateGraphRegularizer, type GraphRegularizerConfig } from './graph-regularizers.js';

/** Mixup / CutMix (timm 'batch' mode). */
export interface MixConfig {
  mixupAlpha: number;
  cutmixAlpha: number;
  prob: number;
  switchProb: number;
}

/** Everything about how a model is trained, evaluated and checkpointed. */
export interface TrainConfig {
  /** Dataset name (see `DATASET_NAMES`). */
  task: string;
  /** Seed of data order, augmentation and model noise (weights use `seed` too). */
  seed: number;
  /** Passes over the training set; ignored when `steps` > 0. */
  epochs: number;
  /** Total optimizer steps; 0 = derive from `epochs`. */
  steps: number;
  batchSize: number;
  evalBatchSize: number;
  /** Peak learning rate (after warmup). */
  lr: number;
  /** Final learning rate of the cosine schedule. */
  minLr: number;
  /** Linear warmup length, as a fraction of all steps. */
  warmupFraction: number;
  weightDecay: number;
  /** Which parameters get weight decay: 'default' skips biases, norms, codes, signatures, positions; 'all' decays every one. */
  decayFilter: 'default' | 'all';
  labelSmoothing: number;
  /** Mixup / CutMix for images; null = off. */
  mix: MixConfig | null;
  /** Image augmentation: zero-pad by `padCrop` pixels then crop back at a random offset; horizontal flips. */
  augment: { padCrop: number; hflip: boolean; pointJitter: number };
  /** Clip gradients to this global L2 norm; 0 = off. */
  gradClip: number;
  /** Graph regulariser added to the loss (spec §1.4); NAC only. */
  graphRegularizer: GraphRegularizerConfig;
  /** Evaluate on the validation split every N steps (0 = once per epoch). */
  evalEvery: number;
  /** Write a checkpoint every N steps (0 = once per epoch). */
  checkpointEvery: number;
  /** Validation examples carved from the training set (0 = the dataset's default). */
  valSize: number;
  /** Use at most this many training / test examples (0 = all): for smoke runs and tests. */
  trainLimit: number;
  testLimit: number;
  /**
   * Dataset options: points per cloud, sequence length, e-mail header stripping, test protocol (0 /
   * 'default' = the dataset's default; `split` applies to spam-assassin: 'random' or 'collections').
   */
  data: { numPoints: number; maxLength: number; stripHeaders: boolean; split: 'default' | 'random' | 'collections' };
}

/** A full run description: what to train and how. */
export interface RunConfig {
  model: ModelConfig;
  train: TrainConfig;
}

/** The defaults of every training field (a CPU-friendly AdamW + cosine recipe). */
export function defaultTrainConfig(task: string): TrainConfig {
  return {
    task,
    seed: 0,
    epochs: 1,
    steps: 0,
    batchSize: 64,
    evalBatchSize: 256,
    lr: 2e-3,
    minLr: 1e-5,
    warmupFraction: 0.05,
    weightDecay: 0.05,
    decayFilter: 'default',
    labelSmoothing: 0.1,
    mix: null,
    augment: { padCrop: 0, hflip: false, pointJitter: 0 },
    gradClip: 1,
    graphRegularizer: { type: 'none' },
    evalEvery: 0,
    checkpointEvery: 0,
    valSize: 0,
    trainLimit: 0,
    testLimit: 0,
    data: { numPoints: 0, maxLength: 0, stripHeaders: true, split: 'default' },
  };
}

const KEYS: (keyof TrainConfig)[] = Object.keys(defaultTrainConfig('x')) as (keyof TrainConfig)[];

/** Checks a training config; throws ConfigError naming the first bad field. */
export function validateTrainConfig(c: TrainConfig, field = 'train'): TrainConfig {
  const f = (k: string) => `${field}.${k}`;
  checkKeys(c, field, KEYS);
  if (typeof c.task !== 'string' || c.task === '') throw new ConfigError(f('task'), 'must name a dataset');
  checkInt(c.seed, f('seed'), 0, 2 ** 32 - 1);
  checkNumber(c.epochs, f('epochs'), 0, 1e6);
  checkInt(c.steps, f('steps'), 0);
  if (c.steps === 0 && c.epochs <= 0) throw new ConfigError(f('epochs'), 'must be > 0 when train.steps is 0');
  checkInt(c.batchSize, f('batchSize'), 1, 65536);
  checkInt(c.evalBatchSize, f('evalBatchSize'), 1, 65536);
  checkNumber(c.lr, f('lr'), 0, 10, true);
  checkNumber(c.minLr, f('minLr'), 0, c.lr);
  checkNumber(c.warmupFraction, f('warmupFraction'), 0, 1);
  checkNumber(c.weightDecay, f('weightDecay'), 0, 10);
  checkOneOf(c.decayFilter, f('decayFilter'), ['default', 'all'] as const);
  checkNumber(c.labelSmoothing, f('labelSmoothing'), 0, 1);
  if (c.mix !== null) {
    checkKeys(c.mix, f('mix'), ['mixupAlpha', 'cutmixAlpha', 'prob', 'switchProb']);
    checkNumber(c.mix.mixupAlpha, f('mix.mixupAlpha'), 0, 100);
    checkNumber(c.mix.cutmixAlpha, f('mix.cutmixAlpha'), 0, 100);
    checkNumber(c.mix.prob, f('mix.prob'), 0, 1);
    checkNumber(c.mix.switchProb, f('mix.switchProb'), 0, 1);
  }
  checkKeys(c.augment, f('augment'), ['padCrop', 'hflip', 'pointJitter']);
  checkInt(c.augment.padCrop, f('augment.padCrop'), 0, 64);
  checkBool(c.augment.hflip, f('augment.hflip'));
  checkNumber(c.augment.pointJitter, f('augment.pointJitter'), 0, 1);
  checkNumber(c.gradClip, f('gradClip'), 0, 1e6);
  validateGraphRegularizer(c.graphRegularizer, f('graphRegularizer'));
  checkInt(c.evalEvery, f('evalEvery'), 0);
  checkInt(c.checkpointEvery, f('checkpointEvery'), 0);
  checkInt(c.valSize, f('valSize'), 0);
  checkInt(c.trainLimit, f('trainLimit'), 0);
  checkInt(c.testLimit, f('testLimit'), 0);
  checkKeys(c.data, f('data'), ['numPoints', 'maxLength', 'stripHeaders', 'split']);
  checkInt(c.data.numPoints, f('data.numPoints'), 0);
  checkInt(c.data.maxLength, f('data.maxLength'), 0);
  checkBool(c.data.stripHeaders, f('data.stripHeaders'));
  checkOneOf(c.data.split, f('data.split'), ['default', 'random', 'collections'] as const);
  return c;
}

/**
 * Applies `path=value` overrides (e.g. `train.lr=1e-3`, `model.numLayers=4`, `train.mix=null`) to a
 * run config in place. Values parse as JSON when they can, else as strings. Unknown paths are errors
 * that list the keys allowed at that level.
 */
export function applyOverrides(run: RunConfig, overrides: readonly string[]): RunConfig {
  for (const item of overrides) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ConfigError('--set', `expects path=value (e.g. train.lr=0.001); got '${item}'`);
    const path = item.slice(0, eq).split('.');
    const text = item.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    if (path[0] !== 'model' && path[0] !== 'train') throw new ConfigError(`--set ${item}`, "path must start with 'model.' or 'train.'");
    let obj = run as unknown as Record<string, unknown>;
    for (let i = 0; i < path.length - 1; i++) {
      const next = obj[path[i] as string];
      if (typeof next !== 'object' || next === null) {
        throw new ConfigError(`--set ${item}`, `'${path.slice(0, i + 1).join('.')}' is not an object`);
      }
      obj = next as Record<string, unknown>;
    }
    const last = path[path.length - 1] as string;
    if (!(last in obj)) {
      throw new ConfigError(`--set ${item}`, `unknown field '${path.join('.')}'; allowed here: ${Object.keys(obj).join(', ')}`);
    }
    obj[last] = value;
  }
  return run;
}
