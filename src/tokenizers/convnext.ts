/**
 * ConvNeXtImageTokenizer: the reference's image tokenizer, a truncated ConvNeXt (no final norm, no
 * pooling) whose last feature map is concatenated channel-wise with a learned positional grid and
 * flattened row-major into tokens. Images are NHWC [B, H, W, C]; tokens are [B, h·w, c_last + gridDim].
 *
 * Stage widths are [d/4, d/2, d][:numStages] (d = state dim); block depths come from the preset.
 * Also exports {@link convnextReferenceMapper}, which maps the reference (PyTorch) parameter names.
 */
import * as tf from '@tensorflow/tfjs';
import { repeatBatch } from '../nn/repeat-batch.js';
import { normal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';
import { Tokenizer, type ReferenceMapper } from './tokenizer.js';
import { ConvNeXtBlock, ConvNeXtDownsample } from './convnext-block.js';
import { fail, intField, intPairField, oneOfField, rejectUnknownKeys, requireObject } from './validate.js';

/** The reference's capacity presets, smallest last. */
export const CONVNEXT_PRESETS = ['tiny', 'mini', 'micro', 'nano', 'pico', 'femto', 'atto'] as const;
/** One of {@link CONVNEXT_PRESETS}. */
export type ConvNeXtPreset = (typeof CONVNEXT_PRESETS)[number];

/** Blocks per stage for each preset (stages beyond `numStages` are dropped). */
export const CONVNEXT_PRESET_DEPTHS: Readonly<Record<ConvNeXtPreset, readonly [number, number, number]>> = {
  tiny: [3, 3, 9],
  mini: [3, 3, 6],
  micro: [3, 3, 3],
  nano: [1, 1, 1],
  pico: [1, 1, 0],
  femto: [1, 0, 0],
  atto: [0, 0, 0],
};

/** Default width of the learned positional grid. */
export const DEFAULT_POSITIONAL_GRID_DIM = 64;

/** Construction options of {@link ConvNeXtImageTokenizer}. */
export interface ConvNeXtTokenizerConfig {
  /** Input image size [H, W]. */
  imageSize: readonly [number, number];
  /** Input channels C. */
  inChannels: number;
  /** Representation (state) dim d; stage widths are d/4, d/2, d. Must be divisible by 4. */
  stateDim: number;
  preset: ConvNeXtPreset;
  /** Number of stages kept, 1..3. */
  numStages: number;
  /** Channels of the learned positional grid (default 64). */
  positionalGridDim?: number;
}

/** Stage widths [d/4, d/2, d][:numStages]. */
export function convnextStageWidths(stateDim: number, numStages: number): number[] {
  return [stateDim / 4, stateDim / 2, stateDim].slice(0, numStages);
}

/** Final feature-map size [h, w]: ⌊·/4⌋ for the stem, then ⌊·/2⌋ per further stage. */
export function convnextFeatureSize(imageSize: readonly [number, number], numStages: number): [number, number] {
  const f = (n: number): number => {
    let s = Math.floor(n / 4);
    for (let i = 1; i < numStages; i++) s = Math.floor(s / 2);
    return s;
  };
  return [f(imageSize[0]), f(imageSize[1])];
}

const CONVNEXT_KEYS = ['type', 'imageSize', 'inChannels', 'stateDim', 'preset', 'numStages', 'positionalGridDim'];

/**
 * Validates a raw ConvNeXt tokenizer config (a `type` key is allowed and ignored) and fills defaults.
 * Throws an Error naming the offending field under `field`.
 */
export function validateConvNeXtConfig(raw: unknown, field: string): Required<ConvNeXtTokenizerConfig> {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, CONVNEXT_KEYS);
  const imageSize = intPairField(o, 'imageSize', field);
  const inChannels = intField(o, 'inChannels', field);
  const stateDim = intField(o, 'stateDim', field);
  if (stateDim % 4 !== 0) fail(`${field}.stateDim`, `must be divisible by 4 (stage widths d/4, d/2, d); got ${stateDim}`);
  const preset = oneOfField(o, 'preset', field, CONVNEXT_PRESETS);
  const numStages = intField(o, 'numStages', field, { min: 1, max: 3 });
  const positionalGridDim = intField(o, 'positionalGridDim', field, { min: 0, fallback: DEFAULT_POSITIONAL_GRID_DIM });
  const [h, w] = convnextFeatureSize(imageSize, numStages);
  if (h < 1 || w < 1) {
    const need = 4 * 2 ** (numStages - 1);
    fail(`${field}.imageSize`, `[${imageSize}] is too small for numStages ${numStages}: need H, W ≥ ${need}`);
  }
  return { imageSize, inChannels, stateDim, preset, numStages, positionalGridDim };
}

/**
 * The truncated-ConvNeXt image tokenizer. Parameter names: `downsamples.{i}.{conv,norm}.*`,
 * `stages.{i}.{j}.*` (see {@link ConvNeXtBlock}) and `positionalGrid` [h, w, gridDim].
 */
export class ConvNeXtImageTokenizer extends Tokenizer {
  readonly config: Required<ConvNeXtTokenizerConfig>;
  readonly tokenDim: number;
  readonly numTokens: number;
  readonly inputShape: readonly number[];
  /** Final feature-map size [h, w] (= positional grid size). */
  readonly featureSize: readonly [number, number];
  /** Channel widths of the kept stages. */
  readonly stageWidths: readonly number[];
  /** Learned positional grid [h, w, gridDim], N(0, 1) init; absent when gridDim is 0. */
  readonly positionalGrid: tf.Variable | null;
  private readonly downsamples: ConvNeXtDownsample[] = [];
  private readonly stages: ConvNeXtBlock[][] = [];

  constructor(config: ConvNeXtTokenizerConfig, rng: Rng) {
    super();
    this.config = validateConvNeXtConfig(config, 'ConvNeXtImageTokenizer config');
    const { imageSize, inChannels, stateDim, preset, numStages, positionalGridDim } = this.config;
    this.stageWidths = convnextStageWidths(stateDim, numStages);
    this.featureSize = convnextFeatureSize(imageSize, numStages);
    const depths = CONVNEXT_PRESET_DEPTHS[preset];
    let prev = inChannels;
    for (let i = 0; i < numStages; i++) {
      const c = this.stageWidths[i] as number;
      this.downsamples.push(this.addChild(`downsamples.${i}`, new ConvNeXtDownsample(prev, c, i === 0, rng)));
      const blocks: ConvNeXtBlock[] = [];
      for (let j = 0; j < (depths[i] as number); j++) {
        blocks.push(this.addChild(`stages.${i}.${j}`, new ConvNeXtBlock(c, rng)));
      }
      this.stages.push(blocks);
      prev = c;
    }
    const [h, w] = this.featureSize;
    this.positionalGrid = positionalGridDim > 0 ? this.addParam('positionalGrid', normal(rng, [h, w, positionalGridDim])) : null;
    this.tokenDim = prev + positionalGridDim;
    this.numTokens = h * w;
    this.inputShape = [imageSize[0], imageSize[1], inChannels];
  }

  /** Backbone features [B, h, w, c_last] (no positional grid). */
  features(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (let i = 0; i < this.downsamples.length; i++) {
        y = (this.downsamples[i] as ConvNeXtDownsample).forward(y);
        for (const block of this.stages[i] as ConvNeXtBlock[]) y = block.forward(y);
      }
      return y;
    });
  }

  /** Images [B, H, W, C] → tokens [B, h·w, c_last + gridDim] (features first, then the grid). */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || !tf.util.arraysEqual(x.shape.slice(1), [...this.inputShape])) {
      throw new Error(`ConvNeXtImageTokenizer: expected images [B, ${this.inputShape.join(', ')}], got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const feats = this.features(x);
      const [b, h, w] = feats.shape as [number, number, number, number];
      let y = feats;
      if (this.positionalGrid) {
        const grid = repeatBatch(this.positionalGrid, b);
        y = tf.concat([feats, grid], -1);
      }
      return y.reshape([b, h * w, this.tokenDim]);
    });
  }
}

const transposeTo =
  (perm: number[]) =>
  (t: tf.Tensor): tf.Tensor =>
    tf.transpose(t, perm);

/**
 * Maps reference parameter names (relative to `input_tokenizer.`) onto {@link ConvNeXtImageTokenizer}'s,
 * converting layouts: conv [out,in,kh,kw] → [kh,kw,in,out]; depthwise [c,1,kh,kw] → [kh,kw,c,1];
 * Linear [out,in] → [in,out]; positional grid [g,h,w] → [h,w,g]. Unknown names give null.
 */
export const convnextReferenceMapper: ReferenceMapper = (refName) => {
  let m = /^backbone\.downsample_layers\.(\d+)\.([01])\.(weight|bias)$/.exec(refName);
  if (m) {
    const [, i, sub, kind] = m as unknown as [string, string, string, string];
    const isConv = (i === '0') === (sub === '0'); // stem: conv then norm; later: norm then conv
    if (!isConv) return { name: `downsamples.${i}.norm.${kind}` };
    return kind === 'weight'
      ? { name: `downsamples.${i}.conv.filter`, convert: transposeTo([2, 3, 1, 0]) }
      : { name: `downsamples.${i}.conv.bias` };
  }
  m = /^backbone\.stages\.(\d+)\.(\d+)\.(.+)$/.exec(refName);
  if (m) {
    const [, s, b, rest] = m as unknown as [string, string, string, string];
    const p = `stages.${s}.${b}`;
    switch (rest) {
      case 'gamma':
      case 'norm.weight':
      case 'norm.bias':
      case 'dwconv.bias':
      case 'pwconv1.bias':
      case 'pwconv2.bias':
        return { name: `${p}.${rest}` };
      case 'dwconv.weight':
        return { name: `${p}.dwconv.filter`, convert: transposeTo([2, 3, 0, 1]) };
      case 'pwconv1.weight':
      case 'pwconv2.weight':
        return { name: `${p}.${rest}`, convert: transposeTo([1, 0]) };
      default:
        return null;
    }
  }
  if (refName === 'positional_grid.grid') return { name: 'positionalGrid', convert: transposeTo([1, 2, 0]) };
  return null;
};
