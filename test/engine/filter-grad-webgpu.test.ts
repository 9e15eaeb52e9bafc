// The batch-split filter gradients of the webgpu backend (src/engine/kernels/filter-grad-webgpu.ts): the
// split everywhere, and on WebGPU the gradients of conv2d and depthwiseConv2d filters against tfjs' own
// kernels (one thread per filter element) for strides, paddings, channel multipliers and ragged chunks.
// The WebGPU part runs only where WebGPU works (the optional `webgpu` package and a Vulkan driver, e.g.
// lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"); CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { TARGET_THREADS, filterGradSplit, setWebGpuSplitFilterGrads } from '../../src/engine/kernels/filter-grad-webgpu.js';
import { startWebGpuForTests } from './helpers.js';

describe('batch split of filter gradients', () => {
  it('covers the batch once, in parts of equal size but the last, about TARGET_THREADS threads', () => {
    for (const [size, batch] of [
      [4704, 128],
      [9408, 128],
      [4608, 128],
      [10, 3],
      [1 << 20, 64],
    ] as const) {
      const [parts, chunk] = filterGradSplit(size, batch);
      expect(parts * chunk).toBeGreaterThanOrEqual(batch);
      expect((parts - 1) * chunk).toBeLessThan(batch);
      expect(parts * size).toBeLessThanOrEqual(Math.max(size, 2 * TARGET_THREADS));
    }
    expect(filterGradSplit(4704, 128)[0]).toBeGreaterThan(32); // the ConvNeXt tokenizer's 7×7×96 filter
    expect(filterGradSplit(1 << 20, 64)).toEqual([1, 64]); // already enough threads
  });
});

const webgpu = await startWebGpuForTests();

describe.skipIf(!webgpu)('batch-split filter gradients on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
  });
  afterAll(() => {
    setWebGpuSplitFilterGrads(false);
  });

  const cases: ['conv' | 'depthwise', number[], number[], number | [number, number], 'same' | 'valid'][] = [
    ['depthwise', [9, 16, 16, 12], [7, 7, 12, 1], 1, 'same'],
    ['depthwise', [5, 9, 11, 6], [3, 3, 6, 2], 2, 'valid'],
    ['conv', [7, 32, 32, 3], [4, 4, 3, 16], 4, 'valid'], // a patchify stem
    ['conv', [6, 10, 9, 5], [3, 2, 5, 7], [2, 1], 'same'],
  ];
  for (const [kind, xShape, fShape, strides, pad] of cases) {
    it(`${kind} x [${xShape}], filter [${fShape}], strides ${strides}, ${pad}: the stock kernel's gradient`, async () => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
      const f = tf.randomNormal(fShape, 0, 1, 'float32', 2);
      const conv = (w: tf.Tensor) =>
        kind === 'conv'
          ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad)
          : tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad);
      const grad = tf.grad((w: tf.Tensor) => conv(w).square().sum());
      setWebGpuSplitFilterGrads(false);
      const stock = await grad(f).data();
      setWebGpuSplitFilterGrads(true);
      const splitT = grad(f);
      const split = await splitT.data();
      expect(splitT.shape).toEqual(fShape);
      const scale = stock.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = split.reduce((m, v, i) => Math.max(m, Math.abs(v - (stock[i] as number))), 0);
      expect(scale).toBeGreaterThan(0);
      expect(diff / scale).toBeLessThan(1e-5);
      tf.dispose([x, f, splitT]);
    });
  }
});
