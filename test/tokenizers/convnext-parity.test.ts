// Parity of ConvNeXtImageTokenizer with the authors' reference on the small-scale-free fixture.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { ConvNeXtImageTokenizer, convnextReferenceMapper } from '../../src/tokenizers/convnext.js';
import { Rng } from '../../src/util/rng.js';
import { FIXTURE_DIR, importReference, readTensor, relMaxError, useBackend } from './helpers.js';

interface FixtureConfig {
  model_kwargs: {
    input_dim: number;
    state_dim: number;
    input_tokenizer_kwargs: {
      capacity_preset: 'femto';
      num_stages: number;
      positional_grid_kwargs: { dim: number; grid_size: [number, number] };
    };
  };
}

function buildFromFixture(): { tok: ConvNeXtImageTokenizer; images: tf.Tensor; expected: tf.Tensor } {
  const cfg = JSON.parse(fs.readFileSync(`${FIXTURE_DIR}/config.json`, 'utf8')) as FixtureConfig;
  const kw = cfg.model_kwargs.input_tokenizer_kwargs;
  const nchw = readTensor(`${FIXTURE_DIR}/inputs.safetensors`, 'images');
  const images = tf.transpose(nchw, [0, 2, 3, 1]);
  nchw.dispose();
  const [, h, w] = images.shape as number[];
  const tok = new ConvNeXtImageTokenizer(
    {
      imageSize: [h as number, w as number],
      inChannels: cfg.model_kwargs.input_dim,
      stateDim: cfg.model_kwargs.state_dim,
      preset: kw.capacity_preset,
      numStages: kw.num_stages,
      positionalGridDim: kw.positional_grid_kwargs.dim,
    },
    new Rng(0),
  );
  expect(tok.featureSize).toEqual(kw.positional_grid_kwargs.grid_size);
  importReference(tok, `${FIXTURE_DIR}/weights.safetensors`, 'input_tokenizer.', convnextReferenceMapper);
  const expected = readTensor(`${FIXTURE_DIR}/expected.safetensors`, 'tokens');
  return { tok, images, expected };
}

describe('ConvNeXtImageTokenizer reference parity (small-scale-free fixture)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`reproduces the reference tokens on ${backend}`, async () => {
      await useBackend(backend);
      const { tok, images, expected } = buildFromFixture();
      tok.eval();
      const ours = tok.forward(images);
      expect(ours.shape).toEqual(expected.shape);
      expect(ours.shape).toEqual([4, 16, 48]);
      const err = relMaxError(ours, expected);
      console.log(`ConvNeXt tokenizer parity on ${backend}: max|ours − ref| / max|ref| = ${err.toExponential(3)}`);
      expect(err).toBeLessThanOrEqual(1e-4);
      tf.dispose([ours, images, expected]);
      tok.dispose();
    });
  }

  it("reproduces the blocks' residual branch, not only the downsampling path (cpu)", async () => {
    // The fixture's block branch is small (~2e-4 of the output scale), so the 1e-4 check above alone
    // would not notice a wrong block; compare the branch itself: ours vs the reference's.
    await useBackend('cpu');
    const { tok, images, expected } = buildFromFixture();
    const full = tok.forward(images);
    const gamma = tok.namedParameters().get('stages.0.0.gamma') as tf.Variable;
    const saved = gamma.clone();
    const zeros = tf.zerosLike(gamma);
    gamma.assign(zeros);
    zeros.dispose();
    const noBlock = tok.forward(images);
    gamma.assign(saved);
    const ourBranch = full.sub(noBlock);
    const refBranch = expected.sub(noBlock);
    const branchScale = relMaxError(noBlock, expected);
    const err = relMaxError(ourBranch, refBranch);
    console.log(`block branch: scale ${branchScale.toExponential(2)} of the output, relative error ${err.toExponential(3)}`);
    expect(branchScale).toBeGreaterThan(1e-5);
    expect(err).toBeLessThan(1e-2);
    tf.dispose([full, noBlock, saved, ourBranch, refBranch, images, expected]);
    tok.dispose();
  });
});
