/**
 * Overlay corruptions drawn on top of the image: spatter (soft drops of random grey), dotted lines
 * across the image and zigzag strokes (MNIST-C style; lines in the ink that contrasts with the pixel). The severity sets how many strokes or drops;
 * they are drawn one after another from the rng, so severity s draws the first strokes of severity s + 1.
 */
import type { Rng } from '../util/rng.js';
import { contrastInk, drawSegment, type ImageSize } from './image-ops.js';
import type { CorruptionSpec } from './spec.js';

/** Blends a soft disk of grey `value` centred at (cy, cx) into `img`: α = clamp(r + 0.5 − distance, 0, 1). */
function drop(img: Float32Array, size: ImageSize, cy: number, cx: number, r: number, value: number): void {
  const R = Math.ceil(r + 1);
  for (let y = Math.max(0, Math.floor(cy) - R); y <= Math.min(size.height - 1, Math.ceil(cy) + R); y++) {
    for (let x = Math.max(0, Math.floor(cx) - R); x <= Math.min(size.width - 1, Math.ceil(cx) + R); x++) {
      const a = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(y - cy, x - cx)));
      const i = y * size.width + x;
      img[i] = (1 - a) * (img[i] as number) + a * value;
    }
  }
}

/** Soft drops of random grey (radius 0.7–2 px) at random places. */
export const spatter: CorruptionSpec = {
  name: 'spatter',
  family: 'overlay',
  parameter: 'number of drops',
  levels: [4, 8, 12, 18, 26],
  random: true,
  apply: (img, size, count, rng) => {
    const out = img.slice();
    for (let k = 0; k < count; k++) {
      const cy = rng.uniform() * size.height;
      const cx = rng.uniform() * size.width;
      const r = 0.7 + 1.3 * rng.uniform();
      drop(out, size, cy, cx, r, rng.uniform());
    }
    return out;
  },
};

/** A random straight line through the image: a point inside it and a direction; returns the far ends. */
function lineThrough(size: ImageSize, rng: Rng): [number, number, number, number] {
  const y = rng.uniform() * (size.height - 1);
  const x = rng.uniform() * (size.width - 1);
  const t = Math.PI * rng.uniform();
  const L = size.height + size.width;
  return [y - L * Math.sin(t), x - L * Math.cos(t), y + L * Math.sin(t), x + L * Math.cos(t)];
}

/** Dots every 2 pixels along random lines across the image (white on dark pixels, black on bright ones). */
export const dottedLine: CorruptionSpec = {
  name: 'dotted-line',
  family: 'overlay',
  parameter: 'number of dotted lines',
  levels: [1, 2, 3, 4, 5],
  random: true,
  apply: (img, size, count, rng) => {
    const out = img.slice();
    for (let k = 0; k < count; k++) {
      const [y0, x0, y1, x1] = lineThrough(size, rng);
      drawSegment(out, size, y0, x0, y1, x1, contrastInk(img), 2);
    }
    return out;
  },
};

/**
 * Zigzag strokes (white on dark pixels, black on bright ones): 6 segments of 3–5 px turning ±50° about a
 * random heading, centred in the middle half of the image.
 */
export const zigzag: CorruptionSpec = {
  name: 'zigzag',
  family: 'overlay',
  parameter: 'number of zigzags',
  levels: [1, 2, 3, 4, 5],
  random: true,
  apply: (img, size, count, rng) => {
    const out = img.slice();
    for (let k = 0; k < count; k++) {
      const cy = (0.25 + 0.5 * rng.uniform()) * (size.height - 1);
      const cx = (0.25 + 0.5 * rng.uniform()) * (size.width - 1);
      const heading = 2 * Math.PI * rng.uniform();
      // Start half the mean net run (6 segments × 4 px × cos 50°) before the centre.
      const back = 0.5 * 6 * 4 * Math.cos((50 * Math.PI) / 180);
      let y = cy - back * Math.sin(heading);
      let x = cx - back * Math.cos(heading);
      for (let s = 0; s < 6; s++) {
        const t = heading + ((s % 2 === 0 ? 1 : -1) * 50 * Math.PI) / 180;
        const len = 3 + 2 * rng.uniform();
        const [ny, nx] = [y + len * Math.sin(t), x + len * Math.cos(t)];
        drawSegment(out, size, y, x, ny, nx, contrastInk(img), 0.5);
        [y, x] = [ny, nx];
      }
    }
    return out;
  },
};

/** The overlay family. */
export const OVERLAY_CORRUPTIONS: readonly CorruptionSpec[] = [spatter, dottedLine, zigzag];
