/**
 * A PNG contact sheet of the corruption suite: one row per corruption, the clean image in the first
 * column and severities 1…5 in the next, each image enlarged by an integer factor on a grey grid.
 */
import { PNG } from 'pngjs';
import { corruptImage, exampleRng, type ImageSize } from './corruptions.js';

/** Options of {@link corruptionGridPNG}. */
export interface CorruptionGridOptions {
  corruptions: readonly string[];
  severities: readonly number[];
  /** Evaluation seed and example id: the image looks exactly as in an evaluation with this seed. */
  seed: number;
  id?: number;
  /** Enlargement factor (default 3) and gap between cells in pixels (default 2). */
  zoom?: number;
  gap?: number;
}

/** The grid as PNG bytes (rows: corruptions; columns: clean, then each severity). */
export function corruptionGridPNG(image: Float32Array, size: ImageSize, o: CorruptionGridOptions): Buffer {
  const zoom = o.zoom ?? 3;
  const gap = o.gap ?? 2;
  const cols = 1 + o.severities.length;
  const rows = o.corruptions.length;
  const cellW = size.width * zoom;
  const cellH = size.height * zoom;
  const png = new PNG({ width: gap + cols * (cellW + gap), height: gap + rows * (cellH + gap) });
  png.data.fill(128);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;
  const put = (img: Float32Array, row: number, col: number): void => {
    const ox = gap + col * (cellW + gap);
    const oy = gap + row * (cellH + gap);
    for (let y = 0; y < cellH; y++) {
      for (let x = 0; x < cellW; x++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, img[Math.floor(y / zoom) * size.width + Math.floor(x / zoom)] as number)));
        const p = ((oy + y) * png.width + ox + x) * 4;
        png.data[p] = png.data[p + 1] = png.data[p + 2] = v;
      }
    }
  };
  o.corruptions.forEach((name, r) => {
    put(image, r, 0);
    o.severities.forEach((s, c) => put(corruptImage(name, image, size, s, exampleRng(o.seed, name, o.id ?? 0)), r, c + 1));
  });
  return PNG.sync.write(png);
}
