/**
 * Convolution layers for the image tokenizers, on NHWC tensors: a dense 2-D convolution and a
 * depthwise 2-D convolution, each with a bias. Filters use the tfjs layouts ([kh, kw, in, out] and
 * [kh, kw, channels, 1]); PyTorch stores [out, in, kh, kw] and [channels, 1, kh, kw].
 * Both are initialised as ConvNeXt does: truncated normal (std 0.02) weights, zero bias.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { truncNormal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';

/** Standard deviation of ConvNeXt's truncated-normal weight initialisation. */
export const CONVNEXT_INIT_STD = 0.02;

/** Dense 2-D convolution with a square kernel, no padding ("valid"), and a bias. */
export class Conv2d extends Module {
  /** Filter [kernel, kernel, inChannels, outChannels]. */
  readonly filter: tf.Variable;
  /** Bias [outChannels]. */
  readonly bias: tf.Variable;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly stride: number,
    rng: Rng,
  ) {
    super();
    this.filter = this.addParam('filter', truncNormal(rng, [kernelSize, kernelSize, inChannels, outChannels], CONVNEXT_INIT_STD));
    this.bias = this.addParam('bias', tf.zeros([outChannels]));
  }

  /** x: [B, H, W, inChannels] → [B, ⌊(H−k)/s⌋+1, ⌊(W−k)/s⌋+1, outChannels]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.conv2d(x as tf.Tensor4D, this.filter as tf.Tensor4D, this.stride, 'valid').add(this.bias));
  }
}

/** Depthwise 2-D convolution (one filter per channel), stride 1, size-preserving ("same") padding, with a bias. */
export class DepthwiseConv2d extends Module {
  /** Filter [kernel, kernel, channels, 1]. */
  readonly filter: tf.Variable;
  /** Bias [channels]. */
  readonly bias: tf.Variable;

  constructor(
    readonly channels: number,
    readonly kernelSize: number,
    rng: Rng,
  ) {
    super();
    if (kernelSize % 2 !== 1) throw new Error(`DepthwiseConv2d: kernelSize must be odd, got ${kernelSize}`);
    this.filter = this.addParam('filter', truncNormal(rng, [kernelSize, kernelSize, channels, 1], CONVNEXT_INIT_STD));
    this.bias = this.addParam('bias', tf.zeros([channels]));
  }

  /** x: [B, H, W, channels] → [B, H, W, channels] (zero padding of (k−1)/2 on each side). */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.depthwiseConv2d(x as tf.Tensor4D, this.filter as tf.Tensor4D, 1, 'same').add(this.bias));
  }
}
