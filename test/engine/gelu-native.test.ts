// The fused exact GELU of the wasm backend (src/engine/kernels/gelu-native.ts) against the composite
// tfjs version on cpu: values and gradients to float32 rounding, finite differences, one kernel each way,
// special values, and the composite version back after setWasmGelu(null). Run with the native add-on
// (native/src/unary-math.c; skipped without one that has gelu(), the suite name says why, unless
// NAC_REQUIRE_NATIVE=1) and with the wasm SIMD module (wasm/src/unary.c, native: false).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { GELU_GRAD_KERNEL, GELU_KERNEL, setWasmGelu } from '../../src/engine/kernels/gelu-native.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { gelu } from '../../src/nn/activations.js';
import { gradCheck, randomProjection } from '../helpers/gradcheck.js';
import { heapEngines, onBackend, quietTfjs, randomData, relError } from './helpers.js';

quietTfjs();
const status = await loadNativeBlas();
const native = status.blas?.gelu != null;

describe.each(heapEngines(native, status.detail))('fused GELU on wasm through the %s%s', (_engine, useNative, skipped) => {
  // Without an add-on that has this kernel the native suite is skipped; its name says why.
  if (skipped !== '') return void it.skip(skipped, () => undefined);
  beforeAll(async () => {
    if (useNative) expect(native, `NAC_REQUIRE_NATIVE=1 but the add-on has no gelu(): ${status.detail}`).toBe(true);
    await initBackend({ backend: 'wasm', quiet: true, native: useNative });
  });

  it('equals the composite version on cpu, values and gradients, odd sizes and special values included', async () => {
    const specials = [0, -0, 1e-30, -1e-30, 0.5, -0.5, 3, -3, 5.5, -5.5, 10, -10, 40, -40];
    for (const n of [1, 7, 4099]) {
      const values = [...specials, ...Array.from(randomData(n, n), (v) => v * 6)].slice(0, Math.max(n, 1));
      const run = (): tf.Tensor[] => {
        const x = tf.tensor1d(values);
        const w = tf.tensor1d(Array.from(randomData(values.length, 2)));
        return [gelu(x), tf.grad((t: tf.Tensor) => gelu(t).mul(w).sum())(x)];
      };
      const [yw, gw] = await onBackend('wasm', run);
      const [yc, gc] = await onBackend('cpu', run);
      expect(relError(yw!, yc!), `values n=${n}`).toBeLessThan(2e-6);
      expect(relError(gw!, gc!), `gradient n=${n}`).toBeLessThan(2e-6);
    }
  });

  it('matches finite differences', () => {
    const x = tf.variable(tf.randomNormal([3, 20], 0, 2, 'float32', 7));
    const r = randomProjection([3, 20], 8);
    const res = gradCheck(() => tf.tidy(() => tf.sum(gelu(x).mul(r)) as tf.Scalar), [x], { samples: 12 });
    expect(res.maxRelError).toBeLessThan(2e-2);
    tf.dispose([x, r]);
  });

  it('is one kernel each way and leaks nothing; setWasmGelu(null) goes back to the composite version', async () => {
    const x = tf.randomNormal([4, 16, 32]);
    const before = tf.memory().numTensors;
    const prof = await tf.profile(() =>
      tf
        .grad((t: tf.Tensor) => gelu(t).sum())(x)
        .dispose(),
    );
    const names = prof.kernels.map((k) => k.name);
    expect(names.filter((n) => n === GELU_KERNEL || n === GELU_GRAD_KERNEL)).toEqual([GELU_KERNEL, GELU_GRAD_KERNEL]);
    expect(names).not.toContain('Erf');
    expect(tf.memory().numTensors).toBe(before);
    expect(setWasmGelu(null)).toBe(false);
    const composite = await tf.profile(() => gelu(x).dispose());
    expect(composite.kernels.map((k) => k.name)).toContain('Erf');
    x.dispose();
  });

  // Argument checks are the add-on's: the SIMD module has none (its TypeScript callers pass valid offsets).
  it.skipIf(!useNative)('rejects operands outside the heap and bad arguments (the add-on checks them)', () => {
    const blas = status.blas!;
    const heap = new ArrayBuffer(256);
    expect(() => blas.gelu!(heap, 0, 0, 0, 200, 16)).toThrow(/out of the heap's bounds/);
    expect(() => blas.gelu!(heap, 2 as 0, 0, 0, 64, 4)).toThrow(/mode must be 0/);
    expect(() => blas.gelu!(heap, 1, 0, 64, 128, 16)).not.toThrow();
  });
});
