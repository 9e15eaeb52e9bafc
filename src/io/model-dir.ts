/**
 * Model folders: `config.json` (the model config, with a format tag) and `weights.safetensors`
 * (every parameter by its dotted name, float32). Each file is written atomically; weights go first
 * so that a folder whose config.json exists always has the weights it describes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, serializeSafetensors } from './safetensors.js';
import { writeFileAtomic } from './atomic.js';
import { ConfigError } from '../config/validate.js';
import { buildModel, validateModelConfig, type ClassifierModel, type ModelConfig } from '../model/factory.js';
import type { NAC } from '../model/nac.js';
import type { Module } from '../nn/module.js';

export const MODEL_FORMAT = 'neural-attentive-circuits/model@1';

/** What a trained model folder records about its data, so that eval and predict need no flags. */
export interface ModelMeta {
  /** The task it was trained on (see `nac train --task`). */
  task?: string;
  /** Class names, index = class id. */
  classNames?: string[];
  /** Dataset options it was trained with (points per cloud, sequence length, header stripping). */
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Saves a module's config and parameters (and optional metadata) to `dir` (created if needed). */
export function saveModelDir(dir: string, config: object, model: Module, meta?: ModelMeta): void {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, v] of model.namedParameters()) tensors.set(name, { shape: [...v.shape], data: v.dataSync() as Float32Array });
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'weights.safetensors'), serializeSafetensors(tensors, { format: MODEL_FORMAT }));
  writeFileAtomic(
    path.join(dir, 'config.json'),
    `${JSON.stringify({ format: MODEL_FORMAT, config, ...(meta ? { meta } : {}) }, null, 2)}\n`,
  );
}

/** Reads a model folder's config (NAC or Perceiver IO, validated) without building the model. */
export function readModelConfig(dir: string): ModelConfig {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new Error(`${dir} is not a model folder: ${file} is missing`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: string; config?: unknown };
  if (raw.format !== MODEL_FORMAT) {
    throw new Error(`${file}: unknown format ${JSON.stringify(raw.format)}; expected '${MODEL_FORMAT}'`);
  }
  try {
    return validateModelConfig(raw.config, 'config');
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`${file}: ${e.message}`);
    throw e;
  }
}

/** Reads a model folder's metadata ({} when it has none). */
export function readModelMeta(dir: string): ModelMeta {
  const raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { meta?: ModelMeta };
  return raw.meta ?? {};
}

/** Loads the model of a model folder. Throws naming any missing, unexpected or misshapen weight. */
export function loadModelDir(dir: string): ClassifierModel {
  const config = readModelConfig(dir);
  const { tensors } = readSafetensors(path.join(dir, 'weights.safetensors'));
  const model = buildModel(config, { skipPriorFit: true });
  const values = new Map<string, tf.Tensor>();
  try {
    for (const [name, raw] of tensors) values.set(name, tf.tensor(raw.data as Float32Array, raw.shape, 'float32'));
    model.loadParameters(values);
  } catch (e) {
    model.dispose();
    throw new Error(`${dir}/weights.safetensors does not match config.json: ${(e as Error).message}`);
  } finally {
    for (const t of values.values()) t.dispose();
  }
  return model;
}

/** Loads a model folder that must hold a NAC (e.g. for circuit inspection); throws naming the kind found otherwise. */
export function loadNACModelDir(dir: string): NAC {
  const model = loadModelDir(dir);
  const config = (model as { config?: { model?: string } }).config;
  if (!config || !('model' in config) || config.model !== 'nac') {
    model.dispose();
    throw new Error(`${dir} holds a Perceiver IO model; this needs a NAC model folder`);
  }
  return model as NAC;
}
