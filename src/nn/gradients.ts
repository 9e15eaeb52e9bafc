/**
 * Gradient helpers tfjs lacks: stopGradient (identity forward, zero gradient) and straightThrough
 * (forward value of one tensor, gradient of another). Also registers zero gradients for the
 * comparison kernels: they are piecewise constant, but tfjs has no gradient for them and fails when
 * a mask computed from a trainable tensor (e.g. the kernel truncation d ≤ τ) lies on the tape.
 */
import * as tf from '@tensorflow/tfjs';

for (const kernelName of ['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal', 'NotEqual']) {
  if (!tf.getGradient(kernelName)) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as [tf.Tensor, tf.Tensor];
        return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
      },
    });
  }
}

const stop = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Identity in the forward pass; blocks the gradient. */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return stop(x) as tf.Tensor;
}

/** `value` in the forward pass, the gradient of `surrogate` in the backward pass (exact when value = surrogate). */
export function straightThrough(value: tf.Tensor, surrogate: tf.Tensor): tf.Tensor {
  return tf.tidy(() => surrogate.add(stopGradient(value.sub(surrogate))));
}
