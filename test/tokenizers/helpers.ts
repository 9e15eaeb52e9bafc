// Test helpers shared by the tokenizer and baseline tests: backend switching and reference-weight import.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend.js';
import { readSafetensors } from '../../src/io/safetensors-file.js';
import type { Module } from '../../src/nn/module.js';
import type { ReferenceMapper } from '../../src/tokenizers/tokenizer.js';

export const FIXTURE_DIR = '/work/shared/fixtures/official-nac/small-scale-free';

/** Switches tfjs to `name` through the engine (which also registers the wasm gradient patch kernels). */
export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  await initBackend({ backend: name, quiet: true });
  if (tf.getBackend() !== name) throw new Error(`could not switch tfjs to the ${name} backend`);
}

/** Reads one tensor of a safetensors file as a tf.Tensor. */
export function readTensor(path: string, name: string): tf.Tensor {
  const t = readSafetensors(path).tensors.get(name);
  if (!t) throw new Error(`${path}: no tensor '${name}'`);
  return tf.tensor(t.data as Float32Array, t.shape);
}

/**
 * Loads every reference tensor whose name starts with `prefix` into `module` through `mapper`
 * (strict: every module parameter must be covered, and every reference name must map).
 */
export function importReference(module: Module, path: string, prefix: string, mapper: ReferenceMapper): void {
  const values = new Map<string, tf.Tensor>();
  const unmapped: string[] = [];
  for (const [name, raw] of readSafetensors(path).tensors) {
    if (!name.startsWith(prefix)) continue;
    const m = mapper(name.slice(prefix.length));
    if (!m) {
      unmapped.push(name);
      continue;
    }
    const t = tf.tensor(raw.data as Float32Array, raw.shape);
    values.set(m.name, m.convert ? tf.tidy(() => m.convert!(t)) : t.clone());
    t.dispose();
  }
  if (unmapped.length) throw new Error(`unmapped reference parameters: ${unmapped.join(', ')}`);
  try {
    module.loadParameters(values);
  } finally {
    for (const t of values.values()) t.dispose();
  }
}

/** max |a − b| / max |b|. */
export function relMaxError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => {
    const num = a.sub(b).abs().max().dataSync()[0] as number;
    const den = b.abs().max().dataSync()[0] as number;
    return num / den;
  });
}
