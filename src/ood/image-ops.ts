/**
 * Pixel-level helpers for the corruption suite: single-channel float images stored row-major with
 * values in [0, 1] and a black (0) background outside the frame. Bilinear sampling, warps through a
 * coordinate map, 2-D convolution, Gaussian kernels, line drawing and clipping.
 */

/** Height and width of a single-channel image. */
export interface ImageSize {
  height: number;
  width: number;
}

/** Clips every value to [0, 1] in place and returns the array. */
export function clip01(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    a[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return a;
}

/** The pixel at integer (y, x), 0 outside the frame. */
export function pixelAt(img: Float32Array, size: ImageSize, y: number, x: number): number {
  if (y < 0 || x < 0 || y >= size.height || x >= size.width) return 0;
  return img[y * size.width + x] as number;
}

/** Bilinear sample at continuous (y, x) (pixel centres at integer coordinates), 0 outside the frame. */
export function sampleBilinear(img: Float32Array, size: ImageSize, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const top = pixelAt(img, size, y0, x0) * (1 - fx) + pixelAt(img, size, y0, x0 + 1) * fx;
  const bottom = pixelAt(img, size, y0 + 1, x0) * (1 - fx) + pixelAt(img, size, y0 + 1, x0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** out[y, x] = img sampled bilinearly at `source(y, x)` = [sy, sx]. */
export function warp(img: Float32Array, size: ImageSize, source: (y: number, x: number) => [number, number]): Float32Array {
  const out = new Float32Array(img.length);
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const [sy, sx] = source(y, x);
      out[y * size.width + x] = sampleBilinear(img, size, sy, sx);
    }
  }
  return out;
}

/**
 * Applies the affine map p ↦ c + A (p − c) + t about the image centre c, where A = [[a, b], [c, d]]
 * acts on (x, y) column vectors and t = (tx, ty) in pixels. Output pixels are sampled at the inverse map.
 */
export function affine(img: Float32Array, size: ImageSize, A: [number, number, number, number], tx = 0, ty = 0): Float32Array {
  const [a, b, c, d] = A;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-12) throw new Error(`affine: singular matrix [${A.join(', ')}]`);
  const [ia, ib, ic, id] = [d / det, -b / det, -c / det, a / det];
  const cy = (size.height - 1) / 2;
  const cx = (size.width - 1) / 2;
  return warp(img, size, (y, x) => {
    const u = x - cx - tx;
    const v = y - cy - ty;
    return [cy + ic * u + id * v, cx + ia * u + ib * v];
  });
}

/** 2-D convolution (correlation) with a `kh × kw` kernel centred on each pixel; 0 outside the frame. */
export function convolve(img: Float32Array, size: ImageSize, kernel: Float32Array, kh: number, kw: number): Float32Array {
  if (kernel.length !== kh * kw) throw new Error(`convolve: kernel has ${kernel.length} values, expected ${kh}×${kw}`);
  const out = new Float32Array(img.length);
  const ry = (kh - 1) / 2;
  const rx = (kw - 1) / 2;
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      let s = 0;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const k = kernel[i * kw + j] as number;
          if (k !== 0) s += k * pixelAt(img, size, y + i - ry, x + j - rx);
        }
      }
      out[y * size.width + x] = s;
    }
  }
  return out;
}

/** A normalised 1-D Gaussian kernel of standard deviation `sigma` and radius ⌈3σ⌉ (odd length). */
export function gaussianKernel1d(sigma: number): Float32Array {
  if (!(sigma > 0)) throw new Error(`gaussianKernel1d: sigma must be > 0, got ${sigma}`);
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = (k[i] as number) / sum;
  return k;
}

/** Separable Gaussian blur of standard deviation `sigma` pixels; 0 outside the frame. */
export function gaussianBlur(img: Float32Array, size: ImageSize, sigma: number): Float32Array {
  const k = gaussianKernel1d(sigma);
  return convolve(convolve(img, size, k, 1, k.length), size, k, k.length, 1);
}

/**
 * Sets the pixels along the segment (y0, x0)–(y1, x1), sampled every `step` pixels (nearest pixel),
 * to `ink(i)` for pixel index i.
 */
export function drawSegment(
  img: Float32Array,
  size: ImageSize,
  y0: number,
  x0: number,
  y1: number,
  x1: number,
  ink: (i: number) => number,
  step = 0.5,
): void {
  const n = Math.max(1, Math.ceil(Math.hypot(y1 - y0, x1 - x0) / step));
  for (let k = 0; k <= n; k++) {
    const y = Math.round(y0 + ((y1 - y0) * k) / n);
    const x = Math.round(x0 + ((x1 - x0) * k) / n);
    if (y < 0 || x < 0 || y >= size.height || x >= size.width) continue;
    const i = y * size.width + x;
    img[i] = ink(i);
  }
}

/** Ink that stands out from `clean`: white where the clean pixel is below 0.5, black elsewhere. */
export function contrastInk(clean: Float32Array): (i: number) => number {
  return (i) => ((clean[i] as number) < 0.5 ? 1 : 0);
}
