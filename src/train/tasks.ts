/**
 * Tasks: what `nac train --task <name>` means. A task names a dataset and gives, for each model kind
 * (NAC and the Perceiver IO baseline), a CPU-sized default model with the same tokenizer, plus the
 * training recipe that goes with it. Every default can be overridden with `--set`.
 */
import type { NACConfig } from '../config/nac-config.js';
import { defaultNACConfig } from '../config/presets.js';
import type { TokenizerConfig } from '../tokenizers/index.js';
import type { ModelConfig, PerceiverIOModelConfig } from '../model/factory.js';
import { defaultTrainConfig, type RunConfig, type TrainConfig } from './train-config.js';

/** A task: its dataset and default models and recipe. */
export interface TaskSpec {
  /** Dataset name passed to loadDataset. */
  dataset: string;
  description: string;
  /** Number of classes; null when it depends on the installed data (set from the data at load time). */
  numClasses: number | null;
  tokenizer: () => TokenizerConfig;
  /** Default NAC (besides the tokenizer and class count). */
  nac: (tokenizer: TokenizerConfig, numClasses: number) => NACConfig;
  /** Default Perceiver IO with the same tokenizer. */
  perceiverIO: (tokenizer: TokenizerConfig, numClasses: number) => PerceiverIOModelConfig;
  /** The dataset has fixed train/val/test splits (train.valSize does not apply). */
  fixedSplits?: boolean;
  /** The dataset options (of train.data) this task's dataset takes. */
  dataOptions?: ('numPoints' | 'maxLength' | 'stripHeaders' | 'split')[];
  /** Recipe overrides on top of {@link defaultTrainConfig}. */
  train: Partial<TrainConfig>;
}

/** A small NAC for CPU runs: 64-wide states, 8 read-in, 16 propagator and 4 read-out modules, 2 layers. */
export function smallNAC(tokenizer: TokenizerConfig, numClasses: number): NACConfig {
  return defaultNACConfig({
    numClasses,
    tokenizer,
    stateDim: 64,
    codeDim: 32,
    signatureDim: 16,
    numReadIn: 8,
    numPropagators: 16,
    numReadOut: 4,
    numLayers: 2,
    readInHeads: 2,
    numHeads: 2,
    headDim: 32,
    // LayerScale 0.1 (the paper's value for its 26.7 M model) slows small models down about 3x.
    layerScale: 1.0,
    dropPath: { readIn: 0, propagator: 0, readOut: 0 },
    priors: {
      readIn: { preset: 'none' },
      propagator: { preset: 'barabasi-albert', m: 2 },
      readOut: { preset: 'none' },
      fitTruncation: 0.8,
      fitSteps: 300,
    },
  });
}

/** A Perceiver IO of about the same size and depth as {@link smallNAC}: 16 latents × 64, depth 2. */
export function smallPerceiverIO(tokenizer: TokenizerConfig, numClasses: number): PerceiverIOModelConfig {
  return {
    model: 'perceiver-io',
    tokenizer,
    perceiver: {
      numLatents: 16,
      latentDim: 64,
      depth: 2,
      crossHeads: 1,
      crossDimHead: 32,
      latentHeads: 2,
      latentDimHead: 32,
      ffnMult: 2,
      queriesDim: 64,
      numClasses,
    },
  };
}

/**
 * 28×28 grey images through the paper's tokenizer at femto depth: a 4×4 stride-4 conv stem to 64
 * channels (stage width d/4 with d = 256), one ConvNeXt block, and a learned 16-d positional grid
 * (N(0,1) init) concatenated: 7×7 = 49 tokens of 80 values. (With 16 channels, or with plain 4×4
 * patches and small learned positions, both models learned about twice as slowly.)
 */
function imageTokenizer28(): TokenizerConfig {
  return { type: 'convnext', imageSize: [28, 28], inChannels: 1, stateDim: 256, preset: 'femto', numStages: 1, positionalGridDim: 16 };
}

/** 2-D point sets (digits or clothes as pixel clouds): Fourier features of each point → one token. */
function points2d(): TokenizerConfig {
  return { type: 'points', numPoints: 256, pointDim: 2, tokenDim: 32, encoding: 'fourier', fourierBands: 32, fourierScale: 1 };
}

const noAugment = { padCrop: 0, hflip: false, pointJitter: 0 };
const pointRecipe: Partial<TrainConfig> = {
  epochs: 2,
  batchSize: 64,
  lr: 2e-3,
  augment: { ...noAugment, pointJitter: 0.01 },
  data: { numPoints: 256, maxLength: 0, stripHeaders: true, split: 'default' },
};
const imageRecipe: Partial<TrainConfig> = { epochs: 2, batchSize: 128, lr: 3e-3, evalEvery: 300, augment: noAugment };

/** Every task by name. */
export const TASKS: Record<string, TaskSpec> = {
  'fashion-mnist': {
    dataset: 'fashion-mnist',
    description: 'Fashion-MNIST, 10 clothing classes, 28×28 grey (60k train / 10k test)',
    numClasses: 10,
    tokenizer: imageTokenizer28,
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    train: imageRecipe,
  },
  mnist: {
    dataset: 'mnist',
    description: 'MNIST digits, 28×28 grey (60k train / 10k test)',
    numClasses: 10,
    tokenizer: imageTokenizer28,
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    train: imageRecipe,
  },
  'mnist-points': {
    dataset: 'mnist-points',
    description: 'MNIST as 2-D point sets (PointNet protocol): 256 (x, y) points per digit',
    numClasses: 10,
    tokenizer: points2d,
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    dataOptions: ['numPoints'],
    train: pointRecipe,
  },
  'fashion-mnist-points': {
    dataset: 'fashion-mnist-points',
    description: 'Fashion-MNIST as 2-D point sets: 256 (x, y) points per image',
    numClasses: 10,
    tokenizer: points2d,
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    dataOptions: ['numPoints'],
    train: pointRecipe,
  },
  'kicad-points': {
    dataset: 'kicad-points',
    description: 'KiCad 3-D component models as point clouds (class = library family); needs npm run fetch-data -- kicad-points',
    numClasses: null,
    tokenizer: () => ({
      type: 'points',
      numPoints: 256,
      pointDim: 3,
      tokenDim: 32,
      encoding: 'fourier',
      fourierBands: 32,
      fourierScale: 1,
    }),
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    dataOptions: ['numPoints'],
    fixedSplits: true,
    train: { ...pointRecipe, epochs: 10, batchSize: 32 },
  },
  'listops-short': {
    dataset: 'listops-short',
    description: 'ListOps (Long-Range-Arena recipe), short CPU variant: expressions of up to 200 symbols, 10 classes',
    numClasses: 10,
    tokenizer: () => ({ type: 'symbols', vocabSize: 16, maxLength: 200, tokenDim: 32, padId: 0 }),
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    dataOptions: ['maxLength'],
    train: { epochs: 3, batchSize: 64, lr: 1e-3, augment: noAugment, labelSmoothing: 0 },
  },
  listops: {
    dataset: 'listops',
    description: 'ListOps (Long-Range-Arena recipe): expressions of 500–2000 symbols, 10 classes',
    numClasses: 10,
    tokenizer: () => ({ type: 'symbols', vocabSize: 16, maxLength: 2000, tokenDim: 32, padId: 0 }),
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    dataOptions: ['maxLength'],
    train: { epochs: 1, batchSize: 32, lr: 1e-3, augment: noAugment, labelSmoothing: 0 },
  },
  'spam-assassin': {
    dataset: 'spam-assassin',
    description: 'SpamAssassin e-mails as raw bytes (headers stripped by default): ham vs spam, first 1024 bytes, byte 5-grams',
    numClasses: 2,
    tokenizer: () => ({ type: 'bytes', maxLength: 1024, tokenDim: 32, embedDim: 16, groupSize: 4, vocabSize: 257, padId: 256, ngram: 5 }),
    nac: smallNAC,
    perceiverIO: smallPerceiverIO,
    dataOptions: ['maxLength', 'stripHeaders', 'split'],
    train: {
      epochs: 20,
      batchSize: 32,
      lr: 2e-3,
      augment: noAugment,
      data: { numPoints: 0, maxLength: 1024, stripHeaders: true, split: 'default' },
    },
  },
};

/** The names of all tasks. */
export const TASK_NAMES = (): string[] => Object.keys(TASKS);

/** Looks up a task; throws naming the allowed names. */
export function taskSpec(name: string): TaskSpec {
  const t = TASKS[name];
  if (!t) throw new Error(`unknown task '${name}'; allowed: ${TASK_NAMES().join(', ')}`);
  return t;
}

/** The default run of a task for a model kind. */
export function defaultRun(task: string, kind: ModelConfig['model']): RunConfig {
  const t = taskSpec(task);
  const tokenizer = t.tokenizer();
  const classes = t.numClasses ?? 2;
  const model = kind === 'nac' ? t.nac(tokenizer, classes) : t.perceiverIO(tokenizer, classes);
  const base = defaultTrainConfig(task);
  return { model, train: { ...base, ...structuredClone(t.train) } };
}

/** Sets the number of classes of a model config (for tasks whose class count comes from the data). */
export function withNumClasses(model: ModelConfig, numClasses: number): ModelConfig {
  return model.model === 'nac' ? { ...model, numClasses } : { ...model, perceiver: { ...model.perceiver, numClasses } };
}
