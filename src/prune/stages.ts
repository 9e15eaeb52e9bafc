/**
 * The eval-mode NAC forward pass run stage by stage (tokenizer, read-in, propagators, read-out,
 * pooling), timing each stage, so that one can say where inference time goes. It follows
 * Circuit.forward exactly for eval mode (no code noise, seeder means); a test checks that its logits
 * equal NAC.forward's.
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
  const { circuit, pooling, tokenizer, config } = model;
  const { readIn: gi, propagator: gm, readOut: go } = circuit.latents;
  const rng = model.noiseRng;
  const B = x.shape[0] as number;
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
    const inputStates = timed('readIn', () => circuit.readIn.forward(circuit.seeder.forward(gi.codes, B, rng), tokens, gi.codes, rng));
    const med = timed('propagators', () => {
      let m = circuit.seeder.forward(gm.codes, B, rng);
      circuit.propagators.forEach((layer, l) => {
        const withInputs = l === 0 || config.persistentReadIn;
        const senders = withInputs
          ? {
              states: tf.concat([inputStates, m], 1),
              codes: tf.concat([gi.codes, gm.codes], 0),
              signatures: tf.concat([gi.signatures, gm.signatures], 0),
            }
          : { states: m, codes: gm.codes, signatures: gm.signatures };
        m = layer.forward({ states: m, codes: gm.codes, signatures: gm.signatures }, senders, rng);
      });
      return m;
    });
    const outputStates = timed('readOut', () =>
      circuit.readOut.forward(
        { states: circuit.seeder.forward(go.codes, B, rng), codes: go.codes, signatures: go.signatures },
        {
          states: tf.concat([inputStates, med], 1),
          codes: tf.concat([gi.codes, gm.codes], 0),
          signatures: tf.concat([gi.signatures, gm.signatures], 0),
        },
        rng,
      ),
    );
    const logits = timed('pooling', () => pooling.forward(outputStates, rng));
    keep.pop();
    return { logits, ms };
  } finally {
    for (const t of keep) t.dispose();
  }
}
