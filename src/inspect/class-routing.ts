/**
 * Class routing: which modules each class routes through. For every kernel layer, the attention
 * (head-averaged, from {@link recordAttention}) is averaged over the layer's receivers, giving per
 * example a distribution over the senders ("attention mass per sender module"); averaging those per
 * class gives a [classes × senders] matrix whose rows are distributions.
 */
import * as tf from '@tensorflow/tfjs';
import type { NAC } from '../model/nac.js';
import type { Dataset } from '../data/dataset.js';
import { recordAttention } from '../nn/attention-probe.js';
import { batchTensor } from '../train/evaluate.js';
import { Rng } from '../util/rng.js';
import type { CircuitGraph, CircuitNode } from './circuit-graph.js';

/** One layer's routing: mean attention mass per sender, per class. */
export interface LayerRouting {
  name: string;
  /** Sender node ids (columns). */
  senders: number[];
  /** perClass[c][s]: mean over class-c examples of the attention mass on sender s (rows sum to 1; zeros for an absent class). */
  perClass: number[][];
}

/** Class routing of a model on a set of examples. */
export interface ClassRouting {
  classNames: string[];
  /** Examples per class. */
  counts: number[];
  examples: number;
  /** Top-1 accuracy of the model on these examples. */
  top1: number;
  layers: LayerRouting[];
}

/** The per-example routing behind a {@link ClassRouting}, for permutation tests. */
export interface RoutingSamples {
  labels: Int32Array;
  /** Per layer: row-major [examples × senders]. */
  perExample: Float64Array[];
}

/** A seeded random subset of `limit` examples in their original order (all when limit ≤ 0 or ≥ size). */
export function routingSubset(data: Dataset, limit: number, seed: number): Dataset {
  if (limit <= 0 || limit >= data.size) return data;
  const order = new Rng(seed).shuffle(Array.from({ length: data.size }, (_, i) => i));
  return data.subset(Int32Array.from(order.slice(0, limit)).sort(), data.name);
}

/** Per-class means of per-example rows [N × S] → [C][S] (a zero row for a class without examples). */
export function classMeans(perExample: Float64Array, senders: number, labels: ArrayLike<number>, numClasses: number): number[][] {
  const sums = Array.from({ length: numClasses }, () => new Array<number>(senders).fill(0));
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] as number;
    counts[c]! += 1;
    const row = sums[c]!;
    for (let s = 0; s < senders; s++) row[s]! += perExample[i * senders + s] as number;
  }
  return sums.map((row, c) => row.map((v) => (counts[c] ? v / (counts[c] as number) : 0)));
}

/**
 * Runs the model (eval mode, its previous mode restored) over `data` with the attention probe and
 * returns the class routing of every kernel layer of `graph` (propagator layers, then the read-out).
 */
export function classRouting(
  model: NAC,
  data: Dataset,
  graph: CircuitGraph,
  options: { batchSize?: number } = {},
): { routing: ClassRouting; samples: RoutingSamples } {
  const batchSize = options.batchSize ?? 128;
  const numClasses = data.classNames.length;
  const N = data.size;
  if (N === 0) throw new Error(`classRouting: ${data.name} has no examples`);
  const perExample = graph.layers.map((l) => new Float64Array(N * l.senders.length));
  const labels = Int32Array.from(data.labels);
  let correct = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < N; start += batchSize) {
      const n = Math.min(batchSize, N - start);
      const batch = data.getBatch(Int32Array.from({ length: n }, (_, i) => start + i));
      const x = batchTensor(batch);
      const { result, attention } = recordAttention(() => model.forward(x));
      try {
        if (attention.length !== graph.layers.length)
          throw new Error(`classRouting: recorded ${attention.length} attention layers, the circuit has ${graph.layers.length}`);
        const pred = result.argMax(-1).dataSync();
        for (let b = 0; b < n; b++) if (pred[b] === batch.y[b]) correct++;
        attention.forEach((a, li) => {
          const S = graph.layers[li]!.senders.length;
          if (a.shape[2] !== S) throw new Error(`classRouting: layer ${graph.layers[li]!.name} has ${a.shape[2]} senders, expected ${S}`);
          const mass = tf.tidy(() => a.mean(1).dataSync()); // [n, S]: mean over receivers
          perExample[li]!.set(mass, start * S);
        });
      } finally {
        tf.dispose([x, result, ...attention]);
      }
    }
  } finally {
    model.train(wasTraining);
  }
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labels) counts[y]! += 1;
  const layers = graph.layers.map((l, li): LayerRouting => ({
    name: l.name,
    senders: l.senders,
    perClass: classMeans(perExample[li]!, l.senders.length, labels, numClasses),
  }));
  return {
    routing: { classNames: [...data.classNames], counts, examples: N, top1: correct / N, layers },
    samples: { labels, perExample },
  };
}

/**
 * Share of each layer's attention mass (over all examples) that goes to each sender group, e.g.
 * { readIn: 0.9, propagator: 0.1 }: how much a layer reads the inputs directly.
 */
export function groupShares(
  routing: ClassRouting,
  nodes: readonly CircuitNode[],
): Array<{ layer: string; shares: Record<string, number> }> {
  return routing.layers.map((l) => {
    const shares: Record<string, number> = {};
    l.senders.forEach((id, s) => {
      const group = nodes[id]!.group;
      const mass = l.perClass.reduce((a, row, c) => a + (row[s] as number) * (routing.counts[c] as number), 0) / routing.examples;
      shares[group] = (shares[group] ?? 0) + mass;
    });
    return { layer: l.name, shares };
  });
}
