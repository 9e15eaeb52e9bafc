/**
 * One inspection of a trained NAC: its learned graph, the statistics of every layer's graph and of
 * their union (density, degrees, Louvain communities and their modularity), class routing on a data
 * set with its label-permutation control, and optionally the drift from the prior (the initial
 * circuit rebuilt from the config and seed). The result is what `circuit.json` holds.
 */
import type { NAC } from '../model/nac.js';
import type { Dataset } from '../data/dataset.js';
import { extractCircuitGraph, graphNames, toWeightedGraph, type CircuitGraph } from './circuit-graph.js';
import { graphStatistics, modularity, type GraphStatistics } from './weighted-graph.js';
import { detectCommunities } from './communities.js';
import { classRouting, type ClassRouting, type RoutingSamples } from './class-routing.js';
import { classSpecificity, type SpecificityTest } from './routing-stats.js';
import { comparePrior, initialCircuitGraph, type PriorDrift } from './prior-drift.js';

/** Format tag of circuit.json. */
export const CIRCUIT_FORMAT = 'neural-attentive-circuits/circuit@1';

/** Statistics of one graph (a layer's, or 'union') with its communities. */
export interface GraphSummary extends GraphStatistics {
  name: string;
  /** Number of Louvain communities among member nodes. */
  communities: number;
  /** Modularity of the Louvain partition on the kernel weights. */
  modularity: number;
  /** Community label per node (all nodes; non-members are singletons). */
  labels: number[];
}

/** Everything an inspection found (the content of circuit.json). */
export interface CircuitReport {
  format: typeof CIRCUIT_FORMAT;
  /** The model folder as given. */
  model: string;
  graph: CircuitGraph;
  statistics: GraphSummary[];
  /** Class routing (null when no data were given). */
  routing: ClassRouting | null;
  /** Label-permutation control per layer (null without routing). */
  specificity: Array<SpecificityTest & { layer: string }> | null;
  /** Drift from the prior (null when no initial seed was known). */
  prior: PriorDrift | null;
}

/** Options of {@link inspectCircuit}. */
export interface InspectOptions {
  /** Examples for class routing (already cut to the wanted subset); none: no routing. */
  data?: Dataset;
  /** Seed the model was built with before training: compare with the prior. */
  initSeed?: number | null;
  /** Label permutations of the specificity control (default 200) and their seed (default 0). */
  permutations?: number;
  seed?: number;
  batchSize?: number;
}

/** Statistics and communities of every layer's graph and of the union. */
export function summarizeGraphs(graph: CircuitGraph): GraphSummary[] {
  return graphNames(graph).map((name) => {
    const g = toWeightedGraph(graph, name);
    const labels = detectCommunities(g);
    const stats = graphStatistics(g);
    const members = new Set<number>();
    for (let u = 0; u < g.n; u++) for (let v = 0; v < g.n; v++) if (u !== v && g.possible?.[u * g.n + v]) members.add(labels[u] as number);
    return { name, ...stats, communities: members.size, modularity: modularity(g, labels), labels: Array.from(labels) };
  });
}

/** Inspects a NAC (see {@link CircuitReport}); returns the report and the per-example routing behind it. */
export function inspectCircuit(
  model: NAC,
  modelDir: string,
  options: InspectOptions = {},
): { report: CircuitReport; samples: RoutingSamples | null } {
  const graph = extractCircuitGraph(model);
  const statistics = summarizeGraphs(graph);
  let routing: ClassRouting | null = null;
  let samples: RoutingSamples | null = null;
  let specificity: CircuitReport['specificity'] = null;
  if (options.data) {
    ({ routing, samples } = classRouting(model, options.data, graph, { batchSize: options.batchSize }));
    const s = samples;
    specificity = graph.layers.map((l, li) => ({
      layer: l.name,
      ...classSpecificity(s.perExample[li]!, l.senders.length, s.labels, routing!.classNames.length, {
        permutations: options.permutations ?? 200,
        seed: (options.seed ?? 0) + li,
      }),
    }));
  }
  const seed = options.initSeed;
  const prior = seed === undefined || seed === null ? null : comparePrior(initialCircuitGraph(model.config, seed), graph, seed);
  return { report: { format: CIRCUIT_FORMAT, model: modelDir, graph, statistics, routing, specificity, prior }, samples };
}
