// The block Sum of the webgpu backend (src/engine/kernels/sum-webgpu.ts) against sums computed here in
// double precision: leading and middle blocks, one and two kernels, keepDims, and the cases it leaves
// to the stock kernel. Runs only where WebGPU works (the optional `webgpu` package and a Vulkan
// driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"); CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { Rng } from '../../src/util/rng.js';
import { startWebGpuForTests } from './helpers.js';

const webgpu = await startWebGpuForTests();

/** Sum of `x` (row-major `shape`) over `axes`, in double precision. */
function hostSum(x: Float32Array, shape: number[], axes: number[]): Float64Array {
  const keep = shape.map((_, i) => !axes.includes(i));
  const outShape = shape.filter((_, i) => keep[i]);
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < x.length; flat++) {
    let o = 0;
    shape.forEach((d, i) => {
      if (keep[i]) o = o * d + (idx[i] as number);
    });
    out[o] = (out[o] as number) + (x[flat] as number);
    for (let i = shape.length - 1; i >= 0; i--) {
      idx[i] = (idx[i] as number) + 1;
      if ((idx[i] as number) < (shape[i] as number)) break;
      idx[i] = 0;
    }
  }
  return out;
}

// Skipped where WebGPU does not run (no `webgpu` package or no Vulkan driver), as in CI.
describe.skipIf(!webgpu)('block Sum on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
  });

  it('equals a double-precision sum for leading, middle, long and kept blocks, and stock cases', async () => {
    const rng = new Rng(5);
    const cases: Array<[number[], number[], boolean]> = [
      [[4, 6, 5, 7], [1], false], // attention bias over heads
      [[300, 20], [0], false], // one kernel
      [[1500, 8], [0], true], // two kernels (block longer than 2 chunks), keepDims
      [[3, 40, 5, 6], [0, 1], false], // leading block of two axes
      [[5, 7], [1], false], // innermost axis: stock kernel
      [[4, 5, 6], [0, 2], false], // scattered axes: stock kernel
    ];
    for (const [shape, axes, keepDims] of cases) {
      const values = Float32Array.from(
        rng.normalArray(
          shape.reduce((a, b) => a * b, 1),
          1,
        ),
      );
      const x = tf.tensor(values, shape);
      const y = tf.sum(x, axes, keepDims);
      const expected = hostSum(values, shape, axes);
      const got = (await y.data()) as Float32Array;
      expect(y.shape).toEqual(keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i)));
      let worst = 0;
      got.forEach(
        (g, i) => (worst = Math.max(worst, Math.abs(g - (expected[i] as number)) / Math.max(1, Math.abs(expected[i] as number)))),
      );
      expect(worst, `shape [${shape}] axes [${axes}]`).toBeLessThan(1e-4); // float32 sums of up to 1,500 terms
      tf.dispose([x, y]);
    }
  });

  it('runs one or two kernels and leaks nothing', async () => {
    const x = tf.randomNormal([1500, 8]);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => tf.sum(x, 0).dispose());
    expect(info.kernels.map((k) => k.name)).toEqual(['Sum']);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
