/**
 * Data augmentation on plain typed arrays, seeded by the project's Rng (deterministic for a given
 * rng state): pad-and-crop and horizontal flips of NHWC images, timm-style batch Mixup/CutMix of
 * images and their soft targets (spec §2.1), and jitter/scale/rotation of point clouds.
 * Also Gamma (Marsaglia–Tsang) and Beta samplers, which Mixup/CutMix draw λ from.
 */
import type { Rng } from '../util/rng.js';

/** Options of {@link augmentImages}; everything is off by default. */
export interface ImageAugmentOptions {
  /** Zero-pad every side by p pixels, then crop a random H×W window back (0 = off). */
  padCrop?: number;
  /** Flip each image left–right with probability ½ (off by default: orientation matters for digits and some clothes). */
  hflip?: boolean;
}

/** timm `mode='batch'` Mixup/CutMix settings. An α of 0 disables that mode. */
export interface MixOptions {
  /** Mixup's Beta(α, α) parameter (timm default 0.8). */
  mixupAlpha: number;
  /** CutMix's Beta(α, α) parameter (timm default 1.0). */
  cutmixAlpha: number;
  /** Probability of mixing a batch at all (timm `prob`). */
  prob: number;
  /** Probability of CutMix rather than Mixup when both are enabled (timm `switch_prob`). */
  switchProb: number;
}

/** A mixed batch: images, soft targets, the (box-corrected) λ and the mode that was drawn. */
export interface MixResult {
  x: Float32Array;
  targets: Float32Array;
  lambda: number;
  mode: 'mixup' | 'cutmix' | 'none';
}

/** Options of {@link augmentPoints}; everything is off by default. */
export interface PointAugmentOptions {
  /** Standard deviation of Gaussian noise added to every coordinate. */
  jitter?: number;
  /** Per-cloud uniform scale factor drawn from [lo, hi]. */
  scale?: [number, number];
  /** Random rotation: about z by any angle for 3-D points, in-plane by at most `maxAngle` for 2-D. */
  rotate?: boolean;
  /** Largest |angle| (radians) of a 2-D rotation (default π/12 = 15°). */
  maxAngle?: number;
}

/** A Gamma(shape, 1) sample (Marsaglia–Tsang; shape < 1 via the boost Gamma(a+1)·U^{1/a}). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new Error(`sampleGamma: shape must be a positive number, got ${shape}`);
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.uniform();
    return sampleGamma(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = rng.normal();
    const t = 1 + c * z;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng.uniform();
    if (u > 0 && Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) sample from two Gamma draws, X/(X+Y). */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = sampleGamma(a, rng);
  const y = sampleGamma(b, rng);
  return x + y > 0 ? x / (x + y) : 0.5;
}

function checkShape(fn: string, length: number, shape: readonly number[]): void {
  if (shape.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`${fn}: shape ${JSON.stringify(shape)} must hold positive integers`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`${fn}: the array has ${length} values, shape ${JSON.stringify(shape)} needs ${size}`);
}

/**
 * Augments a batch of NHWC images (a new array; the input is untouched). Per image, in this order:
 * a random crop from the zero-padded image (offsets uniform in [0, 2p] on each axis, so the
 * output is the image shifted by up to p pixels with zeros shifted in), then a flip with probability ½.
 */
export function augmentImages(x: Float32Array, shape: [number, number, number, number], o: ImageAugmentOptions, rng: Rng): Float32Array {
  checkShape('augmentImages', x.length, shape);
  const [B, H, W, C] = shape;
  const pad = o.padCrop ?? 0;
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`augmentImages: padCrop must be an integer ≥ 0, got ${pad}`);
  if (pad === 0 && !o.hflip) return x.slice();
  const out = new Float32Array(x.length);
  const image = H * W * C;
  for (let b = 0; b < B; b++) {
    const dy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
    const dx = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
    const flip = o.hflip === true && rng.uniform() < 0.5;
    for (let y = 0; y < H; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= H) continue;
      for (let xo = 0; xo < W; xo++) {
        const sx = (flip ? W - 1 - xo : xo) + dx;
        if (sx < 0 || sx >= W) continue;
        const src = b * image + (sy * W + sx) * C;
        out.set(x.subarray(src, src + C), b * image + (y * W + xo) * C);
      }
    }
  }
  return out;
}

/** CutMix box for λ: side √(1−λ) of H and W, centre uniform, clipped to the image (timm `rand_bbox`). */
function cutmixBox(H: number, W: number, lambda: number, rng: Rng): [number, number, number, number] {
  const ratio = Math.sqrt(1 - lambda);
  const ch = Math.floor(H * ratio);
  const cw = Math.floor(W * ratio);
  const cy = rng.int(H);
  const cx = rng.int(W);
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [
    clip(cy - Math.floor(ch / 2), H),
    clip(cy + Math.floor(ch / 2), H),
    clip(cx - Math.floor(cw / 2), W),
    clip(cx + Math.floor(cw / 2), W),
  ];
}

/**
 * timm Mixup/CutMix in 'batch' mode. With probability `prob` the batch is mixed with its reverse
 * (example i with example B−1−i): CutMix with probability `switchProb` when both modes are enabled,
 * otherwise the enabled one; λ ~ Beta(α, α) of the chosen mode. Mixup: x ← λx + (1−λ)x_rev. CutMix:
 * a box of area ≈ (1−λ)·H·W is pasted from x_rev and λ is corrected to 1 − box area/(H·W). Targets
 * (e.g. label-smoothed, [B, C]) become λt + (1−λ)t_rev in both modes. Returns new arrays.
 */
export function mixBatch(
  x: Float32Array,
  shape: [number, number, number, number],
  targets: Float32Array,
  numClasses: number,
  o: MixOptions,
  rng: Rng,
): MixResult {
  checkShape('mixBatch', x.length, shape);
  const [B, H, W, C] = shape;
  checkShape('mixBatch (targets)', targets.length, [B, numClasses]);
  const useMixup = o.mixupAlpha > 0;
  const useCutmix = o.cutmixAlpha > 0;
  if (!(useMixup || useCutmix) || !(rng.uniform() < o.prob)) return { x: x.slice(), targets: targets.slice(), lambda: 1, mode: 'none' };
  const cutmix = useMixup && useCutmix ? rng.uniform() < o.switchProb : useCutmix;
  const alpha = cutmix ? o.cutmixAlpha : o.mixupAlpha;
  let lambda = sampleBeta(alpha, alpha, rng);
  const image = H * W * C;
  const out = new Float32Array(x.length);
  if (cutmix) {
    const [y0, y1, x0, x1] = cutmixBox(H, W, lambda, rng);
    out.set(x);
    for (let b = 0; b < B; b++) {
      const from = (B - 1 - b) * image;
      for (let y = y0; y < y1; y++) {
        const row = (y * W + x0) * C;
        out.set(x.subarray(from + row, from + row + (x1 - x0) * C), b * image + row);
      }
    }
    lambda = 1 - ((y1 - y0) * (x1 - x0)) / (H * W);
  } else {
    for (let b = 0; b < B; b++) {
      const a = b * image;
      const r = (B - 1 - b) * image;
      for (let i = 0; i < image; i++) out[a + i] = lambda * x[a + i]! + (1 - lambda) * x[r + i]!;
    }
  }
  const mixed = new Float32Array(targets.length);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < numClasses; c++) {
      mixed[b * numClasses + c] = lambda * targets[b * numClasses + c]! + (1 - lambda) * targets[(B - 1 - b) * numClasses + c]!;
    }
  }
  return { x: out, targets: mixed, lambda, mode: cutmix ? 'cutmix' : 'mixup' };
}

/**
 * Augments a batch of point clouds [B, N, D] (D = 2 or 3; a new array). Per cloud, in this order:
 * rotation (3-D: about z by an angle uniform in [0, 2π); 2-D: uniform in [−maxAngle, maxAngle]),
 * scaling by a factor uniform in `scale`, then Gaussian jitter of std `jitter` on every coordinate.
 */
export function augmentPoints(x: Float32Array, shape: [number, number, number], o: PointAugmentOptions, rng: Rng): Float32Array {
  checkShape('augmentPoints', x.length, shape);
  const [B, N, D] = shape;
  if (o.rotate && D !== 2 && D !== 3) throw new Error(`augmentPoints: rotation needs 2-D or 3-D points, got D = ${D}`);
  const jitter = o.jitter ?? 0;
  if (!(jitter >= 0)) throw new Error(`augmentPoints: jitter must be ≥ 0, got ${jitter}`);
  const [lo, hi] = o.scale ?? [1, 1];
  if (!(lo > 0 && hi >= lo)) throw new Error(`augmentPoints: scale must be [lo, hi] with 0 < lo ≤ hi, got [${lo}, ${hi}]`);
  const maxAngle = o.maxAngle ?? Math.PI / 12;
  const out = x.slice();
  for (let b = 0; b < B; b++) {
    const angle = !o.rotate ? 0 : D === 3 ? 2 * Math.PI * rng.uniform() : maxAngle * (2 * rng.uniform() - 1);
    const s = o.scale ? lo + (hi - lo) * rng.uniform() : 1;
    const cos = Math.cos(angle) * s;
    const sin = Math.sin(angle) * s;
    for (let n = 0; n < N; n++) {
      const p = (b * N + n) * D;
      if (o.rotate) {
        const [px, py] = [out[p]!, out[p + 1]!];
        out[p] = cos * px - sin * py;
        out[p + 1] = sin * px + cos * py;
        for (let k = 2; k < D; k++) out[p + k] = out[p + k]! * s;
      } else if (s !== 1) {
        for (let k = 0; k < D; k++) out[p + k] = out[p + k]! * s;
      }
      if (jitter > 0) for (let k = 0; k < D; k++) out[p + k] = out[p + k]! + jitter * rng.normal();
    }
  }
  return out;
}
