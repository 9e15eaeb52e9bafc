/**
 * The stages of a classifier's forward pass that adaptation can start from, for NAC and Perceiver IO
 * alike: raw `input` → `tokens` (tokenizer output) → `features` (the pooled representation right
 * before the classifier) → logits. A policy that freezes everything before a stage can cache that
 * stage's values once and train from there (the tokenizer has no training-time randomness, and the
 * features are cached in eval mode only).
 */
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../model/nac.js';
import { PerceiverIO, type ClassifierModel } from '../model/factory.js';
import type { Linear } from '../nn/linear.js';
import { repeatBatch } from '../nn/repeat-batch.js';
import type { Rng } from '../util/rng.js';

/** Where a forward pass starts. */
export type Stage = 'input' | 'tokens' | 'features';

/** Throws unless the model is a NAC or a Perceiver IO (the kinds adaptation knows). */
export function modelKind(model: ClassifierModel): 'nac' | 'perceiver-io' {
  if (model instanceof NAC) return 'nac';
  if (model instanceof PerceiverIO) return 'perceiver-io';
  throw new Error(`adaptation supports NAC and Perceiver IO models; got ${model.constructor.name}`);
}

/** The classifier head: NAC `pooling.classifier`, Perceiver IO `toLogits`. */
export function classifierOf(model: ClassifierModel): Linear {
  return model instanceof NAC ? model.pooling.classifier : (model as PerceiverIO).toLogits;
}

/** The width of the features the classifier reads (NAC stateDim, Perceiver IO queriesDim). */
export function featureDim(model: ClassifierModel): number {
  return classifierOf(model).inDim;
}

/** Perceiver IO decoder output before its logits head: [B, queriesDim]. */
function pioFeatures(model: PerceiverIO, latents: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const query = repeatBatch(model.classificationQuery, latents.shape[0] as number);
    let z = model.decoderCrossAttention.forward(query, latents);
    z = z.add(model.decoderFeedForward.forward(z));
    return z.squeeze([1]);
  });
}

/** NAC output states [B, U, d] → the pooled representation [B, d] (Gumbel noise in training mode only). */
function nacFeatures(model: NAC, tokens: tf.Tensor, rng: Rng): tf.Tensor {
  return tf.tidy(() => {
    const states = model.circuit.forward(tokens, rng).outputStates;
    const w = model.pooling.weights(states, rng);
    return tf.matMul(w.expandDims(1), states).squeeze([1]);
  });
}

/** Tokens → features, in the model's current mode (NAC noise from `rng`). */
function featuresFromTokens(model: ClassifierModel, tokens: tf.Tensor, rng: Rng): tf.Tensor {
  if (model instanceof NAC) return nacFeatures(model, tokens, rng);
  const pio = model as PerceiverIO;
  return pioFeatures(pio, pio.encode(tokens));
}

/**
 * Runs the part of the forward pass from `from` up to and including `to` (`to` later than `from`;
 * 'logits' is the end). The model's mode decides NAC's training noise, drawn from `rng`.
 */
export function runStages(model: ClassifierModel, x: tf.Tensor, from: Stage, to: Stage | 'logits', rng: Rng): tf.Tensor {
  const order = ['input', 'tokens', 'features', 'logits'];
  if (order.indexOf(to) <= order.indexOf(from)) throw new Error(`runStages: cannot go from '${from}' to '${to}'`);
  return tf.tidy(() => {
    let h = x;
    if (from === 'input') {
      h = (model as NAC | PerceiverIO).tokenizer.forward(h);
      if (to === 'tokens') return h;
    }
    if (from !== 'features') {
      h = featuresFromTokens(model, h, rng);
      if (to === 'features') return h;
    }
    return classifierOf(model).forward(h);
  });
}
