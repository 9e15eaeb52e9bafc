// The PNG contact sheet: its size follows rows × columns, the first column is the clean image and the
// others are exactly the corrupted images (enlarged by the zoom factor).
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { corruptImage, exampleRng } from '../../src/ood/corruptions.js';
import { corruptionGridPNG } from '../../src/ood/grid-png.js';
import { garment, SIZE } from './images.js';

describe('corruptionGridPNG', () => {
  it('lays out clean + severities per corruption row with the exact pixel values', () => {
    const img = garment(2);
    const bytes = corruptionGridPNG(img, SIZE, {
      corruptions: ['brightness', 'rotate'],
      severities: [2, 5],
      seed: 4,
      id: 7,
      zoom: 2,
      gap: 1,
    });
    const png = PNG.sync.read(bytes);
    expect(png.width).toBe(1 + 3 * (56 + 1));
    expect(png.height).toBe(1 + 2 * (56 + 1));
    const grey = (x: number, y: number) => png.data[(y * png.width + x) * 4] as number;
    const cell = (row: number, col: number, y: number, x: number) => grey(1 + col * 57 + 2 * x + 1, 1 + row * 57 + 2 * y + 1);
    const rotated = corruptImage('rotate', img, SIZE, 5, exampleRng(4, 'rotate', 7));
    const bright = corruptImage('brightness', img, SIZE, 2, exampleRng(4, 'brightness', 7));
    for (const [y, x] of [
      [14, 14],
      [5, 20],
      [20, 9],
      [0, 0],
    ] as const) {
      expect(cell(0, 0, y, x)).toBe(Math.round(255 * img[y * 28 + x]!));
      expect(cell(0, 1, y, x)).toBe(Math.round(255 * bright[y * 28 + x]!));
      expect(cell(1, 2, y, x)).toBe(Math.round(255 * rotated[y * 28 + x]!));
    }
    expect(grey(0, 0)).toBe(128); // the grid's gap
  });
});
