/**
 * The reference-parity check: import a fixture made by the authors' PyTorch code (config.json,
 * weights.safetensors, inputs.safetensors, expected.safetensors), run our NAC in eval mode on its
 * inputs, and measure the largest relative error of each intermediate against the reference:
 * max |ours − ref| / max |ref|.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RawTensor } from '../io/safetensors.js';
import { readSafetensors } from '../io/safetensors-file.js';
import { importReferenceWeights, translateReferenceConfig } from '../io/reference-import.js';
import { NAC, type NACOutputs } from '../model/nac.js';
import type { NACConfig } from '../config/nac-config.js';

/** The outputs compared, in data-flow order. */
export const CHECKED_OUTPUTS = ['tokens', 'input_states', 'mediator_states', 'output_states', 'logits'] as const;
const OURS: Record<(typeof CHECKED_OUTPUTS)[number], keyof NACOutputs> = {
  tokens: 'tokens',
  input_states: 'inputStates',
  mediator_states: 'mediatorStates',
  output_states: 'outputStates',
  logits: 'logits',
};

export interface ParityRow {
  name: string;
  shape: number[];
  maxAbsError: number;
  maxAbsReference: number;
  relativeError: number;
}

export interface ParityReport {
  fixture: string;
  config: NACConfig;
  rows: ParityRow[];
  maxRelativeError: number;
  /** Non-fatal notes from the import (e.g. a prior recorded as 'none'). */
  warnings: string[];
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot read fixture file ${file}: ${(e as Error).message}`);
  }
}

function toTensor(raw: RawTensor): tf.Tensor {
  return tf.tensor(raw.data as Float32Array, raw.shape, 'float32');
}

/** Builds our NAC from a reference fixture folder and loads its weights. The caller disposes it. */
export function loadReferenceFixture(dir: string): { model: NAC; images: tf.Tensor; expected: Map<string, RawTensor>; warnings: string[] } {
  const cfgJson = readJson(path.join(dir, 'config.json'));
  const inputs = readSafetensors(path.join(dir, 'inputs.safetensors')).tensors;
  const images = inputs.get('images');
  if (!images || images.shape.length !== 4) throw new Error(`${dir}/inputs.safetensors must hold 'images' as N×C×H×W`);
  const [, , H, W] = images.shape as [number, number, number, number];
  const stateDict = readSafetensors(path.join(dir, 'weights.safetensors')).tensors;
  const { config, warnings } = translateReferenceConfig(
    (cfgJson.model_kwargs ?? {}) as Record<string, unknown>,
    [H, W],
    new Set(stateDict.keys()),
  );
  const model = new NAC(config, { skipPriorFit: true });
  const ours = new Map([...model.namedParameters()].map(([n, v]) => [n, { shape: v.shape, trainable: v.trainable }] as const));
  let weights: Map<string, tf.Tensor>;
  try {
    weights = importReferenceWeights(stateDict, ours);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.loadParameters(weights, { strict: false });
  for (const t of weights.values()) t.dispose();
  model.eval();
  const nhwc = tf.tidy(() => toTensor(images).transpose([0, 2, 3, 1]));
  return { model, images: nhwc, expected: readSafetensors(path.join(dir, 'expected.safetensors')).tensors, warnings };
}

/** Runs the parity check on one fixture folder. */
export function referenceCheck(dir: string): ParityReport {
  const { model, images, expected, warnings } = loadReferenceFixture(dir);
  try {
    const out = model.forwardDetailed(images);
    const rows: ParityRow[] = [];
    for (const name of CHECKED_OUTPUTS) {
      const ref = expected.get(name);
      if (!ref) throw new Error(`${dir}/expected.safetensors has no '${name}'`);
      const ours = out[OURS[name]];
      if (!tf.util.arraysEqual(ours.shape, ref.shape)) {
        throw new Error(`'${name}': our shape [${ours.shape}] differs from the reference's [${ref.shape}]`);
      }
      const [maxErr, maxRef] = tf.tidy(() => {
        const r = toTensor(ref);
        return [tf.max(tf.abs(ours.sub(r))).dataSync()[0] as number, tf.max(tf.abs(r)).dataSync()[0] as number];
      });
      rows.push({
        name,
        shape: [...ours.shape],
        maxAbsError: maxErr,
        maxAbsReference: maxRef,
        relativeError: maxErr / Math.max(maxRef, 1e-30),
      });
    }
    for (const t of Object.values(out)) (t as tf.Tensor).dispose();
    return { fixture: dir, config: model.config, rows, maxRelativeError: Math.max(...rows.map((r) => r.relativeError)), warnings };
  } finally {
    images.dispose();
    model.dispose();
  }
}
