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
import { nacConfigFromJSON, type NACConfig } from '../config/nac-config.js';
import { NAC } from '../model/nac.js';
import type { Module } from '../nn/module.js';

export const MODEL_FORMAT = 'neural-attentive-circuits/model@1';

/** Saves a module's config and parameters to `dir` (created if needed). */
export function saveModelDir(dir: string, config: object, model: Module): void {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, v] of model.namedParameters()) tensors.set(name, { shape: [...v.shape], data: v.dataSync() as Float32Array });
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'weights.safetensors'), serializeSafetensors(tensors, { format: MODEL_FORMAT }));
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify({ format: MODEL_FORMAT, config }, null, 2)}\n`);
}

/** Reads a model folder's config (validated) without building the model. */
export function readModelConfig(dir: string): NACConfig {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new Error(`${dir} is not a model folder: ${file} is missing`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { format?: string; config?: unknown };
  if (raw.format !== MODEL_FORMAT) {
    throw new Error(`${file}: unknown format ${JSON.stringify(raw.format)}; expected '${MODEL_FORMAT}'`);
  }
  return nacConfigFromJSON(JSON.stringify(raw.config), `${file}: config`);
}

/** Loads a NAC from a model folder. Throws naming any missing, unexpected or misshapen weight. */
export function loadModelDir(dir: string): NAC {
  const config = readModelConfig(dir);
  const { tensors } = readSafetensors(path.join(dir, 'weights.safetensors'));
  const model = new NAC(config, { skipPriorFit: true });
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
