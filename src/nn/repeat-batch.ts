/**
 * Repeats a tensor along a new leading batch axis. tf.tile would do it, but tile's gradient in tfjs
 * is one slice and one add per repeat (256 extra kernels at batch 128); a broadcast add's gradient is
 * a single sum over the batch axis.
 */
import * as tf from '@tensorflow/tfjs';

/** `t` of shape S → shape [b, ...S], every row equal to `t`. */
export function repeatBatch(t: tf.Tensor, b: number): tf.Tensor {
  return tf.add(t.expandDims(0), tf.zeros([b, ...t.shape.map(() => 1)]));
}
