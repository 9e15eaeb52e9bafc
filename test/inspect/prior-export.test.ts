// The learned graph matches the kernel formula, the prior comparison reports zero drift for an
// untrained model rebuilt with the same seed (and non-zero drift otherwise), and circuit.json round-trips.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nacPreset } from '../../src/config/presets.js';
import { extractCircuitGraph, toWeightedGraph } from '../../src/inspect/circuit-graph.js';
import { comparePrior, initialCircuitGraph } from '../../src/inspect/prior-drift.js';
import { inspectCircuit } from '../../src/inspect/report.js';
import { circuitReportToJSON, parseCircuitReport } from '../../src/inspect/export.js';
import { readCircuitReport, writeCircuitReport } from '../../src/inspect/report-file.js';
import { circuitFigureSVG, routingFigureSVG } from '../../src/inspect/figures.js';
import { quadrantDataset, tinyNAC } from './helpers.js';

function cosDist(a: number[], b: number[]): number {
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  return 1 - dot / (Math.hypot(...a) * Math.hypot(...b));
}

describe('extractCircuitGraph', () => {
  it('holds K = exp(−d/ε) within τ and 0 beyond, per layer, with the right participants', () => {
    const model = tinyNAC();
    const g = extractCircuitGraph(model);
    expect(g.nodes.map((n) => n.label).slice(0, 5)).toEqual(['in0', 'in1', 'in2', 'in3', 'p0']);
    expect(g.nodes.length).toBe(14);
    const layer = g.layers[0]!;
    expect(layer.receivers).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    const sig = [...g.signatures.readIn, ...g.signatures.propagator];
    let cut = 0;
    layer.receivers.forEach((r, i) =>
      layer.senders.forEach((s, j) => {
        const d = cosDist(sig[r]!, sig[s]!);
        const expected = d <= 0.9 ? Math.exp(-d / layer.bandwidth) : 0;
        if (d > 0.9 + 1e-5) cut++;
        if (Math.abs(d - 0.9) > 1e-5) expect(layer.weights[i]![j]).toBeCloseTo(expected, 5);
      }),
    );
    expect(cut).toBeGreaterThan(0);
    expect(g.layers[2]!.truncation).toBeNull(); // the read-out kernel is untruncated by default
    // Union: read-out pairs come from the read-out layer only.
    const u = toWeightedGraph(g, 'union');
    expect(u.weights[12 * 14 + 0]).toBeCloseTo(g.layers[2]!.weights[0]![0]!, 12);
    expect(() => toWeightedGraph(g, 'nope')).toThrow(/allowed: propagator.0, propagator.1, readOut, union/);
    model.dispose();
  });
});

describe('comparePrior', () => {
  it('reports zero drift for an untrained model rebuilt with the same seed, and drift otherwise', () => {
    const model = tinyNAC(3);
    const learned = extractCircuitGraph(model);
    const drift = comparePrior(initialCircuitGraph(nacPreset('cpu-tiny'), 3), learned, 3);
    for (const l of drift.layers) {
      expect(l.edgeJaccard).toBe(1);
      expect(l.meanAbsDeltaK).toBe(0);
      expect(l.bandwidthLearned).toBe(l.bandwidthInit);
    }
    for (const s of drift.signatures) expect(s.max).toBeCloseTo(0, 12);
    // Move one propagator signature to another's direction: drift appears.
    const sig = model.circuit.latents.propagator.signatures;
    const moved = tf.tidy(() => tf.concat([sig.slice([1, 0], [1, -1]), sig.slice([1, 0], [-1, -1])], 0));
    sig.assign(moved);
    moved.dispose();
    const after = comparePrior(initialCircuitGraph(nacPreset('cpu-tiny'), 3), extractCircuitGraph(model), 3);
    expect(after.signatures.find((s) => s.group === 'propagator')!.max).toBeGreaterThan(0.01);
    expect(after.layers[0]!.meanAbsDeltaK).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('circuit.json', () => {
  it('round-trips a full report, and rejects a wrong format tag', () => {
    const model = tinyNAC(5);
    const { report } = inspectCircuit(model, 'tiny', { data: quadrantDataset(12), initSeed: 5, permutations: 10 });
    expect(report.statistics.map((s) => s.name)).toEqual(['propagator.0', 'propagator.1', 'readOut', 'union']);
    expect(report.specificity).toHaveLength(3);
    expect(report.prior!.layers[0]!.edgeJaccard).toBe(1);
    const back = parseCircuitReport(circuitReportToJSON(report));
    expect(back).toEqual(report);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'circuit-'));
    writeCircuitReport(path.join(dir, 'circuit.json'), report);
    expect(readCircuitReport(path.join(dir, 'circuit.json'))).toEqual(report);
    fs.rmSync(dir, { recursive: true });
    expect(() => parseCircuitReport(JSON.stringify({ ...report, format: 'other@1' }))).toThrow(/format is "other@1"/);
    // The figures draw every node, and one heat-map cell per class × sender per layer.
    const svg = circuitFigureSVG(report);
    expect(svg.match(/<circle /g)!.length + svg.match(/<rect x/g)!.length + svg.match(/<polygon /g)!.length).toBe(14 + 3);
    const heat = routingFigureSVG(report);
    expect(heat.match(/<title>/g)!.length).toBe(2 * 3 * 4 * 12); // mass and log-ratio panels per layer
    model.dispose();
  });
});
