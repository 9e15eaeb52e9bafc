/**
 * Blur corruptions: Gaussian blur, defocus blur (an anti-aliased disk kernel) and motion blur (an
 * average along a line of random direction), plus pixelation (block averages on a coarser grid).
 */
import { convolve, gaussianBlur as blurImage, sampleBilinear } from './image-ops.js';
import type { CorruptionSpec } from './spec.js';

/** A normalised anti-aliased disk of radius `r` pixels: weight clamp(r + 0.5 − distance, 0, 1). */
export function diskKernel(r: number): { kernel: Float32Array; size: number } {
  const R = Math.ceil(r + 0.5);
  const size = 2 * R + 1;
  const kernel = new Float32Array(size * size);
  let sum = 0;
  for (let i = -R; i <= R; i++) {
    for (let j = -R; j <= R; j++) {
      const w = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(i, j)));
      kernel[(i + R) * size + j + R] = w;
      sum += w;
    }
  }
  for (let k = 0; k < kernel.length; k++) kernel[k] = (kernel[k] as number) / sum;
  return { kernel, size };
}

/** Gaussian blur of standard deviation σ pixels. */
export const gaussianBlurCorruption: CorruptionSpec = {
  name: 'gaussian-blur',
  family: 'blur',
  parameter: 'standard deviation (pixels)',
  levels: [0.6, 0.9, 1.2, 1.6, 2.1],
  random: false,
  apply: (img, size, sigma) => blurImage(img, size, sigma),
};

/** Convolution with an anti-aliased disk (an out-of-focus lens). */
export const defocusBlur: CorruptionSpec = {
  name: 'defocus-blur',
  family: 'blur',
  parameter: 'disk radius (pixels)',
  levels: [0.8, 1.2, 1.6, 2.1, 2.7],
  random: false,
  apply: (img, size, r) => {
    const { kernel, size: k } = diskKernel(r);
    return convolve(img, size, kernel, k, k);
  },
};

/** The mean of the image shifted along a line of length L through each pixel, at a random angle. */
export const motionBlur: CorruptionSpec = {
  name: 'motion-blur',
  family: 'blur',
  parameter: 'streak length (pixels)',
  levels: [3, 4.5, 6, 8, 10],
  random: true,
  apply: (img, size, length, rng) => {
    const theta = Math.PI * rng.uniform();
    const [dy, dx] = [Math.sin(theta), Math.cos(theta)];
    const taps = Math.max(2, Math.ceil(length * 2));
    const out = new Float32Array(img.length);
    for (let y = 0; y < size.height; y++) {
      for (let x = 0; x < size.width; x++) {
        let s = 0;
        for (let k = 0; k < taps; k++) {
          const t = (k / (taps - 1) - 0.5) * length;
          s += sampleBilinear(img, size, y + t * dy, x + t * dx);
        }
        out[y * size.width + x] = s / taps;
      }
    }
    return out;
  },
};

/** Each pixel replaced by the mean of its cell on an n × n grid laid over the image. */
export const pixelate: CorruptionSpec = {
  name: 'pixelate',
  family: 'digital',
  parameter: 'grid cells per side',
  levels: [18, 14, 11, 9, 7],
  random: false,
  apply: (img, size, n) => {
    const cellOf = (v: number, extent: number) => Math.min(n - 1, Math.floor((v * n) / extent));
    const sums = new Float64Array(n * n);
    const counts = new Float64Array(n * n);
    for (let y = 0; y < size.height; y++) {
      for (let x = 0; x < size.width; x++) {
        const c = cellOf(y, size.height) * n + cellOf(x, size.width);
        sums[c] = (sums[c] as number) + (img[y * size.width + x] as number);
        counts[c] = (counts[c] as number) + 1;
      }
    }
    const out = new Float32Array(img.length);
    for (let y = 0; y < size.height; y++) {
      for (let x = 0; x < size.width; x++) {
        const c = cellOf(y, size.height) * n + cellOf(x, size.width);
        out[y * size.width + x] = (sums[c] as number) / (counts[c] as number);
      }
    }
    return out;
  },
};

/** The blur family (pixelation included, as a loss of resolution). */
export const BLUR_CORRUPTIONS: readonly CorruptionSpec[] = [gaussianBlurCorruption, defocusBlur, motionBlur, pixelate];
