// Image readers: the IDX parser (valid, truncated, wrong magic, mismatched counts), Fashion-MNIST, MNIST,
// optdigits in the MNIST framing, and images as 2-D point sets.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Rng } from '../../src/util/rng.js';
import { IdxError, loadDataset, parseIdx } from '../../src/data/index.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile, readIdxPair } from '../../src/data/idx.js';
import { readRawImageSet } from '../../src/data/mnist.js';
import { imageToPoints } from '../../src/data/image-points.js';
import { optdigitToMnistFrame, parseDigitsCsv, resizeBilinear } from '../../src/data/optdigits.js';
import { realData } from './gate.js';

function idxBytes(magic: number, dims: number[], data: number[]): Uint8Array {
  const buf = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(buf.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  buf.set(data, 4 + 4 * dims.length);
  return buf;
}

describe('IDX parser', () => {
  const images = idxBytes(IDX_IMAGES_MAGIC, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const labels = idxBytes(IDX_LABELS_MAGIC, [2], [4, 7]);

  it('parses raw and gzipped files', () => {
    const a = parseIdx(images, IDX_IMAGES_MAGIC);
    expect(a.dims).toEqual([2, 2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const gz = parseIdx(zlib.gzipSync(labels), IDX_LABELS_MAGIC);
    expect(Array.from(gz.data)).toEqual([4, 7]);
    expect(parseIdx(images, IDX_IMAGES_MAGIC, 'x', 1).dims).toEqual([1, 2, 3]);
  });

  it('throws IdxError on truncation, wrong magic, trailing bytes and corrupt gzip', () => {
    expect(() => parseIdx(images.subarray(0, images.length - 1), IDX_IMAGES_MAGIC, 'f')).toThrow(IdxError);
    expect(() => parseIdx(images.subarray(0, images.length - 1), IDX_IMAGES_MAGIC, 'f')).toThrow(/f: truncated: 27 bytes.*need 28/);
    expect(() => parseIdx(images.subarray(0, 6), IDX_IMAGES_MAGIC)).toThrow(/truncated/);
    expect(() => parseIdx(labels, IDX_IMAGES_MAGIC)).toThrow(/wrong magic 0x00000801, expected 0x00000803/);
    expect(() => parseIdx(Uint8Array.from([...labels, 0]), IDX_LABELS_MAGIC)).toThrow(/trailing bytes/);
    const gz = zlib.gzipSync(images);
    expect(() => parseIdx(gz.subarray(0, gz.length - 10), IDX_IMAGES_MAGIC)).toThrow(IdxError);
  });

  it('reads files and checks that images and labels match in count', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-idx-'));
    try {
      const img = path.join(dir, 'img.gz');
      const lab = path.join(dir, 'lab');
      const lab3 = path.join(dir, 'lab3');
      fs.writeFileSync(img, zlib.gzipSync(images));
      fs.writeFileSync(lab, labels);
      fs.writeFileSync(lab3, idxBytes(IDX_LABELS_MAGIC, [3], [1, 2, 3]));
      expect(Array.from(readIdxPair(img, lab).labels.data)).toEqual([4, 7]);
      expect(() => readIdxPair(img, lab3)).toThrow(/holds 2 images but .*lab3 holds 3 labels/);
      fs.writeFileSync(lab, labels.subarray(0, 9));
      expect(() => readIdxFile(lab, IDX_LABELS_MAGIC)).toThrow(IdxError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const [id, firstTrain, firstTest] of [
  ['fashion-mnist', 9, 9],
  ['mnist', 5, 7],
] as const) {
  const gate = realData(id);
  describe.skipIf(gate.skip)(gate.title, () => {
    it('is installed', () => expect(gate.missing).toBeNull());

    it('has 60k/10k images with the known first labels, split 55k/5k/10k', () => {
      const raw = readRawImageSet(id);
      expect([raw.train.labels.length, raw.test.labels.length, raw.train.height, raw.train.width]).toEqual([60000, 10000, 28, 28]);
      expect([raw.train.labels[0], raw.test.labels[0]]).toEqual([firstTrain, firstTest]);
      const s = loadDataset(id);
      expect([s.train.size, s.val.size, s.test.size]).toEqual([55000, 5000, 10000]);
      expect(s.train.classNames).toHaveLength(10);
      if (id === 'fashion-mnist') expect(s.train.classNames[9]).toBe('Ankle boot');
      expect(s.train.labels.reduce((m, v) => Math.min(m, v), 99)).toBe(0);
      expect(s.train.labels.reduce((m, v) => Math.max(m, v), -1)).toBe(9);
      const b = s.test.getBatch([0, 1]);
      expect(b.shape).toEqual([2, 28, 28, 1]);
      expect(b.x[300]).toBeCloseTo((raw.test.images[300] as number) / 255, 6);
      expect(b.y[0]).toBe(firstTest);
      expect(Math.max(...b.x)).toBeLessThanOrEqual(1);
    });

    it(`as points: [256, 2] in [−1, 1], deterministic, same val carving as the images`, () => {
      const a = loadDataset(`${id}-points`, { limit: 16 });
      const b = loadDataset(`${id}-points`, { limit: 16 });
      const batch = a.train.getBatch([0, 1, 2]);
      expect(batch.shape).toEqual([3, 256, 2]);
      expect(Math.max(...batch.x)).toBeLessThanOrEqual(1);
      expect(Math.min(...batch.x)).toBeGreaterThanOrEqual(-1);
      expect(Array.from(b.train.getBatch([0, 1, 2]).x)).toEqual(Array.from(batch.x));
      expect(Array.from(a.train.getBatch([1]).x)).toEqual(Array.from(batch.x.subarray(512, 1024)));
      expect(Array.from(loadDataset(`${id}-points`, { numPoints: 64 }).val.labels)).toEqual(
        Array.from(loadDataset(id, { limit: 5000 }).val.labels),
      );
    });
  });
}

describe('images as point sets', () => {
  const img = new Uint8Array(25);
  img[0] = 255; // row 0, col 0 → (−1, 1)
  img[12] = 200; // centre → (0, 0)
  img[24] = 129; // row 4, col 4 → (1, −1)
  img[3] = 100; // below the threshold

  it('puts every bright pixel in the cloud, resampling with replacement when short', () => {
    const out = new Float32Array(16);
    imageToPoints(img, 5, 5, 128, 8, new Rng(1), out);
    const pts = new Set(Array.from({ length: 8 }, (_, k) => `${out[2 * k]},${out[2 * k + 1]}`));
    expect(pts).toEqual(new Set(['-1,1', '0,0', '1,-1']));
  });

  it('samples distinct pixels when there are enough, and falls back below the threshold', () => {
    const out = new Float32Array(4);
    imageToPoints(img, 5, 5, 128, 2, new Rng(2), out);
    expect(`${out[0]},${out[1]}`).not.toBe(`${out[2]},${out[3]}`);
    const dim = new Uint8Array(25);
    dim[6] = 10;
    imageToPoints(dim, 5, 5, 128, 2, new Rng(3), out);
    expect(Array.from(out)).toEqual([-0.5, 0.5, -0.5, 0.5]);
    imageToPoints(new Uint8Array(25), 5, 5, 128, 2, new Rng(3), out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
});

describe('optdigits framing', () => {
  it('bilinear resize keeps constants and the MNIST frame has a 4-pixel empty border', () => {
    expect(Array.from(resizeBilinear(new Float32Array(64).fill(0.5), 8, 8, 20, 20)).every((v) => Math.abs(v - 0.5) < 1e-6)).toBe(true);
    const framed = optdigitToMnistFrame(new Array(64).fill(16));
    expect(framed[0]).toBe(0);
    expect(framed[3 * 28 + 14]).toBe(0);
    expect(framed[4 * 28 + 4]).toBe(255);
    expect(framed[23 * 28 + 23]).toBe(255);
    expect(framed[24 * 28 + 23]).toBe(0);
  });

  it('rejects malformed CSV rows', () => {
    expect(() => parseDigitsCsv(Buffer.from('1,2,3\n'))).toThrow(/65 integers/);
    expect(parseDigitsCsv(Buffer.from(`${new Array(64).fill(16).join(',')},7\n`)).labels[0]).toBe(7);
  });

  const gate = realData('optdigits');
  describe.skipIf(gate.skip)(gate.title, () => {
    it('has all 1,797 digits in test, none in train/val', () => {
      expect(gate.missing).toBeNull();
      const s = loadDataset('optdigits');
      expect([s.train.size, s.val.size, s.test.size]).toEqual([0, 0, 1797]);
      expect(s.test.labels[0]).toBe(0);
      const b = s.test.getBatch([0]);
      expect(b.shape).toEqual([1, 28, 28, 1]);
      expect(Math.max(...b.x)).toBeGreaterThan(0.7);
      expect(Math.max(...b.x.subarray(0, 4 * 28))).toBe(0);
      expect(loadDataset('optdigits', { limit: 10 }).test.size).toBe(10);
    });
  });
});
