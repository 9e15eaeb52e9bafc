// Class routing: rows are distributions, per-class averages match a direct per-class computation,
// and the Jensen–Shannon / permutation / Mantel statistics match constructed cases.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { extractCircuitGraph } from '../../src/inspect/circuit-graph.js';
import { classMeans, classRouting, groupShares } from '../../src/inspect/class-routing.js';
import { classSpecificity, jensenShannonDistance, mantelTest, meanPairwiseDistance } from '../../src/inspect/routing-stats.js';
import { recordAttention } from '../../src/nn/attention-probe.js';
import { batchTensor } from '../../src/train/evaluate.js';
import { quadrantDataset, tinyNAC } from './helpers.js';

describe('classRouting', () => {
  it('gives distributions over senders that average the examples of each class', () => {
    const model = tinyNAC();
    const data = quadrantDataset(14, 1);
    const graph = extractCircuitGraph(model);
    const { routing, samples } = classRouting(model, data, graph, { batchSize: 5 });
    expect(routing.layers.map((l) => l.name)).toEqual(['propagator.0', 'propagator.1', 'readOut']);
    expect(routing.counts.reduce((a, b) => a + b, 0)).toBe(14);
    expect(samples.perExample[0]!.length).toBe(14 * 12);
    for (const layer of routing.layers) {
      expect(layer.senders).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]); // read-in then propagators
      layer.perClass.forEach((row, c) => {
        if (!routing.counts[c]) return;
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        for (const v of row) expect(v).toBeGreaterThanOrEqual(0);
      });
    }
    // Direct check: run each class's examples alone and average attention over receivers, then examples.
    for (let c = 0; c < 4; c++) {
      const idx = Array.from(data.labels.keys()).filter((i) => data.labels[i] === c);
      if (idx.length === 0) continue;
      const x = batchTensor(data.getBatch(idx));
      const { result, attention } = recordAttention(() => model.forward(x));
      attention.forEach((a, li) => {
        const expected = tf.tidy(() => Array.from(a.mean(1).mean(0).dataSync()));
        const got = routing.layers[li]!.perClass[c]!;
        expected.forEach((v, s) => expect(got[s]).toBeCloseTo(v, 5));
      });
      tf.dispose([x, result, ...attention]);
    }
    // Group shares: the mean over all examples of the mass on read-in columns (0…3), and they sum to 1.
    const shares = groupShares(routing, graph.nodes);
    shares.forEach(({ shares: sh }, li) => {
      const rows = samples.perExample[li]!;
      let readIn = 0;
      for (let i = 0; i < 14; i++) for (let s = 0; s < 4; s++) readIn += rows[i * 12 + s]! / 14;
      expect(sh.readIn).toBeCloseTo(readIn, 10);
      expect(sh.readIn! + sh.propagator!).toBeCloseTo(1, 5);
    });
    model.dispose();
  });

  it('classMeans averages rows per class and leaves absent classes at zero', () => {
    const rows = Float64Array.from([1, 0, 0, 1, 0.5, 0.5]);
    expect(classMeans(rows, 2, [0, 0, 1], 3)).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
      [0, 0],
    ]);
  });
});

describe('routing statistics', () => {
  it('Jensen–Shannon distance: 0 for equal, 1 for disjoint, and a hand-computed middle case', () => {
    expect(jensenShannonDistance([0.2, 0.8], [0.2, 0.8])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    // m = (0.75, 0.25): JSD = ½·log2(4/3) + ½·(½·log2(2/3) + ½·log2(2)).
    const jsd = 0.5 * Math.log2(4 / 3) + 0.5 * (0.5 * Math.log2(2 / 3) + 0.5);
    expect(jensenShannonDistance([1, 0], [0.5, 0.5])).toBeCloseTo(Math.sqrt(jsd), 12);
    expect(
      meanPairwiseDistance(
        [
          [1, 0],
          [0, 1],
          [1, 0],
        ],
        [1, 1, 1],
      ),
    ).toBeCloseTo(2 / 3, 12);
    expect(
      meanPairwiseDistance(
        [
          [1, 0],
          [0, 1],
          [1, 0],
        ],
        [1, 1, 0],
      ),
    ).toBeCloseTo(1, 12);
  });

  it('class specificity: separated classes beat the permutation control, identical ones do not', () => {
    const n = 40;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const separated = new Float64Array(2 * n);
    labels.forEach((y, i) => (separated[2 * i + y] = 1));
    const t = classSpecificity(separated, 2, labels, 2, { permutations: 50, seed: 1 });
    expect(t.observed).toBeCloseTo(1, 12);
    expect(t.controlMean).toBeLessThan(0.6);
    expect(t.pValue).toBeCloseTo(1 / 51, 12);
    const same = new Float64Array(2 * n).fill(0.5);
    const u = classSpecificity(same, 2, labels, 2, { permutations: 50, seed: 1 });
    expect(u.observed).toBe(0);
    expect(u.pValue).toBe(1);
    // Seeded: the same seed gives the same control.
    expect(classSpecificity(separated, 2, labels, 2, { permutations: 50, seed: 1 })).toEqual(t);
  });

  it('Mantel test: r = 1 against itself, and class relabelling breaks the match', () => {
    const pts = [0, 1, 3, 7, 15];
    const a = pts.map((p) => pts.map((q) => Math.abs(p - q)));
    const self = mantelTest(a, a, { permutations: 119, seed: 2 });
    expect(self.r).toBeCloseTo(1, 12);
    expect(self.pValue).toBeLessThan(0.05);
    const order = [4, 2, 0, 3, 1];
    const shuffled = order.map((i) => order.map((j) => a[i]![j]!));
    expect(mantelTest(a, shuffled, { permutations: 119, seed: 2 }).r).toBeLessThan(0.9);
    expect(() => mantelTest(a, [[0]])).toThrow(/size/);
  });
});
