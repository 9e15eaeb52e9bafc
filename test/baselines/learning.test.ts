// Learning test: a small Perceiver IO (patch tokenizer) learns to say which quadrant of an 8×8 image holds a
// bright 2×2 square, to ≥ 95 % held-out accuracy within 60 s on the wasm backend, with a plain tf.train.adam loop.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PerceiverIO, type PerceiverIOConfig } from '../../src/baselines/perceiver-io.js';
import { PatchTokenizer } from '../../src/tokenizers/patch.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from '../tokenizers/helpers.js';

const SIZE = 8;

/** n images [n, 8, 8, 1] (noise σ 0.1, a 2×2 square of 1s at a random spot in a random quadrant) and labels 0..3. */
function quadrantData(n: number, rng: Rng): { x: tf.Tensor4D; y: tf.Tensor1D; labels: number[] } {
  const data = rng.normalArray(n * SIZE * SIZE, 0.1);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = rng.int(4);
    labels.push(q);
    const top = (q >> 1) * 4 + rng.int(3);
    const left = (q & 1) * 4 + rng.int(3);
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) data[i * 64 + (top + dy) * SIZE + left + dx]! += 1;
  }
  return { x: tf.tensor4d(data, [n, SIZE, SIZE, 1]), y: tf.tensor1d(labels, 'int32'), labels };
}

const config: PerceiverIOConfig = {
  numLatents: 8,
  latentDim: 32,
  depth: 1,
  crossHeads: 1,
  crossDimHead: 16,
  latentHeads: 2,
  latentDimHead: 16,
  ffnMult: 2,
  queriesDim: 32,
  numClasses: 4,
};

describe('Perceiver IO learns a synthetic task (wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  it('reaches ≥ 95 % accuracy on the quadrant task in < 60 s', () => {
    const t0 = performance.now();
    const rng = new Rng(2024);
    const tok = new PatchTokenizer({ imageSize: [SIZE, SIZE], inChannels: 1, patchSize: 2, tokenDim: 16 }, rng);
    const model = new PerceiverIO(config, tok, rng);
    const opt = tf.train.adam(3e-3);
    const test = quadrantData(512, new Rng(7));
    const before = tf.memory().numTensors;
    const accuracy = (): number =>
      tf.tidy(() => {
        const pred = model.forward(test.x).argMax(-1);
        return pred.equal(test.y).mean().dataSync()[0] as number;
      });
    let acc = 0;
    let step = 0;
    const maxSteps = 600;
    for (; step < maxSteps; step++) {
      const batch = quadrantData(64, rng);
      tf.tidy(() => {
        const onehot = tf.oneHot(batch.y, 4);
        opt.minimize(() => tf.losses.softmaxCrossEntropy(onehot, model.forward(batch.x)) as tf.Scalar, false, model.trainableParameters());
      });
      tf.dispose([batch.x, batch.y]);
      if ((step + 1) % 25 === 0) {
        acc = accuracy();
        if (acc >= 0.97) break;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `quadrant task: held-out accuracy ${(100 * acc).toFixed(1)} % after ${step + 1} steps, ${seconds.toFixed(1)} s (${tf.getBackend()})`,
    );
    expect(tf.getBackend()).toBe('wasm');
    expect(acc).toBeGreaterThanOrEqual(0.95);
    expect(seconds).toBeLessThan(60);
    tf.dispose([test.x, test.y]);
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  });
});
