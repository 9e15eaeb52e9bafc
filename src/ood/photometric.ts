/**
 * Photometric corruptions: lower contrast (towards the image mean), higher brightness (an added
 * offset, clipped) and fog (a plasma fractal added on top while the image is dimmed, as in ImageNet-C).
 * Their severity 1 is milder than ImageNet-C's: all three lift the black background, and models trained
 * on Fashion-MNIST's exactly black background already lose half their accuracy at an offset of about
 * 0.05, so ImageNet-C's levels would put every severity at chance.
 */
import type { Rng } from '../util/rng.js';
import type { ImageSize } from './image-ops.js';
import type { CorruptionSpec } from './spec.js';

/** Mean of the pixels. */
function mean(img: Float32Array): number {
  let s = 0;
  for (const v of img) s += v;
  return img.length > 0 ? s / img.length : 0;
}

/** (x − mean)·c + mean with c < 1. */
export const contrast: CorruptionSpec = {
  name: 'contrast',
  family: 'photometric',
  parameter: 'contrast factor',
  levels: [0.9, 0.8, 0.65, 0.5, 0.3],
  random: false,
  apply: (img, _size, c) => {
    const m = mean(img);
    return img.map((v) => (v - m) * c + m);
  },
};

/** x + b (then clipped to 1). */
export const brightness: CorruptionSpec = {
  name: 'brightness',
  family: 'photometric',
  parameter: 'added brightness',
  levels: [0.03, 0.06, 0.1, 0.2, 0.35],
  random: false,
  apply: (img, _size, b) => img.map((v) => v + b),
};

/**
 * A plasma fractal (diamond–square on a (2^k + 1)² grid covering the image) with amplitude decay
 * `decay` per octave, cropped to the image and scaled to [0, 1].
 */
export function plasmaFractal(size: ImageSize, rng: Rng, decay = 1.7): Float32Array {
  let n = 1;
  while (n < Math.max(size.height, size.width)) n *= 2;
  const side = n + 1;
  const g = new Float64Array(side * side);
  const at = (y: number, x: number): number => g[y * side + x] as number;
  let amp = 1;
  for (let step = n; step > 1; step /= 2, amp /= decay) {
    const half = step / 2;
    for (let y = half; y < n; y += step) {
      for (let x = half; x < n; x += step) {
        const avg = (at(y - half, x - half) + at(y - half, x + half) + at(y + half, x - half) + at(y + half, x + half)) / 4;
        g[y * side + x] = avg + amp * (rng.uniform() - 0.5);
      }
    }
    for (let y = 0; y <= n; y += half) {
      for (let x = (y / half) % 2 === 0 ? half : 0; x <= n; x += step) {
        let s = 0;
        let k = 0;
        for (const [yy, xx] of [
          [y - half, x],
          [y + half, x],
          [y, x - half],
          [y, x + half],
        ] as const) {
          if (yy >= 0 && yy <= n && xx >= 0 && xx <= n) {
            s += at(yy, xx);
            k++;
          }
        }
        g[y * side + x] = s / k + amp * (rng.uniform() - 0.5);
      }
    }
  }
  const out = new Float32Array(size.height * size.width);
  for (let y = 0; y < size.height; y++) for (let x = 0; x < size.width; x++) out[y * size.width + x] = at(y, x);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of out) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const range = hi - lo;
  return out.map((v) => (range > 0 ? (v - lo) / range : 0));
}

/** (x + a·fog)·max/(max + a): fog of strength a over a dimmed image (max = the image's maximum). */
export const fog: CorruptionSpec = {
  name: 'fog',
  family: 'photometric',
  parameter: 'fog strength',
  levels: [0.06, 0.12, 0.25, 0.45, 0.8],
  random: true,
  apply: (img, size, a, rng) => {
    const f = plasmaFractal(size, rng);
    let max = 0;
    for (const v of img) max = Math.max(max, v);
    const top = max > 0 ? max : 1;
    return img.map((v, i) => ((v + a * (f[i] as number)) * top) / (top + a));
  },
};

/** The photometric family. */
export const PHOTOMETRIC_CORRUPTIONS: readonly CorruptionSpec[] = [contrast, brightness, fog];
