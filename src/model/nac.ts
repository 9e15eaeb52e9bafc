/**
 * The Neural Attentive Circuit: tokenizer → circuit (read-in, propagators, read-out) → output
 * pooling. `forward` gives logits; `forwardDetailed` also returns every intermediate, as the
 * reference-parity check needs. Training-time randomness (code noise, seeder noise, kernel sampling,
 * DropPath, Gumbel pooling) comes from a seeded stream; eval mode is deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { Rng } from '../util/rng.js';
import { validateNACConfig, type NACConfig } from '../config/nac-config.js';
import { createTokenizer } from '../tokenizers/index.js';
import type { Tokenizer } from '../tokenizers/tokenizer.js';
import { Circuit, type CircuitStates } from '../circuits/circuit.js';
import { OutputPooling } from '../circuits/pooling.js';

export interface NACOutputs extends CircuitStates {
  tokens: tf.Tensor;
  logits: tf.Tensor;
}

export interface NACBuildOptions {
  /** Seed of the weight initialisation and of the training-noise stream. */
  seed?: number;
  /** Skip fitting the signatures to the graph prior (weights are about to be loaded). */
  skipPriorFit?: boolean;
}

export class NAC extends Module {
  readonly tokenizer: Tokenizer;
  readonly circuit: Circuit;
  readonly pooling: OutputPooling;
  /** Stream of seeds for training-time noise; reseed with {@link reseedNoise}. */
  noiseRng: Rng;

  /**
   * Builds a NAC with weights drawn from `options.seed` (default 0). With `skipPriorFit` the signatures
   * are not fitted to their graph prior (use it when weights will be loaded right after).
   * Throws ConfigError on an invalid config.
   */
  constructor(
    readonly config: NACConfig,
    options: NACBuildOptions = {},
  ) {
    super();
    validateNACConfig(config);
    const rng = new Rng(options.seed ?? 0);
    this.tokenizer = this.addChild('tokenizer', createTokenizer(config.tokenizer, rng.fork()));
    const built = options.skipPriorFit ? { ...config, priors: { ...config.priors, fitSteps: 0 } } : config;
    this.circuit = this.addChild('circuit', new Circuit(built, this.tokenizer.tokenDim, rng.fork()));
    this.pooling = this.addChild('pooling', new OutputPooling(config.stateDim, config.numClasses, config.pooling, rng.fork()));
    this.noiseRng = rng.fork();
  }

  /** Restarts the training-noise stream from a seed. */
  reseedNoise(seed: number): void {
    this.noiseRng = new Rng(seed);
  }

  /** Input batch (e.g. NHWC images) → tokens, module states and logits. */
  forwardDetailed(x: tf.Tensor, rng: Rng = this.noiseRng): NACOutputs {
    return tf.tidy(() => {
      const tokens = this.tokenizer.forward(x);
      const states = this.circuit.forward(tokens, rng);
      const logits = this.pooling.forward(states.outputStates, rng);
      return { tokens, ...states, logits };
    });
  }

  /** Input batch → logits [B, classes]. */
  forward(x: tf.Tensor, rng: Rng = this.noiseRng): tf.Tensor {
    return tf.tidy(() => {
      const out = this.forwardDetailed(x, rng);
      return out.logits;
    });
  }

  /** Parameter counts by top-level part (tokenizer, latents, seeder, read-in, propagators, read-out, pooling). */
  parameterBreakdown(): Record<string, number> {
    const parts: Record<string, number> = {};
    for (const [name, v] of this.namedParameters()) {
      const seg = name.split('.');
      const key = seg[0] === 'circuit' ? (seg[1] as string) : (seg[0] as string);
      parts[key] = (parts[key] ?? 0) + v.size;
    }
    return parts;
  }
}
