// Synthetic 28×28 grey "garments" for the corruption tests: a textured bright shape (ellipse or
// rectangle, grey levels 0.35–0.95 with a dark logo stripe) on a black background, like Fashion-MNIST.
import { Rng } from '../../src/util/rng.js';

export const SIZE = { height: 28, width: 28 };

/** Image k (k = 0, 1, …) of the synthetic set; the same k always gives the same image. */
export function garment(k: number): Float32Array {
  const rng = new Rng(1000 + k);
  const img = new Float32Array(28 * 28);
  const [cy, cx] = [13.5 + 2 * rng.uniform() - 1, 13.5 + 2 * rng.uniform() - 1];
  const [ry, rx] = [6 + 5 * rng.uniform(), 5 + 5 * rng.uniform()];
  const rect = k % 2 === 1;
  const base = 0.35 + 0.5 * rng.uniform();
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const u = (y - cy) / ry;
      const v = (x - cx) / rx;
      const inside = rect ? Math.abs(u) <= 1 && Math.abs(v) <= 1 : u * u + v * v <= 1;
      if (!inside) continue;
      const stripe = Math.abs(y - cy) < 1.2 && Math.abs(x - cx) < rx / 2;
      img[y * 28 + x] = stripe ? 0.1 : Math.min(0.95, base + 0.1 * Math.sin(x + 2 * y) + 0.05 * rng.uniform());
    }
  }
  return img;
}

/** Mean absolute difference of two images. */
export function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}
