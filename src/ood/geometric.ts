/**
 * Geometric corruptions (MNIST-C style), all about the image centre with a black fill and bilinear
 * sampling: rotation, shear, down-scaling, translation and elastic deformation (Simard et al. 2003).
 * The random choices (sign, axis, direction, displacement field) are drawn first and do not depend on
 * the severity, so one rng state gives the same deformation at every severity, only larger.
 */
import type { Rng } from '../util/rng.js';
import { affine, gaussianBlur, sampleBilinear, type ImageSize } from './image-ops.js';
import type { CorruptionSpec } from './spec.js';

const sign = (rng: Rng): number => (rng.uniform() < 0.5 ? -1 : 1);

/** Rotation by ± the angle in degrees (random sign). */
export const rotate: CorruptionSpec = {
  name: 'rotate',
  family: 'geometric',
  parameter: 'angle (degrees, random sign)',
  levels: [10, 20, 30, 45, 60],
  random: true,
  apply: (img, size, degrees, rng) => {
    const t = (sign(rng) * degrees * Math.PI) / 180;
    return affine(img, size, [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)]);
  },
};

/** Horizontal or vertical shear (random axis and sign): x' = x + s·y or y' = y + s·x. */
export const shear: CorruptionSpec = {
  name: 'shear',
  family: 'geometric',
  parameter: 'shear factor (random axis and sign)',
  levels: [0.15, 0.3, 0.45, 0.6, 0.8],
  random: true,
  apply: (img, size, s, rng) => {
    const k = sign(rng) * s;
    const horizontal = rng.uniform() < 0.5;
    return affine(img, size, horizontal ? [1, k, 0, 1] : [1, 0, k, 1]);
  },
};

/** Shrinking about the centre by a factor < 1. */
export const scale: CorruptionSpec = {
  name: 'scale',
  family: 'geometric',
  parameter: 'scale factor',
  levels: [0.85, 0.75, 0.65, 0.55, 0.45],
  random: false,
  apply: (img, size, f) => affine(img, size, [f, 0, 0, f]),
};

/** A shift by a distance in pixels in a random direction. */
export const translate: CorruptionSpec = {
  name: 'translate',
  family: 'geometric',
  parameter: 'shift (pixels, random direction)',
  levels: [2, 3, 4, 5, 6],
  random: true,
  apply: (img, size, d, rng) => {
    const phi = 2 * Math.PI * rng.uniform();
    return affine(img, size, [1, 0, 0, 1], d * Math.cos(phi), d * Math.sin(phi));
  },
};

/** Smoothed random displacement field (σ = 3 px) scaled to a root-mean-square length of `amplitude` pixels. */
export function displacementField(size: ImageSize, amplitude: number, rng: Rng): { dy: Float32Array; dx: Float32Array } {
  const n = size.height * size.width;
  const smooth = (): Float32Array => gaussianBlur(rng.uniformArray(n, -1, 1), size, 3);
  const dy = smooth();
  const dx = smooth();
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (dy[i] as number) ** 2 + (dx[i] as number) ** 2;
  const f = ss > 0 ? amplitude / Math.sqrt(ss / n) : 0;
  for (let i = 0; i < n; i++) {
    dy[i] = (dy[i] as number) * f;
    dx[i] = (dx[i] as number) * f;
  }
  return { dy, dx };
}

/** Elastic deformation: each pixel sampled at its position plus a smooth random displacement. */
export const elastic: CorruptionSpec = {
  name: 'elastic',
  family: 'geometric',
  parameter: 'RMS displacement (pixels)',
  levels: [0.7, 1.1, 1.5, 2.0, 2.6],
  random: true,
  apply: (img, size, amplitude, rng) => {
    const { dy, dx } = displacementField(size, amplitude, rng);
    const out = new Float32Array(img.length);
    for (let y = 0; y < size.height; y++) {
      for (let x = 0; x < size.width; x++) {
        const i = y * size.width + x;
        out[i] = sampleBilinear(img, size, y + (dy[i] as number), x + (dx[i] as number));
      }
    }
    return out;
  },
};

/** The geometric family. */
export const GEOMETRIC_CORRUPTIONS: readonly CorruptionSpec[] = [rotate, shear, scale, translate, elastic];
