/**
 * The eval-mode NAC forward pass run stage by stage (tokenizer, read-in, propagators, read-out,
 * pooling), timing each stage, so that one can say where inference time goes. The circuit's stages
 * are Circuit.forward's own (timed through its stage runner); a test checks that the logits equal
 * NAC.forward's.
 */
import * as tf from '@tensorflow/tfjs';
import type { NAC } from '../model/nac.js';

/** The stages, in forward order. Each seeder call is timed with the stage whose states it seeds. */
export const FORWARD_STAGES = ['tokenizer', 'readIn', 'propagators', 'readOut', 'pooling'] as const;
/** One of {@link FORWARD_STAGES}. */
export type ForwardStage = (typeof FORWARD_STAGES)[number];

/** Runs the eval forward of `model` on `x` stage by stage; returns the logits (caller disposes) and each stage's wall time in ms. */
export function forwardStages(model: NAC, x: tf.Tensor): { logits: tf.Tensor; ms: Record<ForwardStage, number> } {
  if (model.training) throw new Error('forwardStages: the model must be in eval mode (call model.eval())');
  const { circuit, pooling, tokenizer } = model;
  const rng = model.noiseRng;
  const ms = {} as Record<ForwardStage, number>;
  const keep: tf.Tensor[] = [];
  const timed = (stage: ForwardStage, fn: () => tf.Tensor): tf.Tensor => {
    const t0 = performance.now();
    const y = tf.tidy(fn);
    y.dataSync(); // wait for the backend
    ms[stage] = performance.now() - t0;
    keep.push(y);
    return y;
  };
  try {
    const tokens = timed('tokenizer', () => tokenizer.forward(x));
    const { outputStates } = circuit.forward(tokens, rng, timed);
    const logits = timed('pooling', () => pooling.forward(outputStates, rng));
    keep.pop();
    return { logits, ms };
  } finally {
    for (const t of keep) t.dispose();
  }
}
