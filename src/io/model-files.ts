/**
 * A saved model as two files' contents, with no file system: `config.json` (the model config, with a
 * format tag and optional metadata) and `weights.safetensors` (every parameter by its dotted name,
 * float32). Node writes and reads them as a folder (./model-dir.ts); a browser fetches them
 * ({@link loadModelFromURL}) or takes them from the user (file inputs, IndexedDB).
 */
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';
import { ConfigError } from '../config/validate.js';
import { buildModel, validateModelConfig, type ClassifierModel, type ModelConfig } from '../model/factory.js';
import type { Module } from '../nn/module.js';

/** The format tag in every config.json this package writes. */
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

/** The contents of a model folder's two files. */
export interface ModelFiles {
  /** config.json, as text. */
  config: string;
  /** weights.safetensors, as bytes. */
  weights: Uint8Array;
}

/**
 * Serialises a model: its config (as given), its parameters and optional metadata. Parameters are read
 * asynchronously, so this works on every backend (WebGPU has no synchronous read in Node, and in browsers
 * only a slow one through a canvas).
 */
export async function modelToFiles(config: object, model: Module, meta?: ModelMeta): Promise<ModelFiles> {
  const params = [...model.namedParameters()];
  const values = await Promise.all(params.map(([, v]) => v.data()));
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  params.forEach(([name, v], i) => tensors.set(name, { shape: [...v.shape], data: values[i] as Float32Array }));
  return {
    weights: serializeSafetensors(tensors, { format: MODEL_FORMAT }),
    config: `${JSON.stringify({ format: MODEL_FORMAT, config, ...(meta ? { meta } : {}) }, null, 2)}\n`,
  };
}

/**
 * Parses config.json text: the validated model config (NAC or Perceiver IO) and its metadata ({} when
 * none). `where` names the file in errors, which say what is wrong (not JSON, wrong format tag, which field).
 */
export function parseModelConfigFile(text: string, where = 'config.json'): { config: ModelConfig; meta: ModelMeta } {
  let raw: { format?: string; config?: unknown; meta?: ModelMeta };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  if (raw == null || typeof raw !== 'object') throw new Error(`${where}: expected an object with format and config`);
  if (raw.format !== MODEL_FORMAT) {
    throw new Error(`${where}: unknown format ${JSON.stringify(raw.format)}; expected '${MODEL_FORMAT}'`);
  }
  try {
    return { config: validateModelConfig(raw.config, 'config'), meta: raw.meta ?? {} };
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`${where}: ${e.message}`);
    throw e;
  }
}

/**
 * Builds the model that two files describe. `where` names the model (a folder or URL) in errors; it
 * throws naming any missing, unexpected or misshapen weight.
 */
export function modelFromFiles(files: { config: string; weights: Uint8Array | ArrayBuffer }, where = 'model'): ClassifierModel {
  const { config } = parseModelConfigFile(files.config, `${where}/config.json`);
  const bytes = files.weights instanceof Uint8Array ? files.weights : new Uint8Array(files.weights);
  const { tensors } = parseSafetensors(bytes, `${where}/weights.safetensors`);
  const model = buildModel(config, { skipPriorFit: true });
  const values = new Map<string, tf.Tensor>();
  try {
    for (const [name, raw] of tensors) values.set(name, tf.tensor(raw.data as Float32Array, raw.shape, 'float32'));
    model.loadParameters(values);
  } catch (e) {
    model.dispose();
    throw new Error(`${where}/weights.safetensors does not match config.json: ${(e as Error).message}`);
  } finally {
    for (const t of values.values()) t.dispose();
  }
  return model;
}

/**
 * Loads a model folder served over HTTP (`<url>/config.json`, `<url>/weights.safetensors`), e.g. in a
 * browser. Throws naming the URL and the HTTP status when a file cannot be fetched.
 */
export async function loadModelFromURL(url: string | URL, fetchImpl: typeof fetch = fetch): Promise<ClassifierModel> {
  const base = String(url).replace(/\/+$/, '');
  const get = async (name: string): Promise<Response> => {
    const r = await fetchImpl(`${base}/${name}`);
    if (!r.ok) throw new Error(`cannot fetch ${base}/${name}: HTTP ${r.status} ${r.statusText}`.trimEnd());
    return r;
  };
  const [config, weights] = await Promise.all([
    get('config.json').then((r) => r.text()),
    get('weights.safetensors').then((r) => r.arrayBuffer()),
  ]);
  return modelFromFiles({ config, weights }, base);
}
