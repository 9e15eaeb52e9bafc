// Tests for the graph-prior samplers: edge counts and structure per preset, seeding, validation.
import { describe, expect, it } from 'vitest';
import { GRAPH_PRESETS, graphDensity, sampleGraph, validateGraphPrior, type GraphPriorConfig } from '../../src/circuits/graph-priors.js';
import { Rng } from '../../src/util/rng.js';

function edgeCount(adj: Uint8Array, n: number): number {
  let c = 0;
  for (let u = 0; u < n; u++) for (let v = u + 1; v < n; v++) c += adj[u * n + v]!;
  return c;
}

function degrees(adj: Uint8Array, n: number): number[] {
  const d = new Array<number>(n).fill(0);
  for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) d[u]! += adj[u * n + v]!;
  return d;
}

function expectWellFormed(adj: Uint8Array, n: number): void {
  expect(adj.length).toBe(n * n);
  let bad = 0;
  for (let u = 0; u < n; u++) {
    if (adj[u * n + u] !== 0) bad++;
    for (let v = 0; v < n; v++) {
      const a = adj[u * n + v]!;
      if ((a !== 0 && a !== 1) || adj[v * n + u] !== a) bad++;
    }
  }
  expect(bad).toBe(0);
}

function isConnected(adj: Uint8Array, n: number): boolean {
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  while (stack.length > 0) {
    const u = stack.pop()!;
    for (let v = 0; v < n; v++) {
      if (adj[u * n + v] && !seen[v]) {
        seen[v] = 1;
        stack.push(v);
      }
    }
  }
  return seen.every((x) => x === 1);
}

/** Edge density among pairs inside the same block of `size` nodes, and among pairs across blocks. */
function blockDensities(adj: Uint8Array, n: number, size: number): { inside: number; across: number } {
  let inE = 0,
    inP = 0,
    outE = 0,
    outP = 0;
  for (let u = 0; u < n; u++) {
    for (let v = u + 1; v < n; v++) {
      if (Math.floor(u / size) === Math.floor(v / size)) {
        inP++;
        inE += adj[u * n + v]!;
      } else {
        outP++;
        outE += adj[u * n + v]!;
      }
    }
  }
  return { inside: inE / inP, across: outE / outP };
}

describe('sampleGraph', () => {
  it('lists every preset', () => {
    expect([...GRAPH_PRESETS].sort()).toEqual([
      'barabasi-albert',
      'complete',
      'erdos-renyi',
      'none',
      'planted-partition',
      'ring-of-cliques',
      'watts-strogatz',
    ]);
  });

  it('every preset gives a symmetric 0/1 adjacency with zero diagonal', () => {
    for (const preset of GRAPH_PRESETS) {
      const n = 32;
      const adj = sampleGraph({ preset }, n, new Rng(3));
      expectWellFormed(adj, n);
    }
  });

  it('barabasi-albert has exactly m(n−m) edges, is connected and has hubs', () => {
    for (const [n, m] of [
      [64, 2],
      [256, 2],
      [256, 3],
      [10, 9],
      [5, 1],
    ] as const) {
      const adj = sampleGraph({ preset: 'barabasi-albert', m }, n, new Rng(n + m));
      expectWellFormed(adj, n);
      expect(edgeCount(adj, n)).toBe(m * (n - m));
      expect(isConnected(adj, n)).toBe(true);
      const deg = degrees(adj, n);
      for (let u = m + 1; u < n; u++) expect(deg[u]).toBeGreaterThanOrEqual(m);
    }
    const n = 256;
    const deg = degrees(sampleGraph({ preset: 'barabasi-albert' }, n, new Rng(11)), n);
    const mean = deg.reduce((a, b) => a + b, 0) / n;
    expect(Math.max(...deg)).toBeGreaterThan(4 * mean); // preferential attachment makes hubs
  });

  it('ring-of-cliques: complete cliques joined in a ring by one edge each', () => {
    const c = 8,
      size = 8,
      n = c * size;
    const adj = sampleGraph({ preset: 'ring-of-cliques', numCliques: c }, n, new Rng(1));
    expect(edgeCount(adj, n)).toBe((c * size * (size - 1)) / 2 + c);
    const between = new Map<string, number>();
    for (let u = 0; u < n; u++) {
      for (let v = u + 1; v < n; v++) {
        const cu = Math.floor(u / size),
          cv = Math.floor(v / size);
        if (cu === cv) expect(adj[u * n + v]).toBe(1);
        else if (adj[u * n + v]) between.set(`${cu}-${cv}`, (between.get(`${cu}-${cv}`) ?? 0) + 1);
      }
    }
    const expected = new Map<string, number>();
    for (let i = 0; i < c - 1; i++) expected.set(`${i}-${i + 1}`, 1);
    expected.set(`0-${c - 1}`, 1);
    expect(between).toEqual(expected);
    // two cliques still get two distinct ring edges; default is 8 cliques
    expect(edgeCount(sampleGraph({ preset: 'ring-of-cliques', numCliques: 2 }, 8, new Rng(1)), 8)).toBe(2 * 6 + 2);
    expect(edgeCount(sampleGraph({ preset: 'ring-of-cliques' }, 256, new Rng(1)), 256)).toBe(8 * 496 + 8);
  });

  it('complete has n(n−1)/2 edges and none has no edges', () => {
    expect(edgeCount(sampleGraph({ preset: 'complete' }, 40, new Rng(1)), 40)).toBe(780);
    expect(edgeCount(sampleGraph({ preset: 'none' }, 40, new Rng(1)), 40)).toBe(0);
  });

  it('planted-partition has density p_in inside groups and p_out across (n = 256)', () => {
    const n = 256;
    const adj = sampleGraph({ preset: 'planted-partition' }, n, new Rng(5)); // 8 × 32, 0.9 / 0.2
    const { inside, across } = blockDensities(adj, n, 32);
    expect(Math.abs(inside - 0.9)).toBeLessThan(0.03);
    expect(Math.abs(across - 0.2)).toBeLessThan(0.015);
    const expectedDensity = (8 * 496 * 0.9 + (32640 - 8 * 496) * 0.2) / 32640;
    expect(Math.abs(graphDensity(adj, n) - expectedDensity)).toBeLessThan(0.01);
    const custom = sampleGraph({ preset: 'planted-partition', numClusters: 4, pIn: 0.5, pOut: 0.05 }, n, new Rng(6));
    const d = blockDensities(custom, n, 64);
    expect(Math.abs(d.inside - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(d.across - 0.05)).toBeLessThan(0.01);
  });

  it('erdos-renyi has density p (n = 256)', () => {
    const n = 256;
    expect(Math.abs(graphDensity(sampleGraph({ preset: 'erdos-renyi' }, n, new Rng(7)), n) - 0.1)).toBeLessThan(0.01);
    const dense = sampleGraph({ preset: 'erdos-renyi', p: 0.45 }, n, new Rng(8));
    expect(Math.abs(graphDensity(dense, n) - 0.45)).toBeLessThan(0.015);
  });

  it('watts-strogatz keeps n·⌊k/2⌋ edges and rewires about a fraction `rewire` of the lattice', () => {
    const n = 256;
    const lattice = (k: number): Uint8Array => sampleGraph({ preset: 'watts-strogatz', k, rewire: 0 }, n, new Rng(1));
    const ring = lattice(6);
    expect(edgeCount(ring, n)).toBe(n * 3);
    for (let u = 0; u < n; u++) for (let j = 1; j <= 3; j++) expect(ring[u * n + ((u + j) % n)]).toBe(1);
    expect(edgeCount(lattice(5), n)).toBe(n * 2); // odd k: ⌊k/2⌋ per side, as networkx
    const adj = sampleGraph({ preset: 'watts-strogatz' }, n, new Rng(2)); // k = round(25.6) = 26, rewire 0.4
    expectWellFormed(adj, n);
    expect(edgeCount(adj, n)).toBe(n * 13);
    const base = lattice(26);
    let kept = 0;
    for (let i = 0; i < n * n; i++) kept += base[i]! & adj[i]!;
    const keptFraction = kept / 2 / (n * 13);
    expect(keptFraction).toBeGreaterThan(0.55);
    expect(keptFraction).toBeLessThan(0.67);
    const full = sampleGraph({ preset: 'watts-strogatz', k: 4, rewire: 1 }, 16, new Rng(3));
    expect(edgeCount(full, 16)).toBe(32);
    expect(edgeCount(sampleGraph({ preset: 'watts-strogatz' }, 16, new Rng(3)), 16)).toBe(16); // default k = 2
  });

  it('is reproducible: same seed → same graph, different seed → different graph', () => {
    const random: GraphPriorConfig[] = [
      { preset: 'barabasi-albert' },
      { preset: 'planted-partition' },
      { preset: 'erdos-renyi' },
      { preset: 'watts-strogatz' },
    ];
    for (const cfg of random) {
      const a = sampleGraph(cfg, 64, new Rng(42));
      expect(sampleGraph(cfg, 64, new Rng(42))).toEqual(a);
      expect(sampleGraph(cfg, 64, new Rng(43))).not.toEqual(a);
    }
    for (const preset of ['ring-of-cliques', 'complete', 'none'] as const) {
      const rng = new Rng(9);
      const state = rng.getState();
      sampleGraph({ preset }, 64, rng);
      expect(rng.getState()).toEqual(state); // deterministic presets draw nothing
    }
  });
});

describe('graphDensity', () => {
  it('counts the fraction of off-diagonal pairs that are edges', () => {
    expect(graphDensity(sampleGraph({ preset: 'complete' }, 10, new Rng(1)), 10)).toBe(1);
    expect(graphDensity(sampleGraph({ preset: 'none' }, 10, new Rng(1)), 10)).toBe(0);
    const ba = sampleGraph({ preset: 'barabasi-albert', m: 2 }, 64, new Rng(1));
    expect(graphDensity(ba, 64)).toBeCloseTo((2 * 124) / (64 * 63), 12);
    expect(() => graphDensity(ba, 63)).toThrow(/expected 3969/);
  });
});

describe('validateGraphPrior', () => {
  const field = 'circuit.mediatorPrior';
  const bad =
    (cfg: GraphPriorConfig, n: number): (() => void) =>
    () =>
      validateGraphPrior(cfg, n, field);

  it('accepts valid configs', () => {
    for (const preset of GRAPH_PRESETS) expect(bad({ preset }, 64)).not.toThrow();
    expect(bad({ preset: 'barabasi-albert', m: 15 }, 16)).not.toThrow();
    expect(bad({ preset: 'planted-partition', numClusters: 3, pIn: 1, pOut: 0 }, 12)).not.toThrow();
  });

  it('names the field and the allowed range', () => {
    expect(bad({ preset: 'barabasi-albert', m: 0 }, 16)).toThrow('circuit.mediatorPrior.m must be an integer in [1, n-1] (n = 16), got 0');
    expect(bad({ preset: 'barabasi-albert', m: 16 }, 16)).toThrow(/mediatorPrior\.m must be an integer in \[1, n-1\]/);
    expect(bad({ preset: 'barabasi-albert', m: 1.5 }, 16)).toThrow(/mediatorPrior\.m .*got 1\.5/);
    expect(bad({ preset: 'erdos-renyi', p: 1.5 }, 16)).toThrow(/mediatorPrior\.p must be a probability in \[0, 1\]/);
    expect(bad({ preset: 'erdos-renyi', p: Number.NaN }, 16)).toThrow(/mediatorPrior\.p/);
    expect(bad({ preset: 'planted-partition', numClusters: 5 }, 16)).toThrow(
      /mediatorPrior\.numClusters must be a positive divisor of n \(n = 16\), got 5/,
    );
    expect(bad({ preset: 'planted-partition' }, 12)).toThrow(/numClusters .*got 8/); // default 8 must divide n
    expect(bad({ preset: 'planted-partition', pIn: -0.1 }, 16)).toThrow(/mediatorPrior\.pIn must be a probability/);
    expect(bad({ preset: 'planted-partition', pOut: 2 }, 16)).toThrow(/mediatorPrior\.pOut must be a probability/);
    expect(bad({ preset: 'ring-of-cliques', numCliques: 3 }, 16)).toThrow(/mediatorPrior\.numCliques must be a divisor/);
    expect(bad({ preset: 'ring-of-cliques', numCliques: 1 }, 16)).toThrow(/mediatorPrior\.numCliques must be an integer ≥ 2/);
    expect(bad({ preset: 'ring-of-cliques', numCliques: 16 }, 16)).toThrow(/numCliques ≥ 2/); // cliques of one node
    expect(bad({ preset: 'watts-strogatz', k: 16 }, 16)).toThrow(/mediatorPrior\.k must be an integer in \[2, n-1\]/);
    expect(bad({ preset: 'watts-strogatz', rewire: 1.2 }, 16)).toThrow(/mediatorPrior\.rewire must be a probability/);
    expect(bad({ preset: 'scale-free' as never }, 16)).toThrow(/mediatorPrior\.preset must be one of barabasi-albert, .*got scale-free/);
    expect(bad({ preset: 'none' }, 0)).toThrow(/circuit\.mediatorPrior/);
  });

  it('is applied by sampleGraph', () => {
    expect(() => sampleGraph({ preset: 'barabasi-albert', m: 0 }, 8, new Rng(1))).toThrow(/graphPrior\.m/);
  });
});
