/**
 * The tokenizer seam: every input modality becomes a set of tokens X ∈ R^{B×V×d_in} through a
 * Tokenizer. NAC and Perceiver IO share tokenizers, so comparisons are like for like. Adding a
 * modality means adding one file that implements this interface and registering it in
 * `src/tokenizers/index.ts`.
 */
import type * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';

export abstract class Tokenizer extends Module {
  /** Width d_in of each token. */
  abstract readonly tokenDim: number;
  /** Number of tokens V produced for one input. */
  abstract readonly numTokens: number;
  /** Shape of one input example (without the batch axis), e.g. [H, W, C] for NHWC images. */
  abstract readonly inputShape: readonly number[];
  /** Raw batch → tokens B×V×d_in. */
  abstract forward(x: tf.Tensor): tf.Tensor;
}

/** How one reference (PyTorch) parameter maps onto ours: our dotted name and a layout conversion. */
export interface ParamImport {
  name: string;
  convert?: (t: tf.Tensor) => tf.Tensor;
}

/** Maps a reference parameter name (relative to the module) to ours, or null if it is unknown. */
export type ReferenceMapper = (refName: string) => ParamImport | null;
