/**
 * The unconditional circuit generator's per-module parameters for one module group (read-in,
 * propagator or read-out): codes c_u ~ N(0, I) (what a module computes) and signatures s_u
 * (whom it talks to), the latter fitted to a graph prior (spec §1.3–§1.4).
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { normal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';
import type { GraphPriorConfig } from './graph-priors.js';
import { signaturesForPrior } from './signature-fit.js';

export interface ModuleLatentsOptions {
  count: number;
  codeDim: number;
  signatureDim: number;
  prior: GraphPriorConfig;
  fitTruncation: number;
  fitSteps: number;
  learnableCodes: boolean;
  learnableSignatures: boolean;
}

export class ModuleLatents extends Module {
  /** Codes [U, d_code]. */
  readonly codes: tf.Variable;
  /** Signatures [U, d_sig]. */
  readonly signatures: tf.Variable;
  /** The prior graph the signatures were fitted to (null for 'none'/'complete' or after loading). */
  readonly priorAdjacency: Uint8Array | null;

  constructor(
    readonly opts: ModuleLatentsOptions,
    rng: Rng,
  ) {
    super();
    this.codes = this.addParam('codes', normal(rng, [opts.count, opts.codeDim]), opts.learnableCodes);
    const { signatures, adjacency } = signaturesForPrior(opts.prior, opts.count, opts.signatureDim, rng.fork(), {
      steps: opts.fitSteps,
      truncation: opts.fitTruncation,
    });
    this.priorAdjacency = adjacency;
    this.signatures = this.addParam('signatures', tf.tensor2d(signatures, [opts.count, opts.signatureDim]), opts.learnableSignatures);
  }

  get count(): number {
    return this.opts.count;
  }
}
