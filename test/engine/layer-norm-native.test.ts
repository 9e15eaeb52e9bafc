// The fused layer norm of the wasm backend (src/engine/kernels/layer-norm-native.ts, core in
// native/src/core/layer-norm-core.h) against the composite tfjs version on cpu: values and gradients
// equal to float32 rounding, by finite differences too, one kernel each way, and off with
// setWasmLayerNorm(null). Run with the native add-on (skipped without one that has layerNorm(), the suite
// name says why, unless NAC_REQUIRE_NATIVE=1) and with the same core in the wasm SIMD module (native: false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { LAYER_NORM_KERNEL } from '../../src/engine/kernels/layer-norm-webgpu.js';
import { setWasmLayerNorm } from '../../src/engine/kernels/layer-norm-native.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';
import { heapEngines, onBackend, relError } from './helpers.js';

const status = await loadNativeBlas();
const native = status.blas?.layerNorm != null;

describe.each(heapEngines(native, status.detail))('fused layer norm on wasm through the %s%s', (_engine, useNative, skipped) => {
  // Without an add-on that has this kernel the native suite is skipped; its name says why.
  if (skipped !== '') return void it.skip(skipped, () => undefined);
  beforeAll(async () => {
    if (useNative) expect(native, `NAC_REQUIRE_NATIVE=1 but the add-on has no layerNorm(): ${status.detail}`).toBe(true);
    await initBackend({ backend: 'wasm', quiet: true, native: useNative });
  });
  afterAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('equals the composite version on cpu, values and gradients, on several shapes', async () => {
    for (const [shape, eps] of [
      [[3, 5, 64], 1e-5],
      [[7, 384], 1e-6],
      [[2, 3], 1e-5],
      [[4, 1], 1e-5],
    ] as Array<[number[], number]>) {
      const run = (): tf.Tensor[] => {
        const rng = new Rng(3);
        const size = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor(rng.normalArray(size, 2), shape).add(0.5);
        const w = tf.tensor(rng.normalArray(size, 1), shape);
        return [layerNorm(x, eps), tf.grad((t: tf.Tensor) => layerNorm(t, eps).mul(w).sum())(x)];
      };
      const [yw, gw] = await onBackend('wasm', run);
      const [yc, gc] = await onBackend('cpu', run);
      expect(relError(yw!, yc!)).toBeLessThan(1e-5);
      expect(relError(gw!, gc!)).toBeLessThan(1e-4);
    }
  });

  it('matches finite differences', () => {
    const x = tf.variable(tf.randomNormal([3, 12], 0.3, 2, 'float32', 4));
    const r = randomProjection([3, 12], 5);
    const res = gradCheck(() => tf.tidy(() => tf.sum(layerNorm(x).mul(r)) as tf.Scalar), [x], { samples: 12 });
    expect(res.maxRelError).toBeLessThan(2e-2);
    tf.dispose([x, r]);
  });

  it('is one kernel forward and leaks nothing; setWasmLayerNorm(null) goes back to the composite version', async () => {
    const x = tf.randomNormal([4, 16, 32]);
    const before = tf.memory().numTensors;
    const fused = await tf.profile(() => layerNorm(x).dispose());
    expect(fused.kernels.map((k) => k.name).filter((n) => n !== '')).toEqual([LAYER_NORM_KERNEL]); // '' is customGrad's scope
    expect(tf.memory().numTensors).toBe(before);
    expect(setWasmLayerNorm(null)).toBe(false);
    const composite = await tf.profile(() => layerNorm(x).dispose());
    expect(composite.kernels.length).toBeGreaterThan(3);
    expect(composite.kernels.map((k) => k.name)).not.toContain(LAYER_NORM_KERNEL);
    x.dispose();
  });

  // Argument checks are the add-on's: the SIMD module has none (its TypeScript callers pass valid offsets).
  it.skipIf(!useNative)('rejects operands outside the heap and bad arguments (the add-on checks them)', () => {
    const blas = status.blas!;
    const heap = new ArrayBuffer(256);
    expect(() => blas.layerNorm!(heap, 0, 0, 0, 200, 4, 4, 1e-5)).toThrow(/out of the heap's bounds/);
    expect(() => blas.layerNorm!(heap, 2 as 0, 0, 0, 64, 4, 4, 1e-5)).toThrow(/mode must be 0/);
    expect(() => blas.layerNorm!(heap, 0, 0, 0, 64, 4, 4, -1)).toThrow(/eps/);
    expect(() => blas.layerNorm!(heap, 0, 0, 0, 64, 4, 4, 1e-5)).not.toThrow();
  });
});
