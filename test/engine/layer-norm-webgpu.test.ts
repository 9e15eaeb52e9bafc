// The fused layer norm of the webgpu backend (src/engine/kernels/layer-norm-webgpu.ts) against the
// composite tfjs version: values and gradients equal to float32 rounding, one kernel each way, no
// leaks; and the eval LayerNorm with γ and β in one kernel. Runs only where WebGPU works (the optional
// `webgpu` package and a Vulkan driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"); CI runs it on
// lavapipe (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { fusedLayerNorm } from '../../src/engine/kernels/layer-norm-webgpu.js';
import { LayerNorm, layerNorm } from '../../src/nn/layer-norm.js';
import { Rng } from '../../src/util/rng.js';
import { startWebGpuForTests } from './helpers.js';

const webgpu = await startWebGpuForTests();

/** The composite layer norm (what wasm and cpu run). */
const composite = (x: tf.Tensor, eps: number): tf.Tensor =>
  tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
  });

const maxRelDiff = (a: Float32Array, b: Float32Array): number => {
  let worst = 0;
  a.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - (b[i] as number)) / Math.max(1, Math.abs(x)))));
  return worst;
};

// Skipped where WebGPU does not run (no `webgpu` package or no Vulkan driver), as in CI.
describe.skipIf(!webgpu)('fused layer norm on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
  });

  it('equals the composite version, values and gradients, on several shapes', async () => {
    const rng = new Rng(3);
    for (const [shape, eps] of [
      [[3, 5, 64], 1e-5],
      [[7, 384], 1e-6],
      [[2, 3], 1e-5],
      [[2, 33000, 4], 1e-5], // more rows than one dispatch dimension holds (65,535 workgroups)
    ] as Array<[number[], number]>) {
      const size = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(rng.normalArray(size, 2), shape).add(0.5);
      const w = tf.tensor(rng.normalArray(size, 1), shape);
      const loss = (f: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => f(t).mul(w).sum();
      const [yf, yc] = [fusedLayerNorm(x, eps), composite(x, eps)];
      const [gf, gc] = [tf.grad(loss((t) => fusedLayerNorm(t, eps)))(x), tf.grad(loss((t) => composite(t, eps)))(x)];
      expect(maxRelDiff((await yf.data()) as Float32Array, (await yc.data()) as Float32Array)).toBeLessThan(1e-5);
      expect(maxRelDiff((await gf.data()) as Float32Array, (await gc.data()) as Float32Array)).toBeLessThan(1e-4);
      tf.dispose([x, w, yf, yc, gf, gc]);
    }
  });

  it('is what layerNorm runs on webgpu: one kernel forward, leaks nothing', async () => {
    const x = tf.randomNormal([4, 16, 32]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => layerNorm(x).dispose());
    // (tf.customGrad's own scope shows as an unnamed entry.)
    expect(info.kernels.map((k) => k.name).filter((n) => n !== '')).toEqual(['NacLayerNorm']);
    const g = tf.grad((t: tf.Tensor) => layerNorm(t).square().sum())(x);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('runs an eval LayerNorm with γ and β as one kernel, equal to the composed ops; training composes them', async () => {
    const rng = new Rng(4);
    const norm = new LayerNorm(48);
    norm.gamma!.assign(tf.tensor(rng.normalArray(48, 1)).add(1));
    norm.beta!.assign(tf.tensor(rng.normalArray(48, 1)));
    const x = tf.tensor(rng.normalArray(5 * 7 * 48, 2), [5, 7, 48]);
    const info = await tf.profile(() => norm.forward(x));
    expect(info.kernels.map((k) => k.name)).toEqual(['NacLayerNormAffine']);
    const fused = norm.forward(x);
    const want = tf.tidy(() => layerNorm(x).mul(norm.gamma!).add(norm.beta!));
    expect(maxRelDiff((await fused.data()) as Float32Array, (await want.data()) as Float32Array)).toBeLessThan(1e-6);
    // With a gradient recorded the module composes differentiable ops (γ and β get gradients).
    const [gx, gGamma] = tf.grads((t: tf.Tensor, g: tf.Tensor) => tf.tidy(() => layerNorm(t).mul(g).add(norm.beta!).sum()))([
      x,
      norm.gamma!,
    ]);
    const grads = tf.variableGrads(() => norm.forward(x).sum(), [norm.gamma!]);
    expect(maxRelDiff((await grads.grads[norm.gamma!.name]!.data()) as Float32Array, (await gGamma!.data()) as Float32Array)).toBeLessThan(
      1e-5,
    );
    tf.dispose([x, fused, want, gx!, gGamma!, grads.value, ...Object.values(grads.grads)]);
    norm.dispose();
  });
});
