/**
 * Activations used by the reference: exact (erf) GELU as in PyTorch's default, and GEGLU, also fused
 * with the affine map that feeds it (gegluAffine: no split of a [..., 2h] tensor, which tfjs-wasm's
 * SplitV does slowly: 30 % of the reference NAC's forward).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedGelu, fusedGeluActive } from '../engine/kernels/gelu-native.js';
import { affineColumns } from './linear.js';

/** GELU(x) = ½·x·(1 + erf(x/√2)); one fused kernel each way where the backend has it (wasm, webgpu). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedGeluActive() && x.dtype === 'float32') return fusedGelu(x);
  return tf.tidy(() => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5));
}

/** GEGLU(z) = z₁ ⊙ GELU(z₂), z split in two halves along the last axis. */
export function geglu(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [a, g] = tf.split(z, 2, -1) as [tf.Tensor, tf.Tensor];
    return a.mul(gelu(g));
  });
}

/**
 * GEGLU(x·W + b) without materialising x·W + b: each half comes from its own half of W's columns and
 * of b (a small slice of the parameters instead of a split of the [..., 2h] activations). x: [..., in],
 * W: [in, 2h], b: [2h] or null → [..., h]. Equal to geglu(x·W + b) up to float32 rounding.
 */
export function gegluAffine(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const h = (weight.shape[1] as number) / 2;
    return affineColumns(x, weight, bias, 0, h).mul(gelu(affineColumns(x, weight, bias, h, h)));
  });
}
