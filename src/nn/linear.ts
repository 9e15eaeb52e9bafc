/**
 * Linear: y = x·W + b with W stored as [in, out] (tfjs layout; PyTorch stores [out, in]).
 * Applies to the last axis of an input of any rank.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { fusedLinear } from '../engine/kernels/linear-simd.js';
import { linearWeight } from './init.js';
import type { Rng } from '../util/rng.js';

export interface LinearOptions {
  /** Add a bias (default true). PyTorch initialises it U(−1/√in, 1/√in); `zeroBias` sets zeros. */
  bias?: boolean;
  zeroBias?: boolean;
}

/**
 * x·W[:, start:start+size] + b[start:start+size] for x [..., in] → [..., size]: one block of an affine map's
 * outputs from a slice of its parameters. Used instead of splitting a [..., 2h] output (tfjs-wasm's SplitV
 * and Slice re-read the whole input per piece: 30 % of the reference NAC's forward went there).
 */
export function affineColumns(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, start: number, size: number): tf.Tensor {
  return tf.tidy(() => {
    const inDim = weight.shape[0] as number;
    let y = tf.matMul(x.reshape([-1, inDim]), tf.slice(weight, [0, start], [inDim, size]));
    if (bias) y = y.add(tf.slice(bias, [start], [size]));
    return y.reshape([...x.shape.slice(0, -1), size]);
  });
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
      const fused = fusedLinear(x, this.weight, { bias: this.bias });
      if (fused != null) return fused;
      const shape = x.shape;
      const flat = x.reshape([-1, this.inDim]);
      let y: tf.Tensor = tf.matMul(flat, this.weight);
      if (this.bias) y = y.add(this.bias);
      return y.reshape([...shape.slice(0, -1), this.outDim]);
    });
  }

  /** Outputs [start, start + size) only (see affineColumns). */
  forwardColumns(x: tf.Tensor, start: number, size: number): tf.Tensor {
    return affineColumns(x, this.weight, this.bias, start, size);
  }
}
