/**
 * Dependency-free SVG grouped bar charts with error bars, for results pages that compare models
 * per task (e.g. mean test accuracy ± 95 % CI over seeds). Shares the axis helpers of ./plot.ts.
 */
import { COLORS, escapeXml, fmt, linearTicks, svgDocument } from './plot.js';

/** One series of bars: a value (and optional symmetric error) per group; NaN leaves a gap. */
export interface BarSeries {
  name: string;
  values: number[];
  errors?: number[];
}

/** Options of {@link barChartSVG}. */
export interface BarChartOptions {
  title: string;
  yLabel: string;
  /** Group labels along the x axis. */
  groups: string[];
  series: BarSeries[];
  /** y range (default [0, max(value + error) padded]). */
  yRange?: [number, number];
  width?: number;
  height?: number;
}

/** A standalone SVG grouped bar chart: one cluster per group, one bar per series, error bars where given. */
export function barChartSVG(o: BarChartOptions): string {
  for (const s of o.series) {
    if (s.values.length !== o.groups.length || (s.errors && s.errors.length !== o.groups.length)) {
      throw new Error(`barChartSVG: series '${s.name}' needs ${o.groups.length} values (and errors), one per group`);
    }
  }
  const width = o.width ?? 640;
  const height = o.height ?? 400;
  const m = { left: 64, right: 16, top: 32, bottom: 56 };
  const tops = o.series.flatMap((s) => s.values.map((v, i) => v + (Number.isFinite(s.errors?.[i]) ? (s.errors![i] as number) : 0)));
  const finite = tops.filter(Number.isFinite);
  const [ylo, yhi] = o.yRange ?? [0, finite.length ? Math.max(...finite) * 1.08 || 1 : 1];
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const py = (v: number) => m.top + ph - ((Math.min(Math.max(v, ylo), yhi) - ylo) / (yhi - ylo)) * ph;
  const groupW = pw / Math.max(1, o.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, o.series.length);
  const out: string[] = ['<g font-family="sans-serif" font-size="11">'];
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="white" stroke="#888"/>`);
  for (const t of linearTicks(ylo, yhi)) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  o.groups.forEach((g, gi) => {
    const cx = m.left + groupW * (gi + 0.5);
    out.push(`<text x="${cx.toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${escapeXml(g)}</text>`);
    o.series.forEach((s, si) => {
      const v = s.values[gi] as number;
      if (!Number.isFinite(v)) return;
      const x = m.left + groupW * gi + groupW * 0.1 + barW * si;
      const y = py(v);
      const color = COLORS[si % COLORS.length];
      out.push(
        `<rect class="bar" data-series="${escapeXml(s.name)}" data-group="${escapeXml(g)}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${(py(ylo) - y).toFixed(1)}" fill="${color}"/>`,
      );
      const e = s.errors?.[gi];
      if (e !== undefined && Number.isFinite(e) && e > 0) {
        const ex = (x + barW * 0.45).toFixed(1);
        out.push(`<line x1="${ex}" y1="${py(v + e).toFixed(1)}" x2="${ex}" y2="${py(v - e).toFixed(1)}" stroke="black"/>`);
      }
    });
  });
  out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`);
  out.push(`<text transform="translate(14,${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  o.series.forEach((s, si) => {
    const lx = m.left + 8 + si * 150;
    const ly = height - 14;
    out.push(`<rect x="${lx}" y="${ly - 6}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 16}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</g>');
  return svgDocument(width, height, out.join('\n'));
}
