/**
 * Layer normalisation over the last axis, with or without learnable γ/β
 * (PyTorch semantics: biased variance, eps inside the square root).
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { fusedLayerNorm, fusedLayerNormActive } from '../engine/kernels/layer-norm-webgpu.js';
import { fusedLayerNormAffine } from '../engine/kernels/layer-norm-affine-simd.js';

/** Non-affine layer norm over the last axis (one fused kernel each way on webgpu, tfjs ops elsewhere). */
export function layerNorm(x: tf.Tensor, eps = 1e-5): tf.Tensor {
  if (fusedLayerNormActive()) return fusedLayerNorm(x, eps);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).mul(tf.rsqrt(variance.add(eps)));
  });
}

export class LayerNorm extends Module {
  readonly gamma: tf.Variable | null;
  readonly beta: tf.Variable | null;

  constructor(
    readonly dim: number,
    readonly eps = 1e-5,
    affine = true,
  ) {
    super();
    this.gamma = affine ? this.addParam('weight', tf.ones([dim])) : null;
    this.beta = affine ? this.addParam('bias', tf.zeros([dim])) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const fused = fusedLayerNormAffine(x, this.gamma, this.beta, this.eps);
      if (fused != null) return fused;
      let y = layerNorm(x, this.eps);
      if (this.gamma) y = y.mul(this.gamma);
      if (this.beta) y = y.add(this.beta);
      return y;
    });
  }
}
