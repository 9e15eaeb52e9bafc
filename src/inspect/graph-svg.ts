/**
 * An SVG drawing of a circuit graph: modules on a circle, ordered by community (then group, then
 * index) so communities form arcs; edges as straight lines whose opacity and width follow the kernel
 * weight (edges inside a community take its colour, others grey); nodes coloured by community, sized
 * by degree, and shaped by group (read-in square, propagator circle, read-out diamond). Deterministic.
 */
import type { CircuitNode, ModuleGroup } from './circuit-graph.js';
import { degrees, type WeightedGraph } from './weighted-graph.js';
import { categorical, escapeXml, px } from './svg-util.js';

/** Options of {@link circuitGraphSVG}. */
export interface CircuitGraphSVGOptions {
  title: string;
  nodes: CircuitNode[];
  graph: WeightedGraph;
  /** Community label per node. */
  communities: ArrayLike<number>;
  /** Square size in pixels (default 640). */
  size?: number;
  /** Subtitle line (e.g. the statistics). */
  subtitle?: string;
}

const GROUP_ORDER: Record<ModuleGroup, number> = { readIn: 0, propagator: 1, readOut: 2 };
const GROUP_NAME: Record<ModuleGroup, string> = { readIn: 'read-in', propagator: 'propagator', readOut: 'read-out' };

/** The node shape of a group centred at (x, y) with radius r. */
function shape(group: ModuleGroup, x: number, y: number, r: number, fill: string, title: string): string {
  const t = `<title>${escapeXml(title)}</title>`;
  const stroke = 'stroke="#222" stroke-width="1"';
  if (group === 'readIn')
    return `<rect x="${px(x - r)}" y="${px(y - r)}" width="${px(2 * r)}" height="${px(2 * r)}" fill="${fill}" ${stroke}>${t}</rect>`;
  if (group === 'readOut') {
    const pts = [
      [x, y - r * 1.3],
      [x + r * 1.3, y],
      [x, y + r * 1.3],
      [x - r * 1.3, y],
    ];
    return `<polygon points="${pts.map(([a, b]) => `${px(a!)},${px(b!)}`).join(' ')}" fill="${fill}" ${stroke}>${t}</polygon>`;
  }
  return `<circle cx="${px(x)}" cy="${px(y)}" r="${px(r)}" fill="${fill}" ${stroke}>${t}</circle>`;
}

/** Circular positions: index in `order` → angle. Returns [x, y] per node id. */
export function circularLayout(order: readonly number[], cx: number, cy: number, radius: number): Array<[number, number]> {
  const pos: Array<[number, number]> = new Array(order.length);
  order.forEach((id, k) => {
    const a = -Math.PI / 2 + (2 * Math.PI * k) / order.length;
    pos[id] = [cx + radius * Math.cos(a), cy + radius * Math.sin(a)];
  });
  return pos;
}

/** Renders the graph to an SVG document. */
export function circuitGraphSVG(options: CircuitGraphSVGOptions): string {
  const { nodes, graph: g, communities } = options;
  if (nodes.length !== g.n || communities.length !== g.n)
    throw new Error(`circuitGraphSVG: ${nodes.length} nodes, graph of ${g.n}, ${communities.length} labels`);
  const size = options.size ?? 640;
  const legendH = 60;
  const cx = size / 2;
  const cy = 50 + (size - 50) / 2;
  const radius = (size - 50) / 2 - 40;
  const order = nodes
    .map((n) => n.id)
    .sort(
      (a, b) =>
        (communities[a] as number) - (communities[b] as number) ||
        GROUP_ORDER[nodes[a]!.group] - GROUP_ORDER[nodes[b]!.group] ||
        nodes[a]!.index - nodes[b]!.index,
    );
  const pos = circularLayout(order, cx, cy, radius);
  const deg = degrees(g);
  const maxDeg = Math.max(1, ...deg);
  let maxW = 0;
  for (const w of g.weights) maxW = Math.max(maxW, w);
  const edges: string[] = [];
  for (let u = 0; u < g.n; u++) {
    for (let v = u + 1; v < g.n; v++) {
      const w = g.weights[u * g.n + v] as number;
      if (!(w > 0)) continue;
      const t = w / (maxW || 1);
      const same = communities[u] === communities[v];
      const colour = same ? categorical(communities[u] as number) : '#888888';
      const [x1, y1] = pos[u]!;
      const [x2, y2] = pos[v]!;
      edges.push(
        `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" stroke="${colour}" stroke-opacity="${(0.08 + 0.6 * t).toFixed(2)}" stroke-width="${px(0.4 + 1.8 * t)}"/>`,
      );
    }
  }
  const marks = nodes.map((n) => {
    const [x, y] = pos[n.id]!;
    const r = 4 + 8 * Math.sqrt((deg[n.id] as number) / maxDeg);
    const [lx, ly] = [cx + (x - cx) * (1 + 22 / radius), cy + (y - cy) * (1 + 22 / radius)];
    return [
      shape(
        n.group,
        x,
        y,
        r,
        categorical(communities[n.id] as number),
        `${n.label} (${GROUP_NAME[n.group]}), degree ${deg[n.id]}, community ${communities[n.id]}`,
      ),
      `<text x="${px(lx)}" y="${px(ly + 3)}" font-size="9" text-anchor="middle" fill="#333">${escapeXml(n.label)}</text>`,
    ].join('');
  });
  const legendY = size + 10;
  const groups: ModuleGroup[] = ['readIn', 'propagator', 'readOut'];
  const legend = groups.map(
    (grp, i) =>
      `${shape(grp, 30 + i * 130, legendY + 10, 6, '#ffffff', GROUP_NAME[grp])}<text x="${44 + i * 130}" y="${legendY + 14}" font-size="12">${GROUP_NAME[grp]}</text>`,
  );
  legend.push(
    `<text x="20" y="${legendY + 38}" font-size="11" fill="#444">colour = community · size = degree · edge opacity/width = kernel weight K (max ${maxW.toFixed(2)})</text>`,
  );
  const height = size + legendH;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${height}" viewBox="0 0 ${size} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${size / 2}" y="22" font-size="15" font-weight="bold" text-anchor="middle">${escapeXml(options.title)}</text>`,
    options.subtitle
      ? `<text x="${size / 2}" y="40" font-size="11" text-anchor="middle" fill="#444">${escapeXml(options.subtitle)}</text>`
      : '',
    ...edges,
    ...marks,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
