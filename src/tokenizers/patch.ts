/**
 * PatchTokenizer: cuts NHWC images into non-overlapping p×p patches (row-major over the patch grid),
 * flattens each patch (row, column, channel order), projects it with a Linear to tokenDim and adds a
 * learned positional embedding per patch. Images [B, H, W, C] → tokens [B, (H/p)·(W/p), tokenDim].
 * Built only from reshape/transpose/matmul, so it trains on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear } from '../nn/linear.js';
import { truncNormal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';
import { Tokenizer } from './tokenizer.js';
import { fail, intField, intPairField, rejectUnknownKeys, requireObject } from './validate.js';

/** Standard deviation of the positional-embedding initialisation (truncated normal). */
export const PATCH_POS_INIT_STD = 0.02;

/** Construction options of {@link PatchTokenizer}. */
export interface PatchTokenizerConfig {
  /** Input image size [H, W]; both must be divisible by patchSize. */
  imageSize: readonly [number, number];
  /** Input channels C. */
  inChannels: number;
  /** Patch side p. */
  patchSize: number;
  /** Width of each output token. */
  tokenDim: number;
}

const PATCH_KEYS = ['type', 'imageSize', 'inChannels', 'patchSize', 'tokenDim'];

/** Validates a raw patch tokenizer config (a `type` key is allowed and ignored); errors name the field. */
export function validatePatchConfig(raw: unknown, field: string): PatchTokenizerConfig {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, PATCH_KEYS);
  const imageSize = intPairField(o, 'imageSize', field);
  const inChannels = intField(o, 'inChannels', field);
  const patchSize = intField(o, 'patchSize', field);
  const tokenDim = intField(o, 'tokenDim', field);
  if (imageSize[0] % patchSize !== 0 || imageSize[1] % patchSize !== 0) {
    fail(`${field}.patchSize`, `must divide both image sides [${imageSize}]; got ${patchSize}`);
  }
  return { imageSize, inChannels, patchSize, tokenDim };
}

/** Linear patch embedding plus a learned positional embedding. Parameters: `projection.*`, `positionalEmbedding`. */
export class PatchTokenizer extends Tokenizer {
  readonly config: PatchTokenizerConfig;
  readonly tokenDim: number;
  readonly numTokens: number;
  readonly inputShape: readonly number[];
  /** Patch-grid size [H/p, W/p]. */
  readonly gridSize: readonly [number, number];
  readonly projection: Linear;
  /** Positional embedding [numTokens, tokenDim]. */
  readonly positionalEmbedding: tf.Variable;

  constructor(config: PatchTokenizerConfig, rng: Rng) {
    super();
    this.config = validatePatchConfig(config, 'PatchTokenizer config');
    const { imageSize, inChannels, patchSize: p, tokenDim } = this.config;
    this.gridSize = [imageSize[0] / p, imageSize[1] / p];
    this.numTokens = this.gridSize[0] * this.gridSize[1];
    this.tokenDim = tokenDim;
    this.inputShape = [imageSize[0], imageSize[1], inChannels];
    this.projection = this.addChild('projection', new Linear(p * p * inChannels, tokenDim, rng));
    this.positionalEmbedding = this.addParam('positionalEmbedding', truncNormal(rng, [this.numTokens, tokenDim], PATCH_POS_INIT_STD));
  }

  /** Images [B, H, W, C] → flattened patches [B, numTokens, p·p·C]. */
  patches(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 4 || !tf.util.arraysEqual(x.shape.slice(1), [...this.inputShape])) {
      throw new Error(`PatchTokenizer: expected images [B, ${this.inputShape.join(', ')}], got [${x.shape.join(', ')}]`);
    }
    const p = this.config.patchSize;
    const [gh, gw] = this.gridSize;
    const c = this.config.inChannels;
    return tf.tidy(() => {
      const b = x.shape[0] as number;
      // [B, gh, p, gw, p, C] → [B, gh, gw, p, p, C], done as a rank-4 transpose with batch and gh folded together.
      const y = x.reshape([b * gh, p, gw, p * c]).transpose([0, 2, 1, 3]);
      return y.reshape([b, gh * gw, p * p * c]);
    });
  }

  /** Images [B, H, W, C] → tokens [B, numTokens, tokenDim]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.projection.forward(this.patches(x)).add(this.positionalEmbedding));
  }
}
