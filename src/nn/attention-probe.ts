/**
 * An opt-in probe on the code-conditioned attention (propagator and read-out layers): inside
 * {@link recordAttention}, every ModAttention call leaves its attention weights averaged over heads,
 * [B, Ur, Us], in call order (propagator layers 0…L−1, then the read-out). Outside it, nothing is
 * recorded and nothing is computed. Used by circuit inspection and attention-based pruning scores.
 */
import * as tf from '@tensorflow/tfjs';

let active: tf.Tensor[] | null = null;

/**
 * Runs `fn` and returns its result together with the attention weights (mean over heads, [B, Ur, Us])
 * of every ModAttention call it made, in call order. The caller owns (and must dispose) the tensors.
 */
export function recordAttention<T>(fn: () => T): { result: T; attention: tf.Tensor[] } {
  if (active) throw new Error('recordAttention: already recording (calls do not nest)');
  const attention: tf.Tensor[] = [];
  active = attention;
  try {
    return { result: fn(), attention };
  } finally {
    active = null;
  }
}

/** Whether recordAttention is collecting attention weights now (layers then compute them explicitly). */
export function recordingAttention(): boolean {
  return active != null;
}

/** Called by ModAttention with its weights [B, H, Ur, Us]; records their head mean when a probe is active. */
export function noteAttention(weights: tf.Tensor): void {
  if (active) active.push(tf.keep(weights.mean(1)));
}
