/**
 * The computation the browser test runs twice, in headless Chromium (./page.ts) and in Node, on each
 * backend: load a saved model, compute its logits, fine-tune it with adaptModel, measure its accuracy, save
 * it (modelToFiles) and build it back from the saved files.
 */
import * as tf from '@tensorflow/tfjs';
import {
  adaptModel,
  initBackend,
  modelFromFiles,
  modelToFiles,
  stageAccuracy,
  type BackendName,
  type InitBackendOptions,
} from '../../src/browser.js';
import type { ClassifierModel } from '../../src/model/factory.js';

/** The inputs, served to the page at /case.json. */
export interface BrowserCase {
  backends: BackendName[];
  threads?: number;
  x: number[];
  shape: number[];
  labels: number[];
  steps: number;
  seed: number;
}

/** What one backend gave. */
export interface ScenarioRun {
  backend: string;
  detail: string;
  matMul: string;
  logits: number[];
  losses: number[];
  accuracy: number;
  /** Largest logit difference between the fine-tuned model and the one built from its saved files. */
  savedDiff: number;
  /** tf.memory().numTensors before loading the model and after disposing it. */
  tensors: [number, number];
}

/** Runs the case on each of its backends; `loadModel` gives a fresh copy of the saved model. */
export async function runScenario(
  c: BrowserCase,
  loadModel: () => Promise<ClassifierModel>,
  init: InitBackendOptions = {},
): Promise<ScenarioRun[]> {
  const runs: ScenarioRun[] = [];
  for (const backend of c.backends) {
    const report = await initBackend({ ...init, backend, threads: c.threads, quiet: true });
    const before = tf.memory().numTensors;
    const model = await loadModel();
    const x = tf.tensor(c.x, c.shape);
    const logitsT = model.eval().forward(x);
    const logits = Array.from(await logitsT.data());
    tf.dispose([x, logitsT]);
    const rows = { x: Float32Array.from(c.x), shape: c.shape };
    const labels = Int32Array.from(c.labels);
    const hyper = { policy: 'full', steps: c.steps, lr: 1e-2, headLr: 1e-2, seed: c.seed, mode: 'train' } as const;
    const losses = await adaptModel(model, rows, labels, 'input', hyper);
    const accuracy = await stageAccuracy(model, rows, labels, 'input');
    const savedDiff = await savedRoundTrip(model, c);
    model.dispose();
    const detail = report.available[report.backend].detail;
    runs.push({
      backend: report.backend,
      detail,
      matMul: report.matMul?.detail ?? '',
      logits,
      losses,
      accuracy,
      savedDiff,
      tensors: [before, tf.memory().numTensors],
    });
  }
  return runs;
}

/** Saves `model` (modelToFiles reads its parameters asynchronously), builds it back and compares their eval logits. */
async function savedRoundTrip(model: ClassifierModel, c: BrowserCase): Promise<number> {
  const copy = modelFromFiles(await modelToFiles(model.config, model), 'fine-tuned');
  const x = tf.tensor(c.x, c.shape);
  const [a, b] = [model.eval().forward(x), copy.eval().forward(x)];
  const [da, db] = await Promise.all([a.data(), b.data()]);
  tf.dispose([x, a, b]);
  copy.dispose();
  return da.reduce((m, v, i) => Math.max(m, Math.abs(v - (db[i] as number))), 0);
}
