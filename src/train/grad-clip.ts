/**
 * Gradient clipping by global L2 norm, with the factor of torch.nn.utils.clip_grad_norm_. The trainer
 * computes the norm once and passes the factor to AdamW.step, so clipping costs no extra pass.
 */
import * as tf from '@tensorflow/tfjs';

/** Global L2 norm of a set of gradients as a scalar tensor (0 for none): one concat and three kernels. */
export function globalNormTensor(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
  if (grads.size === 0) return tf.scalar(0);
  return tf.tidy(
    () =>
      tf
        .concat([...grads.values()].map((g) => g.reshape([-1])))
        .square()
        .sum()
        .sqrt() as tf.Scalar,
  );
}

/** Global L2 norm of a set of gradients: {@link globalNormTensor} and one (synchronous) read. */
export function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): number {
  if (grads.size === 0) return 0;
  const norm = globalNormTensor(grads);
  try {
    return norm.dataSync()[0] as number;
  } finally {
    norm.dispose();
  }
}

/** The factor torch.nn.utils.clip_grad_norm_ scales gradients by: min(1, maxNorm / (norm + 1e-6)). */
export function clipScale(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clip: maxNorm must be > 0, got ${maxNorm}`);
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/**
 * Clips gradients by their global L2 norm (factor {@link clipScale}). Returns new tensors (the caller
 * disposes them and the inputs) and the norm before clipping. Cheaper in a training step:
 * `optimizer.step(grads, lr, clipScale(globalNorm(grads), maxNorm))`.
 */
export function clipByGlobalNorm(grads: ReadonlyMap<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = globalNorm(grads);
  const scale = clipScale(norm, maxNorm);
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) out.set(name, scale < 1 ? tf.tidy(() => g.mul(scale)) : g.clone());
  return { grads: out, norm };
}
