/**
 * Dependency-free SVG heat maps: one or more labelled panels (rows × columns of values), stacked
 * vertically, each with its own colour bar: sequential (viridis, 0 to the panel's maximum) or
 * diverging (blue–white–red, symmetric around 0, for signed values such as log ratios).
 */
import { diverging, escapeXml, px, viridis } from './svg-util.js';

/** One heat-map panel. */
export interface HeatmapPanel {
  title: string;
  rowLabels: string[];
  colLabels: string[];
  /** values[r][c]; non-finite cells are drawn grey. */
  values: number[][];
  /** 'sequential' (default): 0…max; 'diverging': −m…+m with m = max |value|. */
  scale?: 'sequential' | 'diverging';
}

/** Options of {@link heatmapSVG}. */
export interface HeatmapOptions {
  title: string;
  panels: HeatmapPanel[];
  /** Cell size in pixels (default 18). */
  cell?: number;
  /** Label of the colour scale (default 'value'). */
  scaleLabel?: string;
}

const LEFT = 150;
const TOP = 44;
const BAR = 14;

/** Renders the panels to an SVG document. Throws when a panel's values do not match its labels. */
export function heatmapSVG(options: HeatmapOptions): string {
  const cell = options.cell ?? 18;
  const widest = Math.max(1, ...options.panels.map((p) => p.colLabels.length));
  const width = LEFT + widest * cell + 90;
  const out: string[] = [];
  let y = TOP;
  for (const panel of options.panels) {
    if (panel.values.length !== panel.rowLabels.length || panel.values.some((r) => r.length !== panel.colLabels.length))
      throw new Error(`heatmapSVG: panel '${panel.title}' values are not ${panel.rowLabels.length}×${panel.colLabels.length}`);
    const finite = panel.values.flat().filter(Number.isFinite);
    const signed = panel.scale === 'diverging';
    const max = finite.length ? Math.max(...finite.map((v) => (signed ? Math.abs(v) : v))) : 0;
    const scale = max > 0 ? max : 1;
    const colour = (t: number) => (signed ? diverging(t) : viridis(t)); // t in [0, 1]
    out.push(`<text x="${LEFT}" y="${px(y + 14)}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`);
    y += 22;
    // Column labels, rotated.
    const labelH = 34;
    panel.colLabels.forEach((label, c) => {
      const x = LEFT + c * cell + cell / 2;
      out.push(`<text transform="translate(${px(x + 4)},${px(y + labelH - 2)}) rotate(-90)" font-size="9">${escapeXml(label)}</text>`);
    });
    y += labelH;
    panel.values.forEach((row, r) => {
      out.push(
        `<text x="${LEFT - 6}" y="${px(y + r * cell + cell * 0.7)}" font-size="11" text-anchor="end">${escapeXml(panel.rowLabels[r]!)}</text>`,
      );
      row.forEach((v, c) => {
        const fill = Number.isFinite(v) ? colour(signed ? 0.5 + v / (2 * scale) : v / scale) : '#cccccc';
        out.push(
          `<rect x="${px(LEFT + c * cell)}" y="${px(y + r * cell)}" width="${cell}" height="${cell}" fill="${fill}"><title>${escapeXml(
            `${panel.rowLabels[r]} · ${panel.colLabels[c]}: ${Number.isFinite(v) ? v.toPrecision(3) : 'n/a'}`,
          )}</title></rect>`,
        );
      });
    });
    // Colour bar beside the panel.
    const h = Math.max(cell * panel.rowLabels.length, 40);
    const bx = LEFT + widest * cell + 16;
    for (let i = 0; i < 20; i++) {
      out.push(`<rect x="${bx}" y="${px(y + (h * i) / 20)}" width="${BAR}" height="${px(h / 20 + 0.5)}" fill="${colour(1 - i / 19)}"/>`);
    }
    out.push(`<text x="${bx + BAR + 4}" y="${px(y + 9)}" font-size="10">${max.toPrecision(2)}</text>`);
    out.push(`<text x="${bx + BAR + 4}" y="${px(y + h)}" font-size="10">${signed ? (-max).toPrecision(2) : '0'}</text>`);
    y += h + 24;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<text x="10" y="36" font-size="10" fill="#444">colour: ${escapeXml(options.scaleLabel ?? 'value')}; each panel has its own scale</text>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
