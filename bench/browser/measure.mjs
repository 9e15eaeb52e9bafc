/**
 * The measurement bench/browser.mjs runs twice, in Node and in headless Chromium (./page.mjs), on the
 * wasm backend: the median eval forward time of a model over `rounds` timed calls (after 2 warm-up calls),
 * and the time per fine-tuning step (adaptModel, policy 'full', training mode) from a 1-step and an
 * N-step run. Imports the package's browser entry point from dist/ (npm run build first).
 */
import * as tf from '@tensorflow/tfjs';
import { adaptModel, buildModel, initBackend } from '../../dist/browser.js';
import { median } from '../measure.mjs';

/**
 * @param {{ config: object, batch: number, inputShape: number[], numClasses: number, rounds: number, trainSteps: number }} c
 * @param {object} init extra initBackend options (wasmPaths, threads, native)
 */
export async function measureWasm(c, init = {}) {
  const report = await initBackend({ backend: 'wasm', quiet: true, ...init });
  const model = buildModel(c.config);
  const x = tf.randomUniform([c.batch, ...c.inputShape], 0, 1, 'float32', 1);
  model.eval();
  for (let i = 0; i < 2; i++) tf.dispose(await model.forward(x).data());
  const forward = [];
  for (let i = 0; i < c.rounds; i++) {
    const t0 = performance.now();
    const y = model.forward(x);
    await y.data();
    forward.push(performance.now() - t0);
    y.dispose();
  }
  const rows = { x: await x.data(), shape: x.shape };
  const labels = Int32Array.from({ length: c.batch }, (_, i) => i % c.numClasses);
  const hyper = { policy: 'full', lr: 1e-3, headLr: 1e-3, seed: 1, mode: 'train' };
  const timed = async (steps) => {
    const t0 = performance.now();
    await adaptModel(model, rows, labels, 'input', { ...hyper, steps });
    return performance.now() - t0;
  };
  await timed(1); // warm-up
  const one = await timed(1);
  const many = await timed(c.trainSteps);
  x.dispose();
  model.dispose();
  return {
    backend: `${report.backend} (${report.available.wasm.detail})`,
    matMul: report.matMul?.detail ?? '',
    forwardMs: median(forward),
    forwardAllMs: forward,
    trainStepMs: (many - one) / (c.trainSteps - 1),
  };
}
