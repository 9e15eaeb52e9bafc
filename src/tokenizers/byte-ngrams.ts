/**
 * Shift-invariant byte n-gram features for the byte tokenizer (`ngram` ≥ 1), a one-layer character CNN:
 * at every byte position i the embeddings of bytes i … i+k−1 (zeros past the end) are concatenated and
 * go through one shared Linear(k·E → D) and a GELU; each token is the element-wise maximum over its g
 * positions. A word therefore yields the same features wherever it starts, which grouping by
 * concatenation (a different weight per offset inside the group) does not give.
 */
import * as tf from '@tensorflow/tfjs';
import { gelu } from '../nn/activations.js';
import type { Linear } from '../nn/linear.js';

/**
 * Byte embeddings [B, L, E] → tokens [B, L/g, D]: windows of k embeddings, `projection` (k·E → D), GELU,
 * max over each group of g positions. L must be divisible by g.
 */
export function ngramMaxPool(emb: tf.Tensor, projection: Linear, k: number, g: number): tf.Tensor {
  return tf.tidy(() => {
    const [b, length, e] = emb.shape as [number, number, number];
    if (length % g !== 0) throw new Error(`ngramMaxPool: length ${length} is not divisible by group size ${g}`);
    let windows = emb;
    if (k > 1) {
      const padded = emb.pad([
        [0, 0],
        [0, k - 1],
        [0, 0],
      ]);
      const shifts: tf.Tensor[] = [];
      for (let j = 0; j < k; j++) shifts.push(padded.slice([0, j, 0], [b, length, e]));
      windows = tf.concat(shifts, -1);
    }
    const features = gelu(projection.forward(windows));
    const d = features.shape[2] as number;
    return g === 1 ? features : features.reshape([b, length / g, g, d]).max(2);
  });
}
