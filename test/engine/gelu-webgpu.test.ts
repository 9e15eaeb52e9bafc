// The fused GELU of the webgpu backend (src/engine/kernels/gelu-webgpu.ts, reached through gelu() in
// src/nn/activations.ts) against the composed tfjs ops on the same backend: values and gradients to float32
// rounding over odd sizes and special values, one program each way, and the composed ops back when the
// kernels are removed. Runs only where WebGPU works (the optional `webgpu` package and a Vulkan driver, e.g.
// lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"); CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { setWebGpuGelu } from '../../src/engine/kernels/gelu-webgpu.js';
import { gelu } from '../../src/nn/activations.js';
import { randomData, relError, spyWebGpuPrograms, startWebGpuForTests } from './helpers.js';

const webgpu = await startWebGpuForTests();

/** gelu(x) and d/dx Σ gelu(x)·w, read back. */
async function valueAndGrad(values: number[]): Promise<[Float32Array, Float32Array]> {
  const x = tf.tensor1d(values);
  const w = tf.tensor1d(Array.from(randomData(values.length, 2)));
  const y = gelu(x);
  const g = tf.grad((t: tf.Tensor) => gelu(t).mul(w).sum())(x);
  const out: [Float32Array, Float32Array] = [(await y.data()) as Float32Array, (await g.data()) as Float32Array];
  tf.dispose([x, w, y, g]);
  return out;
}

describe.skipIf(!webgpu)('fused GELU on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
  });
  afterAll(() => setWebGpuGelu(true));

  it('equals the composed ops, values and gradients, odd sizes and special values included', async () => {
    const specials = [0, -0, 1e-30, -1e-30, 0.5, -0.5, 3, -3, 5.5, -5.5, 10, -10, 40, -40];
    for (const n of [1, 7, 4099]) {
      const values = [...specials, ...Array.from(randomData(n, n), (v) => v * 6)].slice(0, Math.max(n, 1));
      setWebGpuGelu(true);
      const [yf, gf] = await valueAndGrad(values);
      setWebGpuGelu(false);
      const [yc, gc] = await valueAndGrad(values);
      expect(relError(yf, yc), `values n=${n}`).toBeLessThan(2e-6);
      expect(relError(gf, gc), `gradient n=${n}`).toBeLessThan(2e-6);
    }
  });

  it('runs one program forward and one backward, and the composed ops when removed', () => {
    const { programs, restore } = spyWebGpuPrograms();
    try {
      const x = tf.randomNormal([5, 33], 0, 2, 'float32', 3);
      setWebGpuGelu(true);
      expect(programs(() => gelu(x))).toEqual(['nacGelu']);
      const grads = programs(() => tf.grad((t: tf.Tensor) => gelu(t).sum())(x));
      expect(grads.filter((k) => k.startsWith('nacGelu'))).toEqual(['nacGelu', 'nacGeluGrad']);
      setWebGpuGelu(false);
      const composed = programs(() => gelu(x));
      expect(composed).not.toContain('nacGelu');
      expect(composed.length).toBeGreaterThanOrEqual(4);
      x.dispose();
    } finally {
      restore();
    }
  });
});
