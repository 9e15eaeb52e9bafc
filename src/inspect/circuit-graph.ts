/**
 * The learned module graph of a NAC (eval mode): the expected signature kernel K_uv of every kernel
 * layer, computed with that layer's own bandwidth ε and truncation τ. Nodes are all modules (read-in,
 * propagators, read-out); each propagator layer connects propagator receivers to its senders
 * (read-in ∪ propagators, or propagators only after layer 0 without `persistentReadIn`), and the
 * read-out connects read-out receivers to read-in ∪ propagators. Also turns a layer, or the union of
 * all layers, into an undirected {@link WeightedGraph}.
 */
import * as tf from '@tensorflow/tfjs';
import type { NAC } from '../model/nac.js';
import type { KernelAttentionLayer } from '../circuits/propagator.js';
import type { WeightedGraph } from './weighted-graph.js';

/** The three module groups. */
export const MODULE_GROUPS = ['readIn', 'propagator', 'readOut'] as const;
export type ModuleGroup = (typeof MODULE_GROUPS)[number];

/** One module: its node id (read-in first, then propagators, then read-out), group and index within the group. */
export interface CircuitNode {
  id: number;
  group: ModuleGroup;
  index: number;
  /** Short label: in<i>, p<i>, out<i>. */
  label: string;
}

/** One kernel layer's weights: receivers × senders, by node id. */
export interface KernelLayerGraph {
  /** 'propagator.<l>' or 'readOut'. */
  name: string;
  bandwidth: number;
  truncation: number | null;
  receivers: number[];
  senders: number[];
  /** weights[r][s] = K between receivers[r] and senders[s]. */
  weights: number[][];
}

/** The whole learned graph: nodes, each kernel layer, and the signatures it came from. */
export interface CircuitGraph {
  nodes: CircuitNode[];
  layers: KernelLayerGraph[];
  /** Signatures [U, d_sig] per group (as the model holds them; only their direction matters). */
  signatures: Record<ModuleGroup, number[][]>;
}

const PREFIX: Record<ModuleGroup, string> = { readIn: 'in', propagator: 'p', readOut: 'out' };

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

function layerGraph(
  name: string,
  layer: KernelAttentionLayer,
  receivers: { ids: number[]; sig: tf.Tensor },
  senders: { ids: number[]; sig: tf.Tensor },
): KernelLayerGraph {
  const k = layer.kernel.kernel(receivers.sig, senders.sig);
  const weights = k.arraySync() as number[][];
  k.dispose();
  return {
    name,
    bandwidth: layer.kernel.bandwidth.dataSync()[0] as number,
    truncation: layer.kernel.cfg.truncation,
    receivers: receivers.ids,
    senders: senders.ids,
    weights,
  };
}

/** Extracts the learned module graph of a NAC (its current parameters; no forward pass). */
export function extractCircuitGraph(model: NAC): CircuitGraph {
  const c = model.circuit;
  const { readIn: gi, propagator: gm, readOut: go } = c.latents;
  const [ni, nm, no] = [gi.count, gm.count, go.count];
  const nodes: CircuitNode[] = [];
  (
    [
      ['readIn', ni],
      ['propagator', nm],
      ['readOut', no],
    ] as const
  ).forEach(([group, count]) => {
    for (let index = 0; index < count; index++) nodes.push({ id: nodes.length, group, index, label: `${PREFIX[group]}${index}` });
  });
  const inIds = range(0, ni);
  const medIds = range(ni, nm);
  const outIds = range(ni + nm, no);
  const both = tf.concat([gi.signatures, gm.signatures], 0);
  try {
    const layers = c.propagators.map((layer, l) => {
      const withInputs = l === 0 || c.cfg.persistentReadIn;
      const senders = withInputs ? { ids: [...inIds, ...medIds], sig: both } : { ids: medIds, sig: gm.signatures as tf.Tensor };
      return layerGraph(`propagator.${l}`, layer, { ids: medIds, sig: gm.signatures }, senders);
    });
    layers.push(layerGraph('readOut', c.readOut, { ids: outIds, sig: go.signatures }, { ids: [...inIds, ...medIds], sig: both }));
    return {
      nodes,
      layers,
      signatures: {
        readIn: gi.signatures.arraySync() as number[][],
        propagator: gm.signatures.arraySync() as number[][],
        readOut: go.signatures.arraySync() as number[][],
      },
    };
  } finally {
    both.dispose();
  }
}

/** Names of the graphs {@link toWeightedGraph} accepts: each layer's name, and 'union'. */
export function graphNames(g: CircuitGraph): string[] {
  return [...g.layers.map((l) => l.name), 'union'];
}

/**
 * One kernel layer as an undirected graph on all nodes: pair {r, s} (r ≠ s) carries K_rs; only
 * receiver–sender pairs are possible. Within the propagators K is symmetric, so either order agrees.
 */
export function layerToWeightedGraph(g: CircuitGraph, layer: KernelLayerGraph): WeightedGraph {
  const n = g.nodes.length;
  const weights = new Float64Array(n * n);
  const possible = new Uint8Array(n * n);
  layer.receivers.forEach((r, i) => {
    layer.senders.forEach((s, j) => {
      if (r === s) return;
      const w = layer.weights[i]![j] as number;
      weights[r * n + s] = w;
      weights[s * n + r] = w;
      possible[r * n + s] = 1;
      possible[s * n + r] = 1;
    });
  });
  return { n, weights, possible };
}

/**
 * A layer's graph by name, or 'union': every pair that some layer connects, weighted by its mean K
 * over the layers where it is possible.
 */
export function toWeightedGraph(g: CircuitGraph, name: string): WeightedGraph {
  if (name !== 'union') {
    const layer = g.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`unknown circuit graph '${name}'; allowed: ${graphNames(g).join(', ')}`);
    return layerToWeightedGraph(g, layer);
  }
  const n = g.nodes.length;
  const sum = new Float64Array(n * n);
  const count = new Uint16Array(n * n);
  for (const layer of g.layers) {
    const lg = layerToWeightedGraph(g, layer);
    for (let i = 0; i < n * n; i++) {
      if (lg.possible![i]) {
        sum[i]! += lg.weights[i] as number;
        count[i]! += 1;
      }
    }
  }
  const possible = new Uint8Array(n * n);
  for (let i = 0; i < n * n; i++) {
    if (count[i]) {
      sum[i] = (sum[i] as number) / (count[i] as number);
      possible[i] = 1;
    }
  }
  return { n, weights: sum, possible };
}
