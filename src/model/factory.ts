/**
 * One entry point for every classifier this package trains: a model config (a NAC config, or a
 * Perceiver IO config with its tokenizer) → a built model. The trainer, model folders and the CLI go
 * through here, so NAC and the Perceiver IO baseline are handled alike.
 */
import type * as tf from '@tensorflow/tfjs';
import { NAC } from './nac.js';
import { validateNACConfig, type NACConfig } from '../config/nac-config.js';
import { ConfigError } from '../config/validate.js';
import { PerceiverIO, createPerceiverIO } from '../baselines/perceiver-io.js';
import { validatePerceiverIOConfig, type PerceiverIOConfig } from '../baselines/perceiver-io-config.js';
import { validateTokenizerConfig, type TokenizerConfig } from '../tokenizers/index.js';
import { rejectUnknownKeys, requireObject } from '../tokenizers/validate.js';
import { Rng } from '../util/rng.js';
import type { Module } from '../nn/module.js';

/** A Perceiver IO baseline as a model config: its hyperparameters and its tokenizer. */
export interface PerceiverIOModelConfig {
  model: 'perceiver-io';
  perceiver: PerceiverIOConfig;
  tokenizer: TokenizerConfig;
}

/** Any model this package can build, train and save. The `model` field tells which. */
export type ModelConfig = NACConfig | PerceiverIOModelConfig;

/** The names of the `model` field. */
export const MODEL_KINDS = ['nac', 'perceiver-io'] as const;

/** A classifier: a module whose forward maps a raw input batch to logits [B, numClasses]. */
export type ClassifierModel = Module & { forward(x: tf.Tensor): tf.Tensor };

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  /** Seed of the weight initialisation (and, for NAC, of the training-noise stream). Default 0. */
  seed?: number;
  /** NAC only: skip fitting signatures to their prior (weights are about to be loaded). */
  skipPriorFit?: boolean;
}

/** Validates a raw model config of either kind; errors name the offending field. */
export function validateModelConfig(raw: unknown, field = 'model'): ModelConfig {
  const o = requireObject(raw, field);
  if (o.model === 'nac') {
    validateNACConfig(o as unknown as NACConfig, field);
    return o as unknown as NACConfig;
  }
  if (o.model === 'perceiver-io') {
    rejectUnknownKeys(o, field, ['model', 'perceiver', 'tokenizer']);
    return {
      model: 'perceiver-io',
      perceiver: validatePerceiverIOConfig(o.perceiver, `${field}.perceiver`),
      tokenizer: validateTokenizerConfig(o.tokenizer, `${field}.tokenizer`),
    };
  }
  throw new ConfigError(`${field}.model`, `must be one of ${MODEL_KINDS.join(', ')}; got ${JSON.stringify(o.model)}`);
}

/** Builds the model a config describes, with weights drawn from `options.seed`. */
export function buildModel(config: ModelConfig, options: BuildModelOptions = {}): ClassifierModel {
  if (config.model === 'nac') return new NAC(config, options);
  return createPerceiverIO({ model: config.perceiver, tokenizer: config.tokenizer }, new Rng(options.seed ?? 0));
}

/** Number of classes a model config predicts. */
export function modelNumClasses(config: ModelConfig): number {
  return config.model === 'nac' ? config.numClasses : config.perceiver.numClasses;
}

/** A short human name for reports: "NAC" or "Perceiver IO". */
export function modelDisplayName(config: ModelConfig): string {
  return config.model === 'nac' ? 'NAC' : 'Perceiver IO';
}

export { NAC, PerceiverIO };
