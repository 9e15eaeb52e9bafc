// evaluate()'s test-time augmentation: 'hflip' scores each image by the mean of its and its mirror
// image's class probabilities (checked against a hand computation with a linear model whose weights
// are not mirror-symmetric), 'none' is the plain forward pass, and non-image inputs or unknown modes
// are refused by name.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { Module } from '../../src/nn/module.js';
import { evaluate, type TestTimeAugmentation } from '../../src/train/evaluate.js';

const H = 2;
const W = 3;
const C = 2; // classes

/** logits = flatten(x) · weight, with weight[i][c] = (i + 1)·(c ? −1 : 1)/4: mirroring changes the logits. */
class LinearModel extends Module {
  weight = tf.tensor2d(
    Array.from({ length: H * W * C }, (_, k) => ((Math.floor(k / C) + 1) * (k % C ? -1 : 1)) / 4),
    [H * W, C],
  );
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x.reshape([x.shape[0] as number, H * W]), this.weight);
  }
}

const images = [
  [1, 0, 0, 0, 0, 0],
  [0, 0, 1, 0, 0, 1],
  [0.5, -1, 2, 0, 1, -0.5],
];
const data = new ArrayDataset({
  name: 'tiny',
  kind: 'image',
  exampleShape: [H, W, 1],
  dtype: 'float32',
  classNames: ['a', 'b'],
  data: Float32Array.from(images.flat()),
  labels: Int32Array.from([0, 1, 1]),
});

/** Hand computation: softmax of flatten(x)·weight in double precision. */
function probs(model: LinearModel, pixels: number[]): number[] {
  const w = model.weight.arraySync() as number[][];
  const z = [0, 1].map((c) => pixels.reduce((s, p, i) => s + p * (w[i] as number[])[c]!, 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  return e.map((v) => v / (e[0]! + e[1]!));
}
const mirror = (p: number[]): number[] => [p[2]!, p[1]!, p[0]!, p[5]!, p[4]!, p[3]!];

describe('evaluate with test-time augmentation', () => {
  it("'hflip' returns log of the mean probabilities of the image and its mirror image", async () => {
    const model = new LinearModel();
    const r = await evaluate(model, data, { tta: 'hflip', keepLogits: true });
    images.forEach((img, b) => {
      const a = probs(model, img);
      const f = probs(model, mirror(img));
      for (let c = 0; c < C; c++) expect(r.logits![b * C + c]).toBeCloseTo(Math.log((a[c]! + f[c]!) / 2), 5);
    });
    const plain = await evaluate(model, data, { keepLogits: true });
    images.forEach((img, b) => {
      const a = probs(model, img);
      expect(plain.logits![b * C + 1]! - plain.logits![b * C]!).toBeCloseTo(Math.log(a[1]! / a[0]!), 5);
    });
    expect(r.logits).not.toEqual(plain.logits);
    model.weight.dispose();
  });

  it('refuses non-image inputs and unknown modes, naming the option', async () => {
    const model = new LinearModel();
    const flat = new ArrayDataset({
      name: 'flat',
      kind: 'points',
      exampleShape: [H * W],
      dtype: 'float32',
      classNames: ['a', 'b'],
      data: Float32Array.from(images.flat()),
      labels: Int32Array.from([0, 1, 1]),
    });
    await expect(evaluate(model, flat, { tta: 'hflip' })).rejects.toThrow(/tta: 'hflip' needs images/);
    await expect(evaluate(model, data, { tta: 'vflip' as TestTimeAugmentation })).rejects.toThrow(/tta: got 'vflip'; allowed: none, hflip/);
    model.weight.dispose();
  });
});
