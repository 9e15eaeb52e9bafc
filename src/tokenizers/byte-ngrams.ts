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
 *
 * Computed as a 1-D convolution (conv2d over [B, L, 1, E] with the projection's weight as a [k, 1, E, D]
 * filter, after k−1 zero rows on the right) and a [g, 1] max pool: on wasm both have fast kernels and
 * gradients, where concatenating shifted slices and a max over a middle axis spent most of the step in
 * SplitV and a broadcasting Equal.
 */
export function ngramMaxPool(emb: tf.Tensor, projection: Linear, k: number, g: number): tf.Tensor {
  return tf.tidy(() => {
    const [b, length, e] = emb.shape as [number, number, number];
    if (length % g !== 0) throw new Error(`ngramMaxPool: length ${length} is not divisible by group size ${g}`);
    const d = projection.outDim;
    const image = emb
      .pad([
        [0, 0],
        [0, k - 1],
        [0, 0],
      ])
      .reshape([b, length + k - 1, 1, e]) as tf.Tensor4D;
    const filter = projection.weight.reshape([k, 1, e, d]) as tf.Tensor4D;
    let features = tf.conv2d(image, filter, 1, 'valid');
    if (projection.bias) features = features.add(projection.bias);
    features = gelu(features) as tf.Tensor4D;
    const pooled = g === 1 ? features : tf.maxPool(features as tf.Tensor4D, [g, 1], [g, 1], 'valid');
    return pooled.reshape([b, length / g, d]);
  });
}
