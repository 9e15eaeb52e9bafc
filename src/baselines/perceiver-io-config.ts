/**
 * Configuration of the Perceiver IO baseline (spec §1.12): the model hyperparameters, their validator
 * (errors name the offending field) and presets that pair a model config with a tokenizer config.
 */
import { validateTokenizerConfig, type TokenizerConfig } from '../tokenizers/index.js';
import { intField, rejectUnknownKeys, requireObject } from '../tokenizers/validate.js';

/** Hyperparameters of {@link PerceiverIO} (the tokenizer is passed separately). */
export interface PerceiverIOConfig {
  /** Number of latents N. */
  numLatents: number;
  /** Latent width d. */
  latentDim: number;
  /** Number of untied latent self-attention + FF layers. */
  depth: number;
  /** Heads of the encoder and decoder cross-attentions (reference: 1). */
  crossHeads: number;
  /** Head width of the cross-attentions (reference: 64). */
  crossDimHead: number;
  /** Heads of the latent self-attention. */
  latentHeads: number;
  /** Head width of the latent self-attention (reference: 64). */
  latentDimHead: number;
  /** GEGLU FFN multiplier: hidden width mult·d (reference: 4). */
  ffnMult: number;
  /** Width of the learned classification query. */
  queriesDim: number;
  /** Number of output classes. */
  numClasses: number;
}

/** A model config together with the tokenizer it uses. */
export interface PerceiverIOPreset {
  model: PerceiverIOConfig;
  tokenizer: TokenizerConfig;
}

const PIO_KEYS: (keyof PerceiverIOConfig)[] = [
  'numLatents',
  'latentDim',
  'depth',
  'crossHeads',
  'crossDimHead',
  'latentHeads',
  'latentDimHead',
  'ffnMult',
  'queriesDim',
  'numClasses',
];

/** Defaults of the reference (`external/perceiver_io.py` as configured by the NAC macros). */
export const PERCEIVER_IO_DEFAULTS: Pick<PerceiverIOConfig, 'crossHeads' | 'crossDimHead' | 'latentDimHead' | 'ffnMult'> = {
  crossHeads: 1,
  crossDimHead: 64,
  latentDimHead: 64,
  ffnMult: 4,
};

/**
 * Checks a raw Perceiver IO config, fills the defaults above (crossHeads, crossDimHead, latentDimHead,
 * ffnMult) and returns it typed. Throws an Error naming the offending field under `field`.
 */
export function validatePerceiverIOConfig(raw: unknown, field = 'model'): PerceiverIOConfig {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, PIO_KEYS);
  const d = PERCEIVER_IO_DEFAULTS;
  return {
    numLatents: intField(o, 'numLatents', field),
    latentDim: intField(o, 'latentDim', field),
    depth: intField(o, 'depth', field, { min: 0 }),
    crossHeads: intField(o, 'crossHeads', field, { fallback: d.crossHeads }),
    crossDimHead: intField(o, 'crossDimHead', field, { fallback: d.crossDimHead }),
    latentHeads: intField(o, 'latentHeads', field),
    latentDimHead: intField(o, 'latentDimHead', field, { fallback: d.latentDimHead }),
    ffnMult: intField(o, 'ffnMult', field, { fallback: d.ffnMult }),
    queriesDim: intField(o, 'queriesDim', field),
    numClasses: intField(o, 'numClasses', field),
  };
}

/** Validates both halves of a preset; fields are reported as `${field}.model.*` and `${field}.tokenizer.*`. */
export function validatePerceiverIOPreset(raw: unknown, field = 'perceiverIO'): PerceiverIOPreset {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, ['model', 'tokenizer']);
  return {
    model: validatePerceiverIOConfig(o.model, `${field}.model`),
    tokenizer: validateTokenizerConfig(o.tokenizer, `${field}.tokenizer`),
  };
}

/**
 * `macros/models/perceiver_io_tiny_imnet.yml`: depth 8, 320 latents × 384, 6 latent heads × 64,
 * 1 cross head × 64, GEGLU ×4, queries 384; femto ConvNeXt, 3 stages (96, 192, 384), 4×4 grid of 64
 * → 16 tokens × 448; 64×64×3 images, 200 classes. 23,328,808 parameters (reference: 23.33 M).
 */
export const PERCEIVER_IO_TINY_IMAGENET: PerceiverIOPreset = {
  model: {
    numLatents: 320,
    latentDim: 384,
    depth: 8,
    crossHeads: 1,
    crossDimHead: 64,
    latentHeads: 6,
    latentDimHead: 64,
    ffnMult: 4,
    queriesDim: 384,
    numClasses: 200,
  },
  tokenizer: { type: 'convnext', imageSize: [64, 64], inChannels: 3, stateDim: 384, preset: 'femto', numStages: 3, positionalGridDim: 64 },
};

/** A CPU-sized model for 28×28×1 images (MNIST-like): 4×4 patches → 49 tokens × 64, 32 latents × 64, depth 2. */
export const PERCEIVER_IO_SMALL_CPU: PerceiverIOPreset = {
  model: {
    numLatents: 32,
    latentDim: 64,
    depth: 2,
    crossHeads: 1,
    crossDimHead: 32,
    latentHeads: 2,
    latentDimHead: 32,
    ffnMult: 2,
    queriesDim: 64,
    numClasses: 10,
  },
  tokenizer: { type: 'patch', imageSize: [28, 28], inChannels: 1, patchSize: 4, tokenDim: 64 },
};
