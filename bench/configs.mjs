/**
 * The benchmark configurations of bench/run.mjs: for each name, a NAC and a Perceiver IO model config,
 * the batch size, and the input shape. Every config is built from the package's own presets (dist/).
 *
 * - small: the fashion-mnist task's models (smallNAC / smallPerceiverIO of src/train/tasks.ts with the
 *   task's femto-ConvNeXt tokenizer), batch 128.
 * - reference: batch 32; NAC with 16 read-in, 64 propagator and 16 read-out modules (read-in and read-out
 *   a quarter of the propagators, the paper's 64 : 256 : 64 ratio), d = d_code = 128, d_sig = 32, 4 layers,
 *   4 heads × 32, on 49 tokens of 16 values (patch tokenizer, 28×28×1 images, 4×4 patches); the paper's
 *   other defaults (GEGLU ×2, LayerScale 0.1, DropPath 0.1 on the propagators, stochastic kernel τ 0.9,
 *   Gumbel pooling). Perceiver IO of similar size: 96 latents (= 16 + 64 + 16 modules) × 128, depth 4,
 *   4 latent heads × 32, 1 cross head × 32, GEGLU ×2, same tokenizer.
 * - paper-tiny: the paper's Tiny-ImageNet NAC (`paper-tiny-imagenet`) and Perceiver IO (spec §1.12),
 *   64×64×3 images, batch 128 (meant for a GPU; on CPU use --batch and --repeats 1).
 */
import { defaultNACConfig, nacPreset } from '../dist/config/presets.js';
import { PERCEIVER_IO_TINY_IMAGENET } from '../dist/baselines/perceiver-io-config.js';
import { defaultRun } from '../dist/train/tasks.js';

/** Signature fit steps for the benchmark models: the fit only places signatures; timing does not depend on it. */
const FIT_STEPS = 100;

function withFitSteps(nac, steps = FIT_STEPS) {
  return { ...nac, priors: { ...nac.priors, fitSteps: steps } };
}

/** A benchmark configuration by name: { name, batch, inputShape, numClasses, nac, pio }. */
export const BENCH_CONFIGS = {
  small: () => {
    const nac = defaultRun('fashion-mnist', 'nac').model;
    const pio = defaultRun('fashion-mnist', 'perceiver-io').model;
    return { name: 'small', batch: 128, inputShape: [28, 28, 1], numClasses: 10, nac: withFitSteps(nac), pio };
  },
  reference: () => {
    const tokenizer = { type: 'patch', imageSize: [28, 28], inChannels: 1, patchSize: 4, tokenDim: 16 };
    const nac = defaultNACConfig({
      numClasses: 10,
      tokenizer,
      stateDim: 128,
      codeDim: 128,
      signatureDim: 32,
      numReadIn: 16,
      numPropagators: 64,
      numReadOut: 16,
      numLayers: 4,
      readInHeads: 4,
      numHeads: 4,
      headDim: 32,
    });
    const pio = {
      model: 'perceiver-io',
      tokenizer,
      perceiver: {
        numLatents: 96,
        latentDim: 128,
        depth: 4,
        crossHeads: 1,
        crossDimHead: 32,
        latentHeads: 4,
        latentDimHead: 32,
        ffnMult: 2,
        queriesDim: 128,
        numClasses: 10,
      },
    };
    return { name: 'reference', batch: 32, inputShape: [28, 28, 1], numClasses: 10, nac: withFitSteps(nac), pio };
  },
  'paper-tiny': () => {
    const nac = nacPreset('paper-tiny-imagenet');
    const pio = { model: 'perceiver-io', perceiver: PERCEIVER_IO_TINY_IMAGENET.model, tokenizer: PERCEIVER_IO_TINY_IMAGENET.tokenizer };
    return { name: 'paper-tiny', batch: 128, inputShape: [64, 64, 3], numClasses: 200, nac: withFitSteps(nac), pio };
  },
};

/** The configuration names, for errors and --help. */
export const BENCH_CONFIG_NAMES = Object.keys(BENCH_CONFIGS);

/** Looks a configuration up; throws naming the allowed values. */
export function benchConfig(name) {
  const make = BENCH_CONFIGS[name];
  if (!make) throw new Error(`--config: unknown configuration '${name}'; allowed: ${BENCH_CONFIG_NAMES.join(', ')}`);
  return make();
}
