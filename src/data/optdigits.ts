/**
 * UCI optdigits (scikit-learn's digits.csv.gz: 1,797 digits by other writers, 8×8 counts 0–16) framed
 * like MNIST for out-of-distribution tests: each 8×8 image is scaled to [0, 1], upsampled bilinearly to
 * 20×20 and padded by 4 pixels on every side to 28×28×1, as MNIST digits sit in a 20×20 box.
 * It is a test-only set: all 1,797 examples are `test`; `train` and `val` are empty.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ArrayDataset } from './array-dataset.js';
import type { DatasetSplits } from './dataset.js';
import { DataMissingError, fetchCommand } from './errors.js';
import { MNIST_CLASSES } from './mnist.js';
import { dataDir } from './paths.js';
import { limitDataset } from './splits.js';

/** Where Debian's python3-sklearn installs the file, if it is installed. */
export const SKLEARN_DIGITS_SYSTEM_FILE = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';

/** `<data>/optdigits/digits.csv.gz`, else the system copy of python3-sklearn. */
export function locateOptdigits(dataDirOverride?: string): string {
  const candidates = [path.join(dataDir(dataDirOverride), 'optdigits', 'digits.csv.gz'), SKLEARN_DIGITS_SYSTEM_FILE];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new DataMissingError('optdigits (scikit-learn digits.csv.gz)', candidates.join(' or '), fetchCommand('optdigits'));
  return found;
}

/** Parses digits.csv(.gz): rows of 64 counts 0–16 then the label. */
export function parseDigitsCsv(bytes: Uint8Array, file = 'digits.csv'): { pixels: Uint8Array; labels: Int32Array } {
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : Buffer.from(bytes)).toString('latin1');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const pixels = new Uint8Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, r) => {
    const v = line.split(',').map(Number);
    if (v.length !== 65 || v.some((x) => !Number.isInteger(x)))
      throw new Error(`${file}: line ${r + 1} must hold 65 integers, got "${line.slice(0, 60)}"`);
    for (let k = 0; k < 64; k++) {
      const c = v[k] as number;
      if (c < 0 || c > 16) throw new Error(`${file}: line ${r + 1}: count ${c} outside [0, 16]`);
      pixels[r * 64 + k] = c;
    }
    const y = v[64] as number;
    if (y < 0 || y > 9) throw new Error(`${file}: line ${r + 1}: label ${y} outside [0, 9]`);
    labels[r] = y;
  });
  return { pixels, labels };
}

/**
 * Bilinear resize of a single-channel `h×w` float image to `H×W` with pixel-centre alignment
 * (source coordinate (dst + 0.5)·h/H − 0.5, clamped at the borders).
 */
export function resizeBilinear(src: Float32Array, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  for (let Y = 0; Y < H; Y++) {
    const sy = Math.min(Math.max(((Y + 0.5) * h) / H - 0.5, 0), h - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = sy - y0;
    for (let X = 0; X < W; X++) {
      const sx = Math.min(Math.max(((X + 0.5) * w) / W - 0.5, 0), w - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, w - 1);
      const fx = sx - x0;
      const top = (src[y0 * w + x0] as number) * (1 - fx) + (src[y0 * w + x1] as number) * fx;
      const bottom = (src[y1 * w + x0] as number) * (1 - fx) + (src[y1 * w + x1] as number) * fx;
      out[Y * W + X] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** One 8×8 count image (0–16) as a 28×28 uint8 image in the MNIST framing. */
export function optdigitToMnistFrame(counts: ArrayLike<number>): Uint8Array {
  const src = new Float32Array(64);
  for (let k = 0; k < 64; k++) src[k] = (counts[k] as number) / 16;
  const box = resizeBilinear(src, 8, 8, 20, 20);
  const out = new Uint8Array(28 * 28);
  for (let r = 0; r < 20; r++) for (let c = 0; c < 20; c++) out[(r + 4) * 28 + c + 4] = Math.round((box[r * 20 + c] as number) * 255);
  return out;
}

/** optdigits as [28, 28, 1] float32 images; everything is in `test` (train and val are empty). */
export function loadOptdigits(opts: { seed: number; limit?: number; dataDir?: string }): DatasetSplits {
  const file = locateOptdigits(opts.dataDir);
  const { pixels, labels } = parseDigitsCsv(fs.readFileSync(file), file);
  const images = new Uint8Array(labels.length * 784);
  for (let i = 0; i < labels.length; i++) images.set(optdigitToMnistFrame(pixels.subarray(i * 64, (i + 1) * 64)), i * 784);
  const make = (name: string, data: Uint8Array, y: Int32Array): ArrayDataset =>
    new ArrayDataset({ name, kind: 'image', exampleShape: [28, 28, 1], dtype: 'float32', classNames: MNIST_CLASSES, data, labels: y });
  return {
    train: make('optdigits/train', new Uint8Array(0), new Int32Array(0)),
    val: make('optdigits/val', new Uint8Array(0), new Int32Array(0)),
    test: limitDataset(make('optdigits/test', images, labels), opts.limit, opts.seed),
    source: `UCI optdigits test set via scikit-learn digits.csv.gz (${file}); 8×8 → 20×20 bilinear, padded to 28×28`,
    license: 'CC BY 4.0 (UCI Machine Learning Repository)',
  };
}
