/**
 * Random Fourier features (Tancik et al. 2020): x ↦ [x, sin(2π·xB), cos(2π·xB)] with a fixed Gaussian
 * projection B ~ N(0, scale²) of shape [inDim, bands]. B is drawn from the seeded Rng and registered
 * as a frozen (non-trainable) parameter, so it is saved in model folders with the weights and never
 * touched by the optimiser.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { normal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';

/** Fixed random Fourier feature map. Parameter: `projection` [inDim, bands] (frozen). */
export class RandomFourierFeatures extends Module {
  /** The frozen projection B [inDim, bands]. */
  readonly projection: tf.Variable;
  /** Output width inDim + 2·bands. */
  readonly outDim: number;

  constructor(
    readonly inDim: number,
    readonly bands: number,
    readonly scale: number,
    rng: Rng,
  ) {
    super();
    this.projection = this.addParam('projection', normal(rng, [inDim, bands], scale), false);
    this.outDim = inDim + 2 * bands;
  }

  /** x [..., inDim] → [..., inDim + 2·bands]: raw coordinates, then the sines, then the cosines. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const phase = tf.matMul(x.reshape([-1, this.inDim]), this.projection).mul(2 * Math.PI);
      const y = tf.concat([x.reshape([-1, this.inDim]), tf.sin(phase), tf.cos(phase)], -1);
      return y.reshape([...lead, this.outDim]);
    });
  }
}
