/**
 * Model folders on disk (Node only): `config.json` and `weights.safetensors` as ./model-files.ts
 * serialises them. Each file is written atomically; weights go first so that a folder whose
 * config.json exists always has the weights it describes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { readSafetensorsBytes } from './safetensors-file.js';
import { modelFromFiles, modelToFiles, parseModelConfigFile, type ModelMeta } from './model-files.js';
import type { ClassifierModel, ModelConfig } from '../model/factory.js';
import type { NAC } from '../model/nac.js';
import type { Module } from '../nn/module.js';

export { MODEL_FORMAT, type ModelMeta } from './model-files.js';

/** Saves a module's config and parameters (and optional metadata) to `dir` (created if needed), on any backend. */
export async function saveModelDir(dir: string, config: object, model: Module, meta?: ModelMeta): Promise<void> {
  const files = await modelToFiles(config, model, meta);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'weights.safetensors'), files.weights);
  writeFileAtomic(path.join(dir, 'config.json'), files.config);
}

function readConfigFile(dir: string): { text: string; file: string } {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) throw new Error(`${dir} is not a model folder: ${file} is missing`);
  return { text: fs.readFileSync(file, 'utf8'), file };
}

/** Reads a model folder's config (NAC or Perceiver IO, validated) without building the model. */
export function readModelConfig(dir: string): ModelConfig {
  const { text, file } = readConfigFile(dir);
  return parseModelConfigFile(text, file).config;
}

/** Reads a model folder's metadata ({} when it has none). */
export function readModelMeta(dir: string): ModelMeta {
  const { text, file } = readConfigFile(dir);
  return parseModelConfigFile(text, file).meta;
}

/** Loads the model of a model folder. Throws naming any missing, unexpected or misshapen weight. */
export function loadModelDir(dir: string): ClassifierModel {
  const { text } = readConfigFile(dir);
  return modelFromFiles({ config: text, weights: readSafetensorsBytes(path.join(dir, 'weights.safetensors')) }, dir);
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
