/**
 * Output pooling (spec §1.9, the reference's OutputLatentPooling): a confidence per output module,
 * softmax over modules (Gumbel softmax with τ = 1 in training when configured; plain softmax in eval),
 * then a linear classifier on the confidence-weighted sum of output states.
 */
import * as tf from '@tensorflow/tfjs';
import { uniformNoise } from '../engine/random.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import type { Rng } from '../util/rng.js';

export class OutputPooling extends Module {
  readonly scorer: Linear;
  readonly classifier: Linear;

  constructor(
    dim: number,
    numClasses: number,
    private readonly softmaxType: 'gumbel' | 'vanilla',
    rng: Rng,
  ) {
    super();
    this.scorer = this.addChild('scorer', new Linear(dim, 1, rng));
    this.classifier = this.addChild('classifier', new Linear(dim, numClasses, rng));
  }

  /** The pooling weights [B, U] over output modules. */
  weights(states: tf.Tensor, rng: Rng): tf.Tensor {
    return tf.tidy(() => {
      let scores = this.scorer.forward(states).squeeze([2]); // [B, U]
      if (this.training && this.softmaxType === 'gumbel') {
        const u = uniformNoise(scores.shape, 1e-10, 1, rng.seed());
        scores = scores.sub(tf.log(tf.log(u).neg()));
      }
      return tf.softmax(scores, -1);
    });
  }

  /** Output states [B, U, d] → logits [B, classes]. */
  forward(states: tf.Tensor, rng: Rng): tf.Tensor {
    return tf.tidy(() => {
      const w = this.weights(states, rng);
      const pooled = tf.matMul(w.expandDims(1), states).squeeze([1]); // [B, d]
      return this.classifier.forward(pooled);
    });
  }
}
