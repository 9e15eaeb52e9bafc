/**
 * The two building blocks of the truncated ConvNeXt backbone used by the image tokenizer, on NHWC
 * tensors (so "LayerNorm over channels" is a layer norm over the last axis):
 *
 * - {@link ConvNeXtDownsample}: the stem (Conv 4×4 stride 4 → LN) or a later downsampling layer
 *   (LN → Conv 2×2 stride 2). Both LNs are affine with eps 1e-6.
 * - {@link ConvNeXtBlock}: x + γ ⊙ Linear(4c→c)(GELU(Linear(c→4c)(LN(DWConv7×7(x))))), with LayerScale γ
 *   initialised to 1e-6. Stochastic depth is 0 in the reference tokenizer and is omitted.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import { gelu } from '../nn/activations.js';
import { truncNormal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';
import { CONVNEXT_INIT_STD, Conv2d, DepthwiseConv2d } from './conv.js';

/** eps of every LayerNorm in the ConvNeXt backbone. */
export const CONVNEXT_LN_EPS = 1e-6;
/** Initial value of the per-channel LayerScale γ in each block. */
export const CONVNEXT_LAYER_SCALE_INIT = 1e-6;

/** A Linear with ConvNeXt's initialisation (truncated normal std 0.02, zero bias). */
function convnextLinear(inDim: number, outDim: number, rng: Rng): Linear {
  const lin = new Linear(inDim, outDim, rng, { zeroBias: true });
  const w = truncNormal(rng, [inDim, outDim], CONVNEXT_INIT_STD);
  lin.weight.assign(w);
  w.dispose();
  return lin;
}

/**
 * A ConvNeXt downsampling layer. With `stem` it is Conv(k=s=4) → LN; otherwise LN → Conv(k=s=2).
 * Parameters: `conv.filter`, `conv.bias`, `norm.weight`, `norm.bias`.
 */
export class ConvNeXtDownsample extends Module {
  readonly conv: Conv2d;
  readonly norm: LayerNorm;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly stem: boolean,
    rng: Rng,
  ) {
    super();
    const k = stem ? 4 : 2;
    this.conv = this.addChild('conv', new Conv2d(inChannels, outChannels, k, k, rng));
    this.norm = this.addChild('norm', new LayerNorm(stem ? outChannels : inChannels, CONVNEXT_LN_EPS, true));
  }

  /** Spatial reduction factor of this layer (4 for the stem, 2 otherwise). */
  get factor(): number {
    return this.stem ? 4 : 2;
  }

  /** x: [B, H, W, inChannels] → [B, ⌊H/f⌋, ⌊W/f⌋, outChannels]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.stem ? this.norm.forward(this.conv.forward(x)) : this.conv.forward(this.norm.forward(x))));
  }
}

/**
 * One ConvNeXt block of width c. Parameters: `dwconv.filter` [7,7,c,1], `dwconv.bias`,
 * `norm.weight`, `norm.bias`, `pwconv1.weight` [c,4c], `pwconv1.bias`, `pwconv2.weight` [4c,c],
 * `pwconv2.bias`, `gamma` [c].
 */
export class ConvNeXtBlock extends Module {
  readonly dwconv: DepthwiseConv2d;
  readonly norm: LayerNorm;
  readonly pwconv1: Linear;
  readonly pwconv2: Linear;
  readonly gamma: tf.Variable;

  constructor(
    readonly channels: number,
    rng: Rng,
  ) {
    super();
    this.dwconv = this.addChild('dwconv', new DepthwiseConv2d(channels, 7, rng));
    this.norm = this.addChild('norm', new LayerNorm(channels, CONVNEXT_LN_EPS, true));
    this.pwconv1 = this.addChild('pwconv1', convnextLinear(channels, 4 * channels, rng));
    this.pwconv2 = this.addChild('pwconv2', convnextLinear(4 * channels, channels, rng));
    this.gamma = this.addParam('gamma', tf.fill([channels], CONVNEXT_LAYER_SCALE_INIT));
  }

  /** x: [B, H, W, c] → [B, H, W, c]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = this.norm.forward(this.dwconv.forward(x));
      h = this.pwconv2.forward(gelu(this.pwconv1.forward(h)));
      return x.add(h.mul(this.gamma));
    });
  }
}
