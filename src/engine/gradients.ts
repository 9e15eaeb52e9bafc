/**
 * Gradient overrides that keep the backward pass on the device. tfjs 4.22's Mean gradient multiplies
 * dy by `ones(x.shape)`, a tensor it fills in JavaScript and, on a GPU, uploads: for the LayerNorm
 * means of a paper-size NAC that was about 2 of the 7 host seconds of a WebGPU train step (H200, batch 128).
 * The override multiplies by `onesLike(x)`, a kernel (a device fill on webgpu), and is otherwise tfjs'
 * formula, so the result is bit-identical and the broadcast multiply keeps its fast path on wasm.
 * Registered once, at import, for every backend.
 */
import * as tf from '@tensorflow/tfjs';

const MARK = Symbol.for('neural-attentive-circuits/mean-grad');

/** Mean's gradient without a host-filled ones tensor: dy reshaped to keep the reduced axes, · onesLike(x), / n. */
export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const reduceSize = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
    return { x: () => tf.div(tf.mul(tf.reshape(dy as tf.Tensor, expanded), tf.onesLike(x)), reduceSize) };
  },
};

/** Registers the overrides (idempotent). */
export function registerGradientOverrides(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[MARK] === true) return;
  tf.registerGradient(meanGradConfig);
  g[MARK] = true;
}

registerGradientOverrides();
