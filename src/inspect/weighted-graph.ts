/**
 * Undirected weighted graphs for circuit inspection (dense, n×n, symmetric, zero diagonal) and their
 * statistics: density (binary and weighted, over the pairs that could carry an edge), degree
 * distribution, strength, and Newman's modularity of a partition.
 */

/** An undirected weighted graph on nodes 0…n−1. */
export interface WeightedGraph {
  n: number;
  /** Row-major n×n, symmetric, zero diagonal; weight 0 = no edge. */
  weights: Float64Array;
  /**
   * Which pairs could carry an edge at all (row-major n×n, symmetric, 0/1), e.g. only receiver–sender
   * pairs of one layer. Absent: every pair u ≠ v. Nodes with no possible pair are not members.
   */
  possible?: Uint8Array;
}

/** Statistics of a {@link WeightedGraph}. */
export interface GraphStatistics {
  /** Member nodes (nodes with at least one possible pair). */
  nodes: number;
  /** Unordered pairs that could carry an edge. */
  possiblePairs: number;
  /** Unordered pairs with weight > 0. */
  edges: number;
  /** edges / possiblePairs. */
  density: number;
  /** Σ weights / possiblePairs (the mean weight over possible pairs). */
  weightedDensity: number;
  /** Degree (number of neighbours) over member nodes: mean, sample std, min, max. */
  meanDegree: number;
  degreeStd: number;
  minDegree: number;
  maxDegree: number;
  /** histogram[k] = member nodes of degree k, k = 0…maxDegree. */
  degreeHistogram: number[];
  /** Mean weighted degree (sum of incident weights) over member nodes. */
  meanStrength: number;
}

/** Builds a graph from a dense symmetric matrix (rows of equal length); throws on asymmetry or negative weights. */
export function graphFromMatrix(matrix: readonly (readonly number[])[]): WeightedGraph {
  const n = matrix.length;
  const weights = new Float64Array(n * n);
  matrix.forEach((row, u) => {
    if (row.length !== n) throw new Error(`graphFromMatrix: row ${u} has ${row.length} entries, expected ${n}`);
    row.forEach((w, v) => {
      if (!(w >= 0)) throw new Error(`graphFromMatrix: weight [${u}][${v}] must be ≥ 0, got ${w}`);
      if (u !== v) weights[u * n + v] = w;
    });
  });
  for (let u = 0; u < n; u++)
    for (let v = u + 1; v < n; v++)
      if (weights[u * n + v] !== weights[v * n + u]) throw new Error(`graphFromMatrix: not symmetric at [${u}][${v}]`);
  return { n, weights };
}

/** Whether pair (u, v), u ≠ v, could carry an edge. */
export function isPossible(g: WeightedGraph, u: number, v: number): boolean {
  return u !== v && (g.possible ? g.possible[u * g.n + v] === 1 : true);
}

/** The member nodes: those with at least one possible pair. */
export function memberNodes(g: WeightedGraph): number[] {
  const out: number[] = [];
  for (let u = 0; u < g.n; u++) {
    for (let v = 0; v < g.n; v++) {
      if (isPossible(g, u, v)) {
        out.push(u);
        break;
      }
    }
  }
  return out;
}

/** Degree (neighbours with weight > 0) of every node. */
export function degrees(g: WeightedGraph): number[] {
  const d = new Array<number>(g.n).fill(0);
  for (let u = 0; u < g.n; u++) for (let v = 0; v < g.n; v++) if (u !== v && (g.weights[u * g.n + v] as number) > 0) d[u]! += 1;
  return d;
}

/** Weighted degree (sum of incident weights, no self-loops) of every node. */
export function strengths(g: WeightedGraph): number[] {
  const s = new Array<number>(g.n).fill(0);
  for (let u = 0; u < g.n; u++) for (let v = 0; v < g.n; v++) if (u !== v) s[u]! += g.weights[u * g.n + v] as number;
  return s;
}

/** Density, degree distribution and strength of a graph (see {@link GraphStatistics}). */
export function graphStatistics(g: WeightedGraph): GraphStatistics {
  let possiblePairs = 0;
  let edges = 0;
  let total = 0;
  for (let u = 0; u < g.n; u++) {
    for (let v = u + 1; v < g.n; v++) {
      if (!isPossible(g, u, v)) continue;
      possiblePairs++;
      const w = g.weights[u * g.n + v] as number;
      total += w;
      if (w > 0) edges++;
    }
  }
  const members = memberNodes(g);
  const deg = degrees(g);
  const str = strengths(g);
  const md = members.map((u) => deg[u] as number);
  const mean = md.length ? md.reduce((a, b) => a + b, 0) / md.length : 0;
  const std = md.length > 1 ? Math.sqrt(md.reduce((a, d) => a + (d - mean) ** 2, 0) / (md.length - 1)) : 0;
  const maxDegree = md.length ? Math.max(...md) : 0;
  const degreeHistogram = new Array<number>(maxDegree + 1).fill(0);
  for (const d of md) degreeHistogram[d]! += 1;
  return {
    nodes: members.length,
    possiblePairs,
    edges,
    density: possiblePairs ? edges / possiblePairs : 0,
    weightedDensity: possiblePairs ? total / possiblePairs : 0,
    meanDegree: mean,
    degreeStd: std,
    minDegree: md.length ? Math.min(...md) : 0,
    maxDegree,
    degreeHistogram,
    meanStrength: members.length ? members.reduce((a, u) => a + (str[u] as number), 0) / members.length : 0,
  };
}

/**
 * Newman's modularity of a partition (community label per node) on the weights:
 *   Q = Σ_c [ W_c / W − (S_c / W)² ],
 * W = Σ_uv w_uv (both orders), W_c = Σ_{u,v∈c} w_uv, S_c = Σ_{u∈c} strength(u). 0 for an empty graph.
 */
export function modularity(g: WeightedGraph, communities: ArrayLike<number>): number {
  if (communities.length !== g.n) throw new Error(`modularity: ${communities.length} labels for ${g.n} nodes`);
  const inside = new Map<number, number>();
  const strength = new Map<number, number>();
  let total = 0;
  for (let u = 0; u < g.n; u++) {
    const cu = communities[u] as number;
    for (let v = 0; v < g.n; v++) {
      if (u === v) continue;
      const w = g.weights[u * g.n + v] as number;
      total += w;
      strength.set(cu, (strength.get(cu) ?? 0) + w);
      if (communities[v] === cu) inside.set(cu, (inside.get(cu) ?? 0) + w);
    }
  }
  if (total === 0) return 0;
  let q = 0;
  for (const [c, s] of strength) q += (inside.get(c) ?? 0) / total - (s / total) ** 2;
  return q;
}
