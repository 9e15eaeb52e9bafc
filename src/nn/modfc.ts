/**
 * ModFC, the modulated fully-connected layer of spec §1.2:
 *
 *     ModFC(x; c) = W · ( x ⊙ (1 + α · LN(W_c c)) ) + b
 *
 * W, b, W_c and the scalar α are shared by all modules; modules differ only through their code c.
 * LN is a non-affine layer norm over the d_in features (eps 1e-5). α is learnable (init 0.1).
 * `modulation(codes)` gives the per-module factor (1 + α·LN(W_c c)) so that callers which can fold
 * it into a cheaper computation (the read-in layer) reuse exactly the same parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { linearWeight } from './init.js';
import { layerNorm } from './layer-norm.js';
import { gegluAffine } from './activations.js';
import { fusedLinear } from '../engine/kernels/linear-simd.js';
import type { Rng } from '../util/rng.js';

export interface ModFCOptions {
  /** Whether the layer has a bias b (initialised to zero). */
  bias: boolean;
  /** Initial value of α (spec: 0.1). */
  scaleGain: number;
  /** Whether α is learnable (spec: true). */
  learnableScaleGain: boolean;
  /** Whether the modulation is 1 + α·LN(·) (spec: true) or α·LN(·) (Neural Interpreters' ModLin). */
  addOneToScale: boolean;
}

/**
 * What may follow a ModFC in a residual block, applied by `forward` (fused with the product where the
 * backend can): the output times `gain` (LayerScale's γ), then `residual` plus that.
 */
export interface ModFCEpilogue {
  gain?: tf.Tensor | null;
  residual?: tf.Tensor | null;
}

export const DEFAULT_MODFC: ModFCOptions = { bias: true, scaleGain: 0.1, learnableScaleGain: true, addOneToScale: true };

export class ModFC extends Module {
  /** W, stored [d_in, d_out]. */
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  /** W_c, stored [d_code, d_in]. */
  readonly codeProj: tf.Variable;
  /** α, a scalar. */
  readonly gain: tf.Variable;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly codeDim: number,
    rng: Rng,
    private readonly opts: ModFCOptions = DEFAULT_MODFC,
  ) {
    super();
    this.weight = this.addParam('weight', linearWeight(rng, inDim, [inDim, outDim]));
    this.bias = opts.bias ? this.addParam('bias', tf.zeros([outDim])) : null;
    this.codeProj = this.addParam('codeProj', linearWeight(rng, codeDim, [codeDim, inDim]));
    this.gain = this.addParam('gain', tf.scalar(opts.scaleGain), opts.learnableScaleGain);
  }

  /** The per-module input modulation (1 + α·LN(W_c c)) for codes [U, d_code] (or [..., d_code]) → [U, d_in]. */
  modulation(codes: tf.Tensor): tf.Tensor {
    return this.evalCached('modulation', [codes, this.codeProj, this.gain], () =>
      tf.tidy(() => {
        const shape = codes.shape;
        const proj = tf.matMul(codes.reshape([-1, this.codeDim]), this.codeProj);
        let m = layerNorm(proj, 1e-5).mul(this.gain);
        if (this.opts.addOneToScale) m = m.add(1);
        return m.reshape([...shape.slice(0, -1), this.inDim]);
      }),
    );
  }

  /** Applies W and b to the last axis of an already modulated input. */
  project(xMod: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const shape = xMod.shape;
      let y: tf.Tensor = tf.matMul(xMod.reshape([-1, this.inDim]), this.weight);
      if (this.bias) y = y.add(this.bias);
      return y.reshape([...shape.slice(0, -1), this.outDim]);
    });
  }

  /**
   * x: [..., U, d_in]; codes: [U, d_code] (one code per module, broadcast over leading axes)
   * or codes of the same leading shape as x. Returns [..., U, d_out]. x may also be parts [B, U_i, d_in]
   * of the modules (codes: [ΣU_i, d_code]), taken as joined along axis 1; the fused kernel reads them
   * without joining them.
   */
  forward(x: tf.Tensor | readonly tf.Tensor[], codes: tf.Tensor, after: ModFCEpilogue = {}): tf.Tensor {
    return tf.tidy(() => {
      const m = this.modulation(codes);
      const fused = fusedLinear(x, this.weight, { scale: m, bias: this.bias, gain: after.gain, residual: after.residual });
      if (fused != null) return fused;
      const joined = !Array.isArray(x) ? (x as tf.Tensor) : x.length === 1 ? (x[0] as tf.Tensor) : tf.concat(x as tf.Tensor[], 1);
      let y = this.project(joined.mul(m));
      if (after.gain != null) y = tf.mul(y, after.gain);
      return after.residual != null ? after.residual.add(y) : y;
    });
  }

  /** GEGLU(forward(x, codes)) for a layer with 2h outputs, without splitting them (see gegluAffine). */
  gegluForward(x: tf.Tensor, codes: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const m = this.modulation(codes);
      return (
        fusedLinear(x, this.weight, { scale: m, bias: this.bias, activation: 'geglu' }) ?? gegluAffine(x.mul(m), this.weight, this.bias)
      );
    });
  }
}
