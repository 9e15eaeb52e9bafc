/**
 * PointTokenizer (`type: 'points'`): point sets / point clouds as float32 [B, N, D] (D = 2 for MNIST
 * point sets in [−1, 1], 3 for CAD point clouds in the unit sphere). Every point becomes one token by
 * a per-point encoder, with no positional information, so the tokenizer is permutation-equivariant
 * (permuting the points permutes the tokens) and NAC's read-in is permutation-invariant over points.
 *
 * Encodings:
 * - 'fourier': random Fourier features [x, sin(2π·xB), cos(2π·xB)], B ~ N(0, fourierScale²) fixed
 *   (see {@link RandomFourierFeatures}), then Linear → tokenDim;
 * - 'mlp': Linear(D → hidden) → GELU → Linear(hidden → tokenDim).
 */
import * as tf from '@tensorflow/tfjs';
import { Linear } from '../nn/linear.js';
import { gelu } from '../nn/activations.js';
import type { Rng } from '../util/rng.js';
import { Tokenizer } from './tokenizer.js';
import { RandomFourierFeatures } from './fourier.js';
import { fail, intField, numberField, oneOfField, rejectUnknownKeys, requireObject } from './validate.js';

/** The per-point encoders. */
export const POINT_ENCODINGS = ['fourier', 'mlp'] as const;
/** One of {@link POINT_ENCODINGS}. */
export type PointEncoding = (typeof POINT_ENCODINGS)[number];
/** Default number of Fourier frequencies (the features have D + 2·bands channels). */
export const DEFAULT_FOURIER_BANDS = 32;
/** Default standard deviation of the Fourier projection. */
export const DEFAULT_FOURIER_SCALE = 1;
/** Default hidden width of the 'mlp' encoder. */
export const DEFAULT_POINT_MLP_HIDDEN = 64;

/** Construction options of {@link PointTokenizer}. */
export interface PointTokenizerConfig {
  /** Points per example N. */
  numPoints: number;
  /** Coordinates per point D. */
  pointDim: number;
  /** Width of each token. */
  tokenDim: number;
  /** Per-point encoder (default 'fourier'). */
  encoding?: PointEncoding;
  /** 'fourier' only: number of frequencies (default 32). */
  fourierBands?: number;
  /** 'fourier' only: standard deviation of the projection B (default 1). */
  fourierScale?: number;
  /** 'mlp' only: hidden width (default 64). */
  hidden?: number;
}

const COMMON_KEYS = ['type', 'numPoints', 'pointDim', 'tokenDim', 'encoding'];
const ENCODING_KEYS: Record<PointEncoding, readonly string[]> = { fourier: ['fourierBands', 'fourierScale'], mlp: ['hidden'] };

/**
 * Validates a raw points tokenizer config (a `type` key is allowed and ignored) and fills the defaults of
 * the chosen encoding. A field of the other encoding is an error naming it. Errors name the field under `field`.
 */
export function validatePointConfig(raw: unknown, field: string): PointTokenizerConfig {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, [...COMMON_KEYS, ...ENCODING_KEYS.fourier, ...ENCODING_KEYS.mlp]);
  const numPoints = intField(o, 'numPoints', field);
  const pointDim = intField(o, 'pointDim', field);
  const tokenDim = intField(o, 'tokenDim', field);
  const encoding = oneOfField(o, 'encoding', field, POINT_ENCODINGS, 'fourier');
  for (const other of POINT_ENCODINGS) {
    if (other === encoding) continue;
    for (const k of ENCODING_KEYS[other]) {
      if (o[k] !== undefined) fail(`${field}.${k}`, `is only used with encoding '${other}'; got encoding '${encoding}'`);
    }
  }
  if (encoding === 'mlp') {
    return { numPoints, pointDim, tokenDim, encoding, hidden: intField(o, 'hidden', field, { fallback: DEFAULT_POINT_MLP_HIDDEN }) };
  }
  const fourierBands = intField(o, 'fourierBands', field, { fallback: DEFAULT_FOURIER_BANDS });
  const fourierScale = numberField(o, 'fourierScale', field, { fallback: DEFAULT_FOURIER_SCALE });
  return { numPoints, pointDim, tokenDim, encoding, fourierBands, fourierScale };
}

/**
 * One token per point. Parameters: 'fourier' → `fourier.projection` [D, bands] (frozen) and
 * `projection.{weight,bias}` [D + 2·bands, tokenDim]; 'mlp' → `fc1.*` [D, hidden], `fc2.*` [hidden, tokenDim].
 */
export class PointTokenizer extends Tokenizer {
  readonly config: PointTokenizerConfig;
  readonly tokenDim: number;
  readonly numTokens: number;
  readonly inputShape: readonly number[];
  private readonly encode: (x: tf.Tensor) => tf.Tensor;

  constructor(config: PointTokenizerConfig, rng: Rng) {
    super();
    this.config = validatePointConfig(config, 'PointTokenizer config');
    const { numPoints, pointDim, tokenDim, encoding } = this.config;
    this.tokenDim = tokenDim;
    this.numTokens = numPoints;
    this.inputShape = [numPoints, pointDim];
    if (encoding === 'mlp') {
      const fc1 = this.addChild('fc1', new Linear(pointDim, this.config.hidden as number, rng));
      const fc2 = this.addChild('fc2', new Linear(this.config.hidden as number, tokenDim, rng));
      this.encode = (x) => fc2.forward(gelu(fc1.forward(x)));
    } else {
      const { fourierBands, fourierScale } = this.config as Required<PointTokenizerConfig>;
      const fourier = this.addChild('fourier', new RandomFourierFeatures(pointDim, fourierBands, fourierScale, rng));
      const projection = this.addChild('projection', new Linear(fourier.outDim, tokenDim, rng));
      this.encode = (x) => projection.forward(fourier.forward(x));
    }
  }

  /** Points float32 [B, N, D] → tokens [B, N, tokenDim], token i encoding point i. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.rank !== 3 || x.shape[1] !== this.numTokens || x.shape[2] !== this.config.pointDim || x.dtype !== 'float32') {
      throw new Error(`PointTokenizer: expected points float32 [B, ${this.inputShape.join(', ')}], got ${x.dtype} [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => this.encode(x));
  }
}
