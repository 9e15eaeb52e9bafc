// Graph statistics and Louvain communities on hand-made graphs: density, degrees, strength,
// modularity (two disconnected equal cliques: exactly 0.5), planted cliques found, `possible` masks.
import { describe, expect, it } from 'vitest';
import { graphFromMatrix, graphStatistics, modularity, degrees, type WeightedGraph } from '../../src/inspect/weighted-graph.js';
import { detectCommunities } from '../../src/inspect/communities.js';

/** Adjacency of cliques of the given sizes (node ids consecutive), plus extra edges. */
function cliques(sizes: number[], extra: Array<[number, number, number]> = []): WeightedGraph {
  const n = sizes.reduce((a, b) => a + b, 0);
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let start = 0;
  for (const s of sizes) {
    for (let u = start; u < start + s; u++) for (let v = start; v < start + s; v++) if (u !== v) m[u]![v] = 1;
    start += s;
  }
  for (const [u, v, w] of extra) {
    m[u]![v] = w;
    m[v]![u] = w;
  }
  return graphFromMatrix(m);
}

describe('graphStatistics', () => {
  it('counts edges, density, weighted density and degrees of a weighted path', () => {
    // Path 0 –(0.5)– 1 –(1)– 2, plus isolated node 3: 6 possible pairs, 2 edges.
    const g = graphFromMatrix([
      [0, 0.5, 0, 0],
      [0.5, 0, 1, 0],
      [0, 1, 0, 0],
      [0, 0, 0, 0],
    ]);
    const s = graphStatistics(g);
    expect(s.nodes).toBe(4);
    expect(s.possiblePairs).toBe(6);
    expect(s.edges).toBe(2);
    expect(s.density).toBeCloseTo(2 / 6, 12);
    expect(s.weightedDensity).toBeCloseTo(1.5 / 6, 12);
    expect(degrees(g)).toEqual([1, 2, 1, 0]);
    expect(s.meanDegree).toBe(1);
    expect(s.minDegree).toBe(0);
    expect(s.maxDegree).toBe(2);
    expect(s.degreeHistogram).toEqual([1, 2, 1]);
    expect(s.degreeStd).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.meanStrength).toBeCloseTo((0.5 + 1.5 + 1 + 0) / 4, 12);
  });

  it('restricts density to possible pairs and members to nodes that have one', () => {
    // Bipartite possibility {0,1} × {2}; node 3 cannot connect. Only edge 0–2.
    const g = graphFromMatrix([
      [0, 0, 1, 0],
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    const possible = new Uint8Array(16);
    for (const [u, v] of [
      [0, 2],
      [1, 2],
    ]) {
      possible[u! * 4 + v!] = 1;
      possible[v! * 4 + u!] = 1;
    }
    const s = graphStatistics({ ...g, possible });
    expect(s.nodes).toBe(3);
    expect(s.possiblePairs).toBe(2);
    expect(s.edges).toBe(1);
    expect(s.density).toBe(0.5);
    expect(s.degreeHistogram).toEqual([1, 2]);
  });

  it('rejects asymmetric or negative matrices', () => {
    expect(() =>
      graphFromMatrix([
        [0, 1],
        [0, 0],
      ]),
    ).toThrow(/not symmetric/);
    expect(() =>
      graphFromMatrix([
        [0, -1],
        [-1, 0],
      ]),
    ).toThrow(/≥ 0/);
  });
});

describe('modularity', () => {
  it('is exactly 0.5 for two disconnected equal cliques split into the two', () => {
    const g = cliques([5, 5]);
    expect(modularity(g, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])).toBe(0.5);
    // Everything in one community: Q = 1 − 1 = 0.
    expect(modularity(g, new Array(10).fill(0))).toBe(0);
  });

  it('matches a hand computation on a triangle with a pendant node', () => {
    // Edges 0-1, 1-2, 0-2, 2-3 (m = 4). Partition {0,1,2}, {3}: Q = 3/4 − (7/8)² + 0 − (1/8)².
    const g = cliques([3, 1], [[2, 3, 1]]);
    expect(modularity(g, [0, 0, 0, 1])).toBeCloseTo(3 / 4 - (7 / 8) ** 2 - (1 / 8) ** 2, 12);
  });
});

describe('detectCommunities (Louvain)', () => {
  it('finds two planted cliques joined by a weak bridge', () => {
    const g = cliques([6, 6], [[5, 6, 0.2]]);
    const labels = Array.from(detectCommunities(g));
    expect(labels).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(modularity(g, labels)).toBeGreaterThan(0.45);
  });

  it('separates two disconnected cliques and leaves an isolated node alone', () => {
    const g = cliques([4, 4, 1]);
    expect(Array.from(detectCommunities(g))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2]);
  });

  it('finds four planted cliques in a ring (merging across levels)', () => {
    const bridges: Array<[number, number, number]> = [
      [4, 5, 1],
      [9, 10, 1],
      [14, 15, 1],
      [19, 0, 1],
    ];
    const labels = Array.from(detectCommunities(cliques([5, 5, 5, 5], bridges)));
    const groups = [0, 1, 2, 3].map((c) => labels.slice(5 * c, 5 * c + 5));
    for (const grp of groups) expect(new Set(grp).size).toBe(1);
    expect(new Set(groups.map((grp) => grp[0])).size).toBe(4);
  });
});

describe('heat-map colours', () => {
  it('maps the diverging scale to blue, white and red, and the sequential one to viridis ends', async () => {
    const { diverging, viridis } = await import('../../src/inspect/svg-util.js');
    expect([diverging(0), diverging(0.5), diverging(1)]).toEqual(['#2166ac', '#ffffff', '#b2182b']);
    expect([viridis(0), viridis(1)]).toEqual(['#440154', '#fde725']);
  });
});
