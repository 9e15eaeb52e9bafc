/**
 * Small helpers shared by the circuit drawings: XML escaping, number formatting, a sequential colour
 * scale (viridis, interpolated between a few stops) and a categorical palette.
 */

/** Escapes text for SVG/XML. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** A number rounded for SVG coordinates. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

const VIRIDIS: Array<[number, number, number]> = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Viridis colour of t ∈ [0, 1] (clamped) as '#rrggbb'. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  const hex = (k: number) =>
    Math.round(a[k]! + f * (b[k]! - a[k]!))
      .toString(16)
      .padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
}

/** Blue (t = 0) – white (0.5) – red (1) colour of t ∈ [0, 1] (clamped) as '#rrggbb'. */
export function diverging(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
  const [lo, hi] =
    x < 0.5
      ? [
          [33, 102, 172],
          [255, 255, 255],
        ]
      : [
          [255, 255, 255],
          [178, 24, 43],
        ];
  const f = x < 0.5 ? x / 0.5 : (x - 0.5) / 0.5;
  const hex = (k: number) =>
    Math.round(lo[k]! + f * (hi[k]! - lo[k]!))
      .toString(16)
      .padStart(2, '0');
  return `#${hex(0)}${hex(1)}${hex(2)}`;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];

/** Categorical colour of index i (cycles after 10). */
export function categorical(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length] as string;
}
