/**
 * Named model presets: the paper's Tiny-ImageNet NAC (spec §2.2), small CPU configs, and a
 * `defaultNACConfig` builder that fills every field with the spec's defaults.
 */
import type { NACConfig } from './nac-config.js';
import type { TokenizerConfig } from '../tokenizers/index.js';

/** A NAC config with the spec's (m2mKD/NAC Tiny-ImageNet) defaults, overridable field by field. */
export function defaultNACConfig(over: Partial<NACConfig> & Pick<NACConfig, 'tokenizer' | 'numClasses'>): NACConfig {
  const base: NACConfig = {
    model: 'nac',
    numClasses: over.numClasses,
    stateDim: 384,
    codeDim: 384,
    signatureDim: 64,
    tokenizer: over.tokenizer,
    numReadIn: 64,
    numPropagators: 256,
    numReadOut: 64,
    numLayers: 8,
    readInHeads: 6,
    numHeads: 6,
    headDim: 64,
    ffnCapacity: 2,
    geglu: true,
    qkvBias: false,
    layerScale: 0.1,
    readInLayerScale: 1.0,
    dropPath: { readIn: 0, propagator: 0.1, readOut: 0 },
    codeNoise: 0.05,
    seederCodeNoise: true,
    modfc: { scaleGain: 0.1, learnableScaleGain: true, addOneToScale: true },
    kernel: { truncation: 0.9, bandwidth: 1, learnableBandwidth: true, stochastic: true, temperature: 0.5 },
    readOutKernel: { truncation: null, bandwidth: 1, learnableBandwidth: true, stochastic: false, temperature: 0.5 },
    readInResidual: true,
    readOutResidual: false,
    persistentReadIn: true,
    priors: {
      readIn: { preset: 'none' },
      propagator: { preset: 'barabasi-albert', m: 2 },
      readOut: { preset: 'none' },
      fitTruncation: 0.8,
      fitSteps: 1000,
    },
    learnableSignatures: true,
    learnableCodes: true,
    pooling: 'gumbel',
  };
  return { ...base, ...over };
}

const tinyImagenetTokenizer: TokenizerConfig = {
  type: 'convnext',
  imageSize: [64, 64],
  inChannels: 3,
  stateDim: 384,
  preset: 'tiny',
  numStages: 2,
  positionalGridDim: 64,
};

/** Small ConvNeXt tokenizer for 28×28 grey images (MNIST-like): 7×7 = 49 tokens. */
function smallImageTokenizer(stateDim: number): TokenizerConfig {
  return { type: 'convnext', imageSize: [28, 28], inChannels: 1, stateDim, preset: 'femto', numStages: 1, positionalGridDim: 16 };
}

/** Presets by name. Each call returns a fresh object. */
export const NAC_PRESETS: Record<string, () => NACConfig> = {
  /** The paper's Tiny-ImageNet NAC, scale-free prior (spec §2.2): 26.70 M parameters. */
  'paper-tiny-imagenet': () => defaultNACConfig({ numClasses: 200, tokenizer: tinyImagenetTokenizer }),
  /** A CPU-sized NAC for 28×28 grey images, 10 classes. */
  'cpu-small': () =>
    defaultNACConfig({
      numClasses: 10,
      tokenizer: smallImageTokenizer(64),
      stateDim: 64,
      codeDim: 64,
      signatureDim: 16,
      numReadIn: 8,
      numPropagators: 32,
      numReadOut: 4,
      numLayers: 2,
      readInHeads: 2,
      numHeads: 2,
      headDim: 32,
      priors: {
        readIn: { preset: 'none' },
        propagator: { preset: 'barabasi-albert', m: 2 },
        readOut: { preset: 'none' },
        fitTruncation: 0.8,
        fitSteps: 300,
      },
    }),
  /** The smallest sensible NAC, for tests and smoke runs (patch tokenizer on 8×8 inputs). */
  'cpu-tiny': () =>
    defaultNACConfig({
      numClasses: 4,
      tokenizer: { type: 'patch', imageSize: [8, 8], inChannels: 1, patchSize: 2, tokenDim: 16 },
      stateDim: 32,
      codeDim: 16,
      signatureDim: 8,
      numReadIn: 4,
      numPropagators: 8,
      numReadOut: 2,
      numLayers: 2,
      readInHeads: 2,
      numHeads: 2,
      headDim: 16,
      // LayerScale 0.1 (the paper's value for its 26.7 M model) makes this tiny model train ~3x slower.
      layerScale: 1.0,
      priors: {
        readIn: { preset: 'none' },
        propagator: { preset: 'ring-of-cliques', numCliques: 2 },
        readOut: { preset: 'none' },
        fitTruncation: 0.8,
        fitSteps: 200,
      },
    }),
};

/** Looks up a preset; throws naming the allowed names. */
export function nacPreset(name: string): NACConfig {
  const make = NAC_PRESETS[name];
  if (!make) throw new Error(`unknown NAC preset '${name}'; allowed: ${Object.keys(NAC_PRESETS).join(', ')}`);
  return make();
}
