/**
 * How far a learned circuit moved from its prior. The prior graph is not saved with a model, but
 * building the same config with the same seed reproduces the initial signatures and bandwidths, so we
 * rebuild the initial model, extract its graph and compare per layer (edge Jaccard of {K > 0}, mean
 * |ΔK| over receiver–sender pairs, bandwidths) and per group (cosine drift of each signature).
 */
import { NAC } from '../model/nac.js';
import type { NACConfig } from '../config/nac-config.js';
import { extractCircuitGraph, layerToWeightedGraph, MODULE_GROUPS, type CircuitGraph, type ModuleGroup } from './circuit-graph.js';

/** Drift of one kernel layer. */
export interface LayerDrift {
  name: string;
  edgesInit: number;
  edgesLearned: number;
  /** |E_init ∩ E_learned| / |E_init ∪ E_learned| over unordered receiver–sender pairs r ≠ s (1 when both are empty). */
  edgeJaccard: number;
  /** Mean |K_learned − K_init| over unordered receiver–sender pairs r ≠ s. */
  meanAbsDeltaK: number;
  bandwidthInit: number;
  bandwidthLearned: number;
}

/** Cosine drift 1 − cos(s_init, s_learned) of a group's signatures. */
export interface SignatureDrift {
  group: ModuleGroup;
  mean: number;
  max: number;
}

/** The whole comparison. */
export interface PriorDrift {
  initSeed: number;
  layers: LayerDrift[];
  signatures: SignatureDrift[];
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    const y = b[i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  });
  return ab / Math.max(Math.sqrt(aa) * Math.sqrt(bb), 1e-12);
}

/** Compares an initial graph with a learned one of the same architecture; throws when they do not match. */
export function comparePrior(init: CircuitGraph, learned: CircuitGraph, initSeed: number): PriorDrift {
  if (init.layers.length !== learned.layers.length || init.nodes.length !== learned.nodes.length)
    throw new Error('comparePrior: the initial and learned circuits have different shapes');
  const layers = learned.layers.map((L, li): LayerDrift => {
    const I = init.layers[li]!;
    if (I.name !== L.name || I.receivers.join() !== L.receivers.join() || I.senders.join() !== L.senders.join())
      throw new Error(`comparePrior: layer ${L.name} differs in shape from the initial circuit`);
    // Compare as undirected graphs, so each pair counts once (as in the graph statistics).
    const a = layerToWeightedGraph(init, I);
    const b = layerToWeightedGraph(learned, L);
    const n = a.n;
    let both = 0;
    let either = 0;
    let ei = 0;
    let el = 0;
    let delta = 0;
    let pairs = 0;
    for (let u = 0; u < n; u++) {
      for (let v = u + 1; v < n; v++) {
        if (!b.possible![u * n + v]) continue;
        const wa = a.weights[u * n + v] as number;
        const wb = b.weights[u * n + v] as number;
        pairs++;
        delta += Math.abs(wb - wa);
        if (wa > 0) ei++;
        if (wb > 0) el++;
        if (wa > 0 && wb > 0) both++;
        if (wa > 0 || wb > 0) either++;
      }
    }
    return {
      name: L.name,
      edgesInit: ei,
      edgesLearned: el,
      edgeJaccard: either ? both / either : 1,
      meanAbsDeltaK: pairs ? delta / pairs : 0,
      bandwidthInit: I.bandwidth,
      bandwidthLearned: L.bandwidth,
    };
  });
  const signatures = MODULE_GROUPS.map((group): SignatureDrift => {
    const drift = learned.signatures[group].map((s, u) => 1 - cosine(init.signatures[group][u] as number[], s));
    return { group, mean: drift.length ? drift.reduce((a, b) => a + b, 0) / drift.length : 0, max: drift.length ? Math.max(...drift) : 0 };
  });
  return { initSeed, layers, signatures };
}

/** The initial circuit graph of `config` built with `seed` (fits the signatures to their prior, as training did). */
export function initialCircuitGraph(config: NACConfig, seed: number): CircuitGraph {
  const model = new NAC(config, { seed });
  try {
    return extractCircuitGraph(model.eval());
  } finally {
    model.dispose();
  }
}
