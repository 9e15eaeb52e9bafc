/**
 * Graph priors for the module signatures (spec §1.4): seeded samplers for the graph families the
 * reference draws with networkx (Barabási–Albert, planted partition, ring of cliques, Erdős–Rényi,
 * Watts–Strogatz, complete, none), their config validation, and the density of an adjacency.
 *
 * Adjacencies are symmetric n×n row-major Uint8Arrays of 0/1 with a zero diagonal. Node i of the
 * graph is module i (row i of the signature matrix), in the order networkx would label the nodes.
 */
import type { Rng } from '../util/rng.js';

/** The supported graph priors. `none` means "no prior": plain N(0, I) signatures. */
export type GraphPreset =
  'barabasi-albert' | 'planted-partition' | 'ring-of-cliques' | 'erdos-renyi' | 'watts-strogatz' | 'complete' | 'none';

/** Every {@link GraphPreset}, in a fixed order. */
export const GRAPH_PRESETS: readonly GraphPreset[] = Object.freeze([
  'barabasi-albert',
  'planted-partition',
  'ring-of-cliques',
  'erdos-renyi',
  'watts-strogatz',
  'complete',
  'none',
] as const);

/** A graph prior and its parameters; keys that do not belong to the preset are ignored. */
export interface GraphPriorConfig {
  preset: GraphPreset;
  /** Barabási–Albert: edges attached from each new node (default 2). */
  m?: number;
  /** Erdős–Rényi: edge probability (default 0.1). */
  p?: number;
  /** Planted partition: number of equal-sized groups (default 8; must divide n). */
  numClusters?: number;
  /** Planted partition: edge probability inside a group (default 0.9). */
  pIn?: number;
  /** Planted partition: edge probability across groups (default 0.2). */
  pOut?: number;
  /** Ring of cliques: number of cliques (default 8; must divide n, cliques of ≥ 2 nodes). */
  numCliques?: number;
  /** Watts–Strogatz: lattice neighbours, ⌊k/2⌋ on each side (default max(2, round(0.1 n))). */
  k?: number;
  /** Watts–Strogatz: rewiring probability per edge (default 0.4). */
  rewire?: number;
}

/** Defaults that apply when a key is left out (k depends on n, see {@link resolveWsK}). */
const DEFAULTS = { m: 2, p: 0.1, numClusters: 8, pIn: 0.9, pOut: 0.2, numCliques: 8, rewire: 0.4 };

function resolveWsK(cfg: GraphPriorConfig, n: number): number {
  return cfg.k ?? Math.max(2, Math.round(0.1 * n));
}

function fail(field: string, key: string, rule: string, n: number, got: unknown): never {
  throw new Error(`${field}.${key} must be ${rule} (n = ${n}), got ${String(got)}`);
}

function checkInt(field: string, key: string, v: number, lo: number, hi: number, hiText: string, n: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    fail(field, key, `an integer in [${lo}, ${hiText}]`, n, v);
  }
}

function checkProb(field: string, key: string, v: number, n: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(field, key, 'a probability in [0, 1]', n, v);
}

function checkDivisor(field: string, key: string, v: number, n: number, minGroup: number): void {
  const ok = typeof v === 'number' && Number.isInteger(v) && v >= 1 && n % v === 0 && n / v >= minGroup;
  if (!ok) {
    const rule = minGroup > 1 ? `a divisor of n with n / ${key} ≥ ${minGroup}` : 'a positive divisor of n';
    fail(field, key, rule, n, v);
  }
}

/**
 * Checks a prior config for `n` modules and throws an Error naming `${field}.<key>` and the allowed
 * range or values, e.g. `circuit.mediatorPrior.m must be an integer in [1, n-1] (n = 16), got 0`.
 */
export function validateGraphPrior(cfg: GraphPriorConfig, n: number, field: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${field}: the number of modules must be a positive integer, got ${n}`);
  if (cfg === null || typeof cfg !== 'object') throw new Error(`${field} must be an object with a 'preset' key, got ${String(cfg)}`);
  if (!GRAPH_PRESETS.includes(cfg.preset)) {
    throw new Error(`${field}.preset must be one of ${GRAPH_PRESETS.join(', ')}, got ${String(cfg.preset)}`);
  }
  switch (cfg.preset) {
    case 'barabasi-albert':
      if (n < 2) fail(field, 'm', 'an integer in [1, n-1], which needs n ≥ 2', n, cfg.m ?? DEFAULTS.m);
      checkInt(field, 'm', cfg.m ?? DEFAULTS.m, 1, n - 1, 'n-1', n);
      break;
    case 'erdos-renyi':
      checkProb(field, 'p', cfg.p ?? DEFAULTS.p, n);
      break;
    case 'planted-partition':
      checkDivisor(field, 'numClusters', cfg.numClusters ?? DEFAULTS.numClusters, n, 1);
      checkProb(field, 'pIn', cfg.pIn ?? DEFAULTS.pIn, n);
      checkProb(field, 'pOut', cfg.pOut ?? DEFAULTS.pOut, n);
      break;
    case 'ring-of-cliques': {
      const c = cfg.numCliques ?? DEFAULTS.numCliques;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 2) fail(field, 'numCliques', 'an integer ≥ 2', n, c);
      checkDivisor(field, 'numCliques', c, n, 2);
      break;
    }
    case 'watts-strogatz':
      if (n < 3) fail(field, 'k', 'an integer in [2, n-1], which needs n ≥ 3', n, resolveWsK(cfg, n));
      checkInt(field, 'k', resolveWsK(cfg, n), 2, n - 1, 'n-1', n);
      checkProb(field, 'rewire', cfg.rewire ?? DEFAULTS.rewire, n);
      break;
    case 'complete':
    case 'none':
      break;
  }
}

/** Symmetric 0/1 adjacency with degree bookkeeping, used while sampling. */
class AdjBuilder {
  readonly adj: Uint8Array;
  readonly degree: Int32Array;
  constructor(readonly n: number) {
    this.adj = new Uint8Array(n * n);
    this.degree = new Int32Array(n);
  }
  has(u: number, v: number): boolean {
    return this.adj[u * this.n + v] === 1;
  }
  add(u: number, v: number): void {
    if (u === v || this.has(u, v)) return;
    this.adj[u * this.n + v] = 1;
    this.adj[v * this.n + u] = 1;
    this.degree[u]! += 1;
    this.degree[v]! += 1;
  }
  remove(u: number, v: number): void {
    if (!this.has(u, v)) return;
    this.adj[u * this.n + v] = 0;
    this.adj[v * this.n + u] = 0;
    this.degree[u]! -= 1;
    this.degree[v]! -= 1;
  }
}

/** Preferential attachment seeded with a star on m + 1 nodes (networkx ≥ 2.7 convention). */
function barabasiAlbert(g: AdjBuilder, m: number, rng: Rng): void {
  const n = g.n;
  const pool: number[] = []; // node i appears degree(i) times
  for (let leaf = 1; leaf <= m; leaf++) {
    g.add(0, leaf);
    pool.push(0, leaf);
  }
  const chosen = new Set<number>();
  for (let node = m + 1; node < n; node++) {
    chosen.clear();
    while (chosen.size < m) chosen.add(pool[rng.int(pool.length)]!);
    for (const t of chosen) {
      g.add(node, t);
      pool.push(t, node);
    }
  }
}

/** Independent edges: probability pIn inside a group of `size` consecutive nodes, pOut across. */
function blockModel(g: AdjBuilder, size: number, pIn: number, pOut: number, rng: Rng): void {
  const n = g.n;
  for (let u = 0; u < n; u++) {
    const gu = Math.floor(u / size);
    for (let v = u + 1; v < n; v++) {
      const p = Math.floor(v / size) === gu ? pIn : pOut;
      if (rng.uniform() < p) g.add(u, v);
    }
  }
}

/** `c` cliques of n/c nodes; node 1 of clique i is joined to node 0 of clique i+1 (mod c). */
function ringOfCliques(g: AdjBuilder, c: number): void {
  const size = g.n / c;
  for (let i = 0; i < c; i++) {
    const base = i * size;
    for (let a = 0; a < size; a++) for (let b = a + 1; b < size; b++) g.add(base + a, base + b);
    g.add(base + 1, ((i + 1) % c) * size);
  }
}

/** Ring lattice with ⌊k/2⌋ neighbours on each side, each lattice edge rewired with probability p. */
function wattsStrogatz(g: AdjBuilder, k: number, p: number, rng: Rng): void {
  const n = g.n;
  const half = Math.floor(k / 2);
  for (let j = 1; j <= half; j++) for (let u = 0; u < n; u++) g.add(u, (u + j) % n);
  for (let j = 1; j <= half; j++) {
    for (let u = 0; u < n; u++) {
      if (rng.uniform() >= p) continue;
      if (g.degree[u]! >= n - 1) continue; // u is already joined to everyone: keep the edge
      let w = rng.int(n);
      while (w === u || g.has(u, w)) w = rng.int(n);
      g.remove(u, (u + j) % n);
      g.add(u, w);
    }
  }
}

/**
 * Samples the prior's graph on `n` nodes with the seeded `rng`: a symmetric 0/1 adjacency
 * (n×n, row-major, zero diagonal). `complete` gives all pairs and `none` the empty graph; neither
 * consumes random numbers. Throws like {@link validateGraphPrior} (field `graphPrior`) on a bad config.
 */
export function sampleGraph(cfg: GraphPriorConfig, n: number, rng: Rng): Uint8Array {
  validateGraphPrior(cfg, n, 'graphPrior');
  const g = new AdjBuilder(n);
  switch (cfg.preset) {
    case 'barabasi-albert':
      barabasiAlbert(g, cfg.m ?? DEFAULTS.m, rng);
      break;
    case 'planted-partition':
      blockModel(g, n / (cfg.numClusters ?? DEFAULTS.numClusters), cfg.pIn ?? DEFAULTS.pIn, cfg.pOut ?? DEFAULTS.pOut, rng);
      break;
    case 'ring-of-cliques':
      ringOfCliques(g, cfg.numCliques ?? DEFAULTS.numCliques);
      break;
    case 'erdos-renyi': {
      const p = cfg.p ?? DEFAULTS.p;
      blockModel(g, n, p, p, rng);
      break;
    }
    case 'watts-strogatz':
      wattsStrogatz(g, resolveWsK(cfg, n), cfg.rewire ?? DEFAULTS.rewire, rng);
      break;
    case 'complete':
      for (let u = 0; u < n; u++) for (let v = u + 1; v < n; v++) g.add(u, v);
      break;
    case 'none':
      break;
  }
  return g.adj;
}

/** Fraction of the n(n−1) off-diagonal entries of `adj` that are edges (0 when n < 2). */
export function graphDensity(adj: Uint8Array, n: number): number {
  if (adj.length !== n * n) throw new Error(`graphDensity: adjacency has ${adj.length} entries, expected ${n * n}`);
  if (n < 2) return 0;
  let count = 0;
  for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) if (u !== v && adj[u * n + v] !== 0) count++;
  return count / (n * (n - 1));
}
