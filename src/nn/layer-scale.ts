/**
 * LayerScale: a learnable per-channel factor γ on a residual branch (CaiT). `null` initial value
 * means no LayerScale (identity, no parameter), as in the reference's `layer_scale_initial_value: null`.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

export class LayerScale extends Module {
  readonly gamma: tf.Variable | null;

  constructor(dim: number, initialValue: number | null) {
    super();
    this.gamma = initialValue === null ? null : this.addParam('gamma', tf.fill([dim], initialValue));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.gamma ? tf.mul(x, this.gamma) : tf.clone(x);
  }
}
