/**
 * Activations used by the reference: exact (erf) GELU as in PyTorch's default, and GEGLU.
 */
import * as tf from '@tensorflow/tfjs';

/** GELU(x) = ½·x·(1 + erf(x/√2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

/** GEGLU(z) = z₁ ⊙ GELU(z₂), z split in two halves along the last axis. */
export function geglu(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [a, g] = tf.split(z, 2, -1) as [tf.Tensor, tf.Tensor];
    return a.mul(gelu(g));
  });
}
