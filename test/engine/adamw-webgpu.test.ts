// The fused AdamW kernels of the webgpu backend (src/engine/kernels/adamw-webgpu.ts) against the
// composite flat update they replace, on the same parameters and gradients: equal to float32 rounding,
// fewer kernels, no leaked tensors. Runs only where WebGPU works (the optional `webgpu` package and a
// Vulkan driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"); CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { AdamW } from '../../src/train/adamw.js';
import { Rng } from '../../src/util/rng.js';
import { startWebGpuForTests } from './helpers.js';

const webgpu = await startWebGpuForTests();

/** Runs 3 AdamW steps on a fixed parameter set; returns the final values and kernels per step. */
async function run(fused: boolean): Promise<{ values: Float32Array[]; kernels: number }> {
  process.env['NAC_FUSED_ADAMW'] = fused ? '1' : '0';
  const rng = new Rng(7);
  const params = new Map<string, tf.Variable>();
  const shapes = [[16, 8], [8], [5, 3, 2], [300]];
  shapes.forEach((s, i) => {
    const init = tf.tensor(
      rng.normalArray(
        s.reduce((a, b) => a * b, 1),
        1,
      ),
      s,
    );
    params.set(`p${i}.${i % 2 ? 'bias' : 'weight'}`, tf.variable(init));
    init.dispose();
  });
  const opt = new AdamW(params, { lr: 1e-2, weightDecay: 0.1, impl: 'flat', chunkSize: 200 });
  let kernels = 0;
  for (let step = 0; step < 3; step++) {
    const grads = new Map([...params].map(([n, p]) => [n, tf.tensor(rng.normalArray(p.size, 0.1), p.shape)] as const));
    const info = await tf.profile(() => opt.step(grads, 1e-2 * (step + 1), 0.5));
    kernels = info.kernels.length;
    tf.dispose([...grads.values()]);
  }
  const values = await Promise.all([...params.values()].map(async (p) => (await p.data()) as Float32Array));
  opt.dispose();
  tf.dispose([...params.values()]);
  return { values, kernels };
}

// Skipped where WebGPU does not run (no `webgpu` package or no Vulkan driver), as in CI.
describe.skipIf(!webgpu)('fused AdamW on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
  });
  it('equals the composite update to float32 rounding with far fewer kernels, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const composite = await run(false);
    const fused = await run(true);
    delete process.env['NAC_FUSED_ADAMW'];
    composite.values.forEach((c, i) => {
      const f = fused.values[i] as Float32Array;
      let worst = 0;
      c.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - (f[j] as number)) / Math.max(1e-6, Math.abs(x)))));
      expect(worst).toBeLessThan(1e-5);
    });
    expect(fused.kernels).toBeLessThan(composite.kernels / 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
