/**
 * Linear: y = x·W + b with W stored as [in, out] (tfjs layout; PyTorch stores [out, in]).
 * Applies to the last axis of an input of any rank.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { linearWeight } from './init.js';
import type { Rng } from '../util/rng.js';

export interface LinearOptions {
  /** Add a bias (default true). PyTorch initialises it U(−1/√in, 1/√in); `zeroBias` sets zeros. */
  bias?: boolean;
  zeroBias?: boolean;
}

export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    rng: Rng,
    opts: LinearOptions = {},
  ) {
    super();
    this.weight = this.addParam('weight', linearWeight(rng, inDim, [inDim, outDim]));
    const bias = opts.bias ?? true;
    this.bias = bias ? this.addParam('bias', opts.zeroBias ? tf.zeros([outDim]) : linearWeight(rng, inDim, [outDim])) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = x.shape;
      const flat = x.reshape([-1, this.inDim]);
      let y: tf.Tensor = tf.matMul(flat, this.weight);
      if (this.bias) y = y.add(this.bias);
      return y.reshape([...shape.slice(0, -1), this.outDim]);
    });
  }
}
