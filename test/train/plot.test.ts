// SVG line charts: well-formed document, one polyline per series, labels, log axis, training-curves figure on disk.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lineChartSVG, trainingCurvesSVG, writeTrainingCurves } from '../../src/train/plot.js';

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe('lineChartSVG', () => {
  it('has an <svg> root, one <polyline> per series, the title, axis labels and legend entries', () => {
    const svg = lineChartSVG({
      title: 'Loss & <friends>',
      xLabel: 'epoch',
      yLabel: 'cross-entropy',
      series: [
        {
          name: 'train',
          points: [
            [0, 2.3],
            [1, 1.2],
            [2, 0.8],
            [3, NaN],
          ],
        },
        {
          name: 'val',
          points: [
            [0, 2.2],
            [2, 0.9],
          ],
        },
        { name: 'empty', points: [] },
      ],
    });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="400"/);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(count(svg, /<polyline /g)).toBe(3);
    expect(svg).toContain('Loss &amp; &lt;friends&gt;');
    for (const label of ['>epoch<', '>cross-entropy<', '>train<', '>val<', '>empty<']) expect(svg).toContain(label);
    const train = /data-name="train"[^>]*points="([^"]*)"/.exec(svg)![1]!.split(' ');
    expect(train).toHaveLength(3); // the NaN point is dropped
    for (const p of train) expect(p).toMatch(/^-?\d+(\.\d)?,-?\d+(\.\d)?$/);
    // Tags balance: every opened <g>/<svg> is closed.
    expect(count(svg, /<g[ >]/g)).toBe(count(svg, /<\/g>/g));
    expect(count(svg, /<svg[ >]/g)).toBe(count(svg, /<\/svg>/g));
  });

  it('draws a log axis with decade ticks and clamps to yRange', () => {
    const svg = lineChartSVG({
      title: 'lr',
      xLabel: 'step',
      yLabel: 'lr',
      logY: true,
      series: [
        {
          name: 'lr',
          points: [
            [0, 1e-6],
            [10, 1e-3],
            [20, 0],
            [30, 1e-4],
          ],
        },
      ],
    });
    for (const t of ['1e-6', '1e-5', '1e-4', '0.001']) expect(svg).toContain(`>${t}</text>`);
    expect(/points="([^"]*)"/.exec(svg)![1]!.split(' ')).toHaveLength(3); // y = 0 is not drawable on a log axis
    const clamped = lineChartSVG({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yRange: [0, 1],
      series: [
        {
          name: 's',
          points: [
            [0, 5],
            [1, 0.5],
          ],
        },
      ],
    });
    const ys = /points="([^"]*)"/
      .exec(clamped)![1]!
      .split(' ')
      .map((p) => Number(p.split(',')[1]));
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(32); // not above the frame's top
    expect(() => lineChartSVG({ title: 't', xLabel: 'x', yLabel: 'y', yRange: [1, 0], series: [] })).toThrow(/yRange/);
  });
});

describe('training curves', () => {
  it('makes three panels and writes the file', () => {
    const curves = {
      trainLoss: [
        [1, 2],
        [2, 1.5],
        [3, 1.1],
      ] as Array<[number, number]>,
      valLoss: [
        [1, 1.9],
        [3, 1.2],
      ] as Array<[number, number]>,
      valTop1: [
        [1, 0.3],
        [3, 0.6],
      ] as Array<[number, number]>,
      valTop5: [
        [1, 0.7],
        [3, 0.9],
      ] as Array<[number, number]>,
      lr: [
        [1, 1e-3],
        [2, 5e-4],
        [3, 1e-5],
      ] as Array<[number, number]>,
    };
    const svg = trainingCurvesSVG(curves);
    expect(count(svg, /<polyline /g)).toBe(5);
    for (const title of ['>Loss<', '>Accuracy<', '>Learning rate<', '>val top-5<']) expect(svg).toContain(title);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-plot-'));
    const file = path.join(dir, 'sub', 'curves.svg');
    writeTrainingCurves(file, curves);
    expect(fs.readFileSync(file, 'utf8')).toBe(svg);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
