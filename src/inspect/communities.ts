/**
 * Community detection by the Louvain method (Blondel et al. 2008) on a dense weighted graph: local
 * moves of single nodes to the neighbouring community with the largest modularity gain until none
 * helps, then each community becomes one node of an aggregated graph, and so on until a level moves
 * nothing. Nodes are visited in index order and ties keep the first best, so the result is
 * deterministic. Sized for circuit graphs (hundreds of nodes).
 */
import type { WeightedGraph } from './weighted-graph.js';

/** Gains below this count as no gain (floating-point noise). */
const GAIN_EPS = 1e-12;
/** Passes of local moves per level before giving up on convergence. */
const MAX_PASSES = 100;

/** Relabels communities 0…k−1 in order of first appearance; returns the labels and k. */
function renumber(labels: Int32Array): { labels: Int32Array; count: number } {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  labels.forEach((c, i) => {
    if (!map.has(c)) map.set(c, map.size);
    out[i] = map.get(c) as number;
  });
  return { labels: out, count: map.size };
}

/** One level of local moves on aggregated weights B (n×n, diagonal = internal weight). Returns the labels and whether anything moved. */
function localMoves(B: Float64Array, n: number): { labels: Int32Array; moved: boolean } {
  const k = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i]! += B[i * n + j] as number;
  const m2 = k.reduce((a, b) => a + b, 0);
  const comm = Int32Array.from({ length: n }, (_, i) => i);
  if (m2 === 0) return { labels: comm, moved: false };
  const tot = Float64Array.from(k);
  let moved = false;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let improved = false;
    for (let i = 0; i < n; i++) {
      const ci = comm[i] as number;
      const ki = k[i] as number;
      const links = new Map<number, number>([[ci, 0]]);
      for (let j = 0; j < n; j++) {
        const w = B[i * n + j] as number;
        if (j === i || w === 0) continue;
        const c = comm[j] as number;
        links.set(c, (links.get(c) ?? 0) + w);
      }
      tot[ci]! -= ki;
      let best = ci;
      let bestGain = (links.get(ci) as number) - ((tot[ci] as number) * ki) / m2;
      for (const [c, w] of links) {
        const gain = w - ((tot[c] as number) * ki) / m2;
        if (gain > bestGain + GAIN_EPS) {
          best = c;
          bestGain = gain;
        }
      }
      tot[best]! += ki;
      if (best !== ci) {
        comm[i] = best;
        improved = true;
        moved = true;
      }
    }
    if (!improved) break;
  }
  return { labels: comm, moved };
}

/**
 * Louvain communities of `g` (weights only; `possible` is ignored): a label per node, 0…k−1 in order
 * of first appearance. Isolated nodes stay alone.
 */
export function detectCommunities(g: WeightedGraph): Int32Array {
  let n = g.n;
  let B = Float64Array.from(g.weights);
  for (let i = 0; i < n; i++) B[i * n + i] = 0;
  let assign = Int32Array.from({ length: g.n }, (_, i) => i);
  for (;;) {
    const { labels: raw, moved } = localMoves(B, n);
    if (!moved) break;
    const { labels, count } = renumber(raw);
    const next = new Float64Array(count * count);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) next[(labels[i] as number) * count + (labels[j] as number)]! += B[i * n + j] as number;
    assign = assign.map((s) => labels[s] as number);
    B = next;
    n = count;
  }
  return renumber(assign).labels;
}
