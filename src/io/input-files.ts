/**
 * Reads user files into model inputs for `nac predict`, by the model's tokenizer type:
 * - images (patch / convnext): PNG or binary PGM (P5), converted to the model's channels and resized
 *   (bilinear) to its image size, values in [0, 1];
 * - bytes: the raw file (e-mail headers stripped when the model was trained that way), cut or padded
 *   to the model's length;
 * - symbols: a text file of ListOps symbols separated by spaces (`[MAX 2 9 [MIN 4 7 ] 0 ]`);
 * - points: JSON `[[x, y(, z)], …]` or text with one point per line, in the frame the model was trained
 *   on; cycled or strided to the model's point count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import type { TokenizerConfig } from '../tokenizers/index.js';
import { stripEmailHeaders } from '../data/spam.js';
import { LISTOPS_PAD, LISTOPS_VOCAB } from '../data/listops.js';

/** One input example ready to batch: data and its per-example shape. */
export interface InputExample {
  x: Float32Array | Int32Array;
  shape: number[];
}

function readImage(file: string): { data: Float32Array; h: number; w: number; c: number } {
  const buf = fs.readFileSync(file);
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    const png = PNG.sync.read(buf);
    const data = new Float32Array(png.width * png.height * 3);
    for (let i = 0; i < png.width * png.height; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = (png.data[i * 4 + k] as number) / 255;
    return { data, h: png.height, w: png.width, c: 3 };
  }
  const header = /^P5\s+(?:#.*\s+)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 256).toString('latin1'));
  if (header) {
    const [w, h, max] = [Number(header[1]), Number(header[2]), Number(header[3])];
    const pixels = buf.subarray(header[0].length, header[0].length + w * h);
    if (max > 255 || pixels.length !== w * h) throw new Error(`${file}: unsupported or truncated PGM (need 8-bit, ${w}×${h} pixels)`);
    return { data: Float32Array.from(pixels, (v) => v / max), h, w, c: 1 };
  }
  throw new Error(`${file}: not a PNG or binary PGM (P5) image`);
}

function imageInput(file: string, size: readonly [number, number], channels: number): InputExample {
  const img = readImage(file);
  const x = tf.tidy(() => {
    let t = tf.tensor3d(img.data, [img.h, img.w, img.c]);
    if (channels === 1 && img.c === 3) t = t.mean(2, true);
    if (channels === 3 && img.c === 1) t = t.tile([1, 1, 3]);
    if (img.h !== size[0] || img.w !== size[1]) t = tf.image.resizeBilinear(t, [size[0], size[1]]);
    return t.dataSync() as Float32Array;
  });
  return { x: Float32Array.from(x), shape: [size[0], size[1], channels] };
}

function fitLength(ids: ArrayLike<number>, length: number, pad: number): Int32Array {
  const out = new Int32Array(length).fill(pad);
  for (let i = 0; i < Math.min(length, ids.length); i++) out[i] = ids[i] as number;
  return out;
}

function symbolsInput(file: string, length: number): InputExample {
  const words = fs.readFileSync(file, 'utf8').replace(/\[\s+/g, '[').split(/\s+/).filter(Boolean);
  const ids = words.map((w) => {
    const id = (LISTOPS_VOCAB as readonly string[]).indexOf(w);
    if (id < 0 || id === LISTOPS_PAD) throw new Error(`${file}: unknown symbol '${w}'; allowed: ${LISTOPS_VOCAB.slice(1).join(' ')}`);
    return id;
  });
  if (ids.length > length) throw new Error(`${file}: ${ids.length} symbols, the model takes at most ${length}`);
  return { x: fitLength(ids, length, LISTOPS_PAD), shape: [length] };
}

function pointsInput(file: string, numPoints: number, dim: number): InputExample {
  const text = fs.readFileSync(file, 'utf8').trim();
  const rows: number[][] = text.startsWith('[')
    ? (JSON.parse(text) as number[][])
    : text.split(/\r?\n/).map((line) =>
        line
          .trim()
          .split(/[\s,]+/)
          .map(Number),
      );
  if (rows.length === 0 || rows.some((r) => !Array.isArray(r) || r.length < dim || r.slice(0, dim).some((v) => !Number.isFinite(v)))) {
    throw new Error(`${file}: expected points with ${dim} finite coordinates each`);
  }
  const x = new Float32Array(numPoints * dim);
  for (let i = 0; i < numPoints; i++) {
    const src = rows[rows.length >= numPoints ? Math.floor((i * rows.length) / numPoints) : i % rows.length] as number[];
    for (let k = 0; k < dim; k++) x[i * dim + k] = src[k] as number;
  }
  return { x, shape: [numPoints, dim] };
}

/** Reads `file` as one input of a model with tokenizer `tok`. */
export function readInputFile(file: string, tok: TokenizerConfig, options: { stripHeaders?: boolean } = {}): InputExample {
  if (!fs.existsSync(file)) throw new Error(`input file not found: ${file}`);
  switch (tok.type) {
    case 'patch':
    case 'convnext':
      return imageInput(file, tok.imageSize, tok.inChannels);
    case 'bytes': {
      let bytes: Uint8Array = fs.readFileSync(file);
      if (options.stripHeaders) bytes = stripEmailHeaders(bytes);
      return { x: fitLength(bytes, tok.maxLength, tok.padId ?? 256), shape: [tok.maxLength] };
    }
    case 'symbols':
      return symbolsInput(file, tok.maxLength);
    case 'points':
      return pointsInput(file, tok.numPoints, tok.pointDim);
    default:
      throw new Error(`${path.basename(file)}: no file reader for tokenizer type '${(tok as { type: string }).type}'`);
  }
}
