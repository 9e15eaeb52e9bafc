/**
 * ModFFN, the code-conditioned feed-forward block (spec §1.7), as a pre-LN residual branch:
 *   θ ← θ + DropPath(γ ⊙ ModFC₂(GEGLU(ModFC₁(LN(θ); c)); c))
 * ModFC₁ maps d → 2h for GEGLU (d → h with plain GELU), ModFC₂ maps h → d; both have biases.
 */

import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { LayerNorm } from './layer-norm.js';
import { ModFC, type ModFCOptions } from './modfc.js';
import { LayerScale } from './layer-scale.js';
import { dropPath } from './drop-path.js';
import { gelu } from './activations.js';
import type { Rng } from '../util/rng.js';

export interface ModFFNOptions {
  dim: number;
  hidden: number;
  codeDim: number;
  geglu: boolean;
  layerScale: number | null;
  dropPath: number;
  modfc: Omit<ModFCOptions, 'bias'>;
}

export class ModFFN extends Module {
  readonly norm: LayerNorm;
  readonly fc1: ModFC;
  readonly fc2: ModFC;
  readonly layerScale: LayerScale;

  constructor(
    private readonly opts: ModFFNOptions,
    rng: Rng,
  ) {
    super();
    const { dim, hidden, codeDim } = opts;
    this.norm = this.addChild('norm', new LayerNorm(dim));
    this.fc1 = this.addChild('fc1', new ModFC(dim, opts.geglu ? 2 * hidden : hidden, codeDim, rng, { ...opts.modfc, bias: true }));
    this.fc2 = this.addChild('fc2', new ModFC(hidden, dim, codeDim, rng, { ...opts.modfc, bias: true }));
    this.layerScale = this.addChild('layerScale', new LayerScale(dim, opts.layerScale));
  }

  /** The residual branch alone (no residual add, no DropPath): [B, U, d] with codes [U, d_code]. */
  branch(x: tf.Tensor, codes: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layerScale.forward(this.fc2.forward(this.hidden(x, codes), codes)));
  }

  /** The hidden activation: (GE)GLU(fc1(LN(x))). */
  private hidden(x: tf.Tensor, codes: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const xn = this.norm.forward(x);
      return this.opts.geglu ? this.fc1.gegluForward(xn, codes) : gelu(this.fc1.forward(xn, codes));
    });
  }

  /** x + DropPath(branch(x)). */
  forward(x: tf.Tensor, codes: tf.Tensor, rng: Rng): tf.Tensor {
    return tf.tidy(() => {
      if (this.training && this.opts.dropPath > 0) return x.add(dropPath(this.branch(x, codes), this.opts.dropPath, this.training, rng));
      // No drop path: the LayerScale and the residual add ride on fc2 (one fused kernel in eval on wasm).
      return this.fc2.forward(this.hidden(x, codes), codes, { gain: this.layerScale.gamma, residual: x });
    });
  }
}
