/**
 * Dependency-free SVG line charts for training curves: axes with "nice" ticks (linear or log y),
 * one <polyline> per series, a legend, title and axis labels; and a three-panel training-curves
 * figure (loss, accuracy, learning rate) written crash-safely.
 */
import { writeFileAtomic } from '../io/atomic.js';

/** One named line: (x, y) points in drawing order. Non-finite points (and y ≤ 0 on a log axis) are skipped. */
export interface Series {
  name: string;
  points: Array<[number, number]>;
}

/** Options of {@link lineChartSVG}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Pixel size (default 640×400). */
  width?: number;
  height?: number;
  /** Fixed y range; values outside are clamped to the frame. Default: the data's range, padded. */
  yRange?: [number, number];
  /** Logarithmic y axis (base 10). */
  logY?: boolean;
}

/** The history a trainer records, each as (step or epoch, value) points. */
export interface TrainingCurves {
  trainLoss: Array<[number, number]>;
  valLoss: Array<[number, number]>;
  valTop1: Array<[number, number]>;
  valTop5?: Array<[number, number]>;
  trainTop1?: Array<[number, number]>;
  lr: Array<[number, number]>;
  /** Label of the x axis (default 'epoch'). */
  xLabel?: string;
}

/** The series palette (matplotlib's first eight). */
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MARGIN = { left: 64, right: 16, top: 32, bottom: 44 };

/** Escapes text for SVG. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** A tick label: 4 significant digits, exponent form for very large or small values. */
export function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [mantissa, exponent] = v.toExponential(2).split('e') as [string, string];
    return `${Number(mantissa)}e${Number(exponent)}`;
  }
  return String(Number(v.toPrecision(4)));
}

/** Ticks at 1, 2 or 5 × 10^k spacing covering [lo, hi], about `count` of them. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/** Log-axis ticks (in log10 units): whole decades, or 1-2-5 multiples when the range spans less than two decades. */
function logTicks(lo: number, hi: number): number[] {
  const mult = hi - lo < 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of mult) {
      const t = e + Math.log10(m);
      if (t >= lo - 1e-9 && t <= hi + 1e-9) ticks.push(t);
    }
  }
  return ticks.length >= 2 ? ticks : linearTicks(lo, hi);
}

function extent(values: number[], pad: number): [number, number] {
  if (values.length === 0) return [0, 1];
  let [lo, hi] = [Math.min(...values), Math.max(...values)];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/** The chart drawn into a `w`×`h` box at (x0, y0), as an SVG group. */
function panel(o: LineChartOptions, x0: number, y0: number, w: number, h: number): string {
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  const series = o.series.map((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0)));
  const all = series.flat();
  const [xlo, xhi] = extent(
    all.map(([x]) => x),
    0,
  );
  const [ylo, yhi] = o.yRange
    ? [ty(o.yRange[0]), ty(o.yRange[1])]
    : extent(
        all.map(([, y]) => ty(y)),
        0.05,
      );
  const pw = w - MARGIN.left - MARGIN.right;
  const ph = h - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((x - xlo) / (xhi - xlo)) * pw;
  const py = (v: number) => MARGIN.top + ph - ((Math.min(Math.max(v, ylo), yhi) - ylo) / (yhi - ylo)) * ph;
  const out: string[] = [`<g transform="translate(${x0},${y0})" font-family="sans-serif" font-size="11">`];
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}" fill="white" stroke="#888"/>`);
  for (const t of linearTicks(xlo, xhi)) {
    const x = px(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${MARGIN.top + ph + 14}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of o.logY ? logTicks(ylo, yhi) : linearTicks(ylo, yhi)) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + pw}" y2="${y}" stroke="#eee"/>`);
    out.push(
      `<text x="${MARGIN.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(o.logY ? Math.pow(10, t) : t)}</text>`,
    );
  }
  out.push(`<text x="${w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`);
  out.push(`<text x="${MARGIN.left + pw / 2}" y="${h - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(`<text transform="translate(14,${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  series.forEach((pts, i) => {
    const color = COLORS[i % COLORS.length];
    const coords = pts.map(([x, y]) => `${px(x).toFixed(1)},${py(ty(y)).toFixed(1)}`);
    out.push(
      `<polyline class="series" data-name="${escapeXml(o.series[i]!.name)}" fill="none" stroke="${color}" stroke-width="1.5" points="${coords.join(' ')}"/>`,
    );
    if (pts.length === 1) out.push(`<circle cx="${coords[0]!.split(',')[0]}" cy="${coords[0]!.split(',')[1]}" r="2.5" fill="${color}"/>`);
    const ly = MARGIN.top + 12 + 14 * i;
    out.push(
      `<line x1="${MARGIN.left + pw - 110}" y1="${ly}" x2="${MARGIN.left + pw - 92}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${MARGIN.left + pw - 88}" y="${ly}" dominant-baseline="middle">${escapeXml(o.series[i]!.name)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** Wraps an SVG body in a white-background document of the given size. */
export function svgDocument(width: number, height: number, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

/** A standalone SVG line chart with one <polyline> per series, a legend, title and axis labels. */
export function lineChartSVG(o: LineChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 400;
  if (o.yRange && !(o.yRange[1] > o.yRange[0] && (!o.logY || o.yRange[0] > 0))) {
    throw new Error(
      `lineChartSVG: yRange must be [lo, hi] with lo < hi${o.logY ? ' and lo > 0 on a log axis' : ''}, got [${o.yRange.join(', ')}]`,
    );
  }
  return svgDocument(width, height, panel(o, 0, 0, width, height));
}

/** The training curves as one SVG of three panels side by side: loss (train, val), accuracy (val top-1/top-5, train top-1), lr (log). */
export function trainingCurvesSVG(c: TrainingCurves, panelWidth = 420, panelHeight = 320): string {
  const xLabel = c.xLabel ?? 'epoch';
  const named = (pairs: Array<[string, Array<[number, number]> | undefined]>): Series[] =>
    pairs.filter((p): p is [string, Array<[number, number]>] => p[1] !== undefined).map(([name, points]) => ({ name, points }));
  const panels: LineChartOptions[] = [
    {
      title: 'Loss',
      xLabel,
      yLabel: 'cross-entropy',
      series: named([
        ['train', c.trainLoss],
        ['val', c.valLoss],
      ]),
    },
    {
      title: 'Accuracy',
      xLabel,
      yLabel: 'accuracy',
      yRange: [0, 1],
      series: named([
        ['val top-1', c.valTop1],
        ['val top-5', c.valTop5],
        ['train top-1', c.trainTop1],
      ]),
    },
    { title: 'Learning rate', xLabel, yLabel: 'lr', logY: c.lr.some(([, y]) => y > 0), series: named([['lr', c.lr]]) },
  ];
  const body = panels.map((p, i) => panel(p, i * panelWidth, 0, panelWidth, panelHeight)).join('\n');
  return svgDocument(panels.length * panelWidth, panelHeight, body);
}

/** Writes {@link trainingCurvesSVG} to `file` atomically (creating its folder). */
export function writeTrainingCurves(file: string, c: TrainingCurves): void {
  writeFileAtomic(file, trainingCurvesSVG(c));
}
