// Graph regularisers (spec §1.4): Hungarian assignment vs brute force, graphon targets, hinge value by hand,
// finite-difference gradients w.r.t. the signatures, and gradient descent on each regulariser alone.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { Rng } from '../../src/util/rng.js';
import { linearSumAssignment } from '../../src/train/hungarian.js';
import {
  graphRegularizerLoss,
  graphonMatchingLoss,
  graphonTarget,
  matchGraphon,
  signatureHingeRepulsion,
  validateGraphRegularizer,
  type GraphRegularizerConfig,
} from '../../src/train/graph-regularizers.js';
import { cosineDistance } from '../../src/circuits/kernel.js';
import { gradCheck } from '../helpers/gradcheck.js';

function bruteForce(cost: number[], rows: number, cols: number): number {
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const go = (i: number, acc: number) => {
    if (i === rows) return void (best = Math.min(best, acc));
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + cost[i * cols + j]!);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

function tinyNAC(truncation: number | null): NAC {
  const cfg = nacPreset('cpu-tiny');
  const model = new NAC({ ...cfg, kernel: { ...cfg.kernel, truncation } }, { seed: 3, skipPriorFit: true });
  // Generic signatures (without the prior fit, the propagators' orthogonal rows are all at distance exactly 1).
  const rng = new Rng(8);
  for (const g of Object.values(model.circuit.latents))
    g.signatures.assign(tf.tensor2d(rng.normalArray(g.signatures.size), g.signatures.shape as [number, number]));
  return model;
}

describe('linearSumAssignment', () => {
  it('finds the optimum of a known case and matches brute force on random n ≤ 6 (square and rectangular)', () => {
    const known = linearSumAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3);
    expect(Array.from(known.assignment)).toEqual([1, 0, 2]);
    expect(known.total).toBe(5);
    const rng = new Rng(5);
    for (let trial = 0; trial < 40; trial++) {
      const rows = 1 + rng.int(6);
      const cols = rows + (trial % 3 === 0 ? rng.int(7 - rows) : 0);
      const cost = Array.from({ length: rows * cols }, () => (trial % 2 ? rng.int(4) : rng.normal()));
      const { assignment, total } = linearSumAssignment(cost, rows, cols);
      expect(new Set(assignment).size).toBe(rows);
      expect(total).toBeCloseTo(bruteForce(cost, rows, cols), 9);
    }
    expect(() => linearSumAssignment([1, 2], 2, 1)).toThrow(/rows ≤ cols/);
  });
});

describe('graphon targets and matching', () => {
  it('planted partition and Barabási–Albert follow the spec formulas', () => {
    const pp = graphonTarget({ target: 'planted-partition', numClusters: 2, pIn: 0.9, pOut: 0.2 }, 4);
    expect(Array.from(pp).map((v) => +v.toFixed(3))).toEqual([
      0.9, 0.9, 0.2, 0.2, 0.9, 0.9, 0.2, 0.2, 0.2, 0.2, 0.9, 0.9, 0.2, 0.2, 0.9, 0.9,
    ]);
    const n = 64;
    const ba = graphonTarget({ target: 'barabasi-albert', m: 2 }, n);
    expect(ba[0]).toBeCloseTo(0.5, 6); // m·√(n/1)·(1/(16m))·1^−½ = 8/16
    expect(graphonTarget({ target: 'barabasi-albert', m: 2 }, 1024)[0]).toBe(1); // 32/16, clipped
    expect(ba[1 * n + 3]).toBeCloseTo(Math.min(1, 2 * Math.sqrt(n / 2) * (1 / 32) * Math.pow(4, -0.5)), 6);
  });

  it('recovers a hidden permutation (loss 0) and the loss is MSE after permuting rows and columns', () => {
    const n = 6;
    const g = Float32Array.from({ length: n * n }, (_, i) => ((Math.floor(i / n) + 1) * ((i % n) + 1)) / 36); // distinct rows
    const perm = [3, 0, 5, 1, 4, 2];
    const p = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) p[i * n + k] = g[perm[i]! * n + perm[k]!]!;
    expect(Array.from(matchGraphon(p, g, n))).toEqual(perm);
    expect(graphonMatchingLoss(tf.tensor2d(p, [n, n]), g).dataSync()[0]).toBeCloseTo(0, 7);
    const shifted = p.map((v) => v + 0.1);
    expect(graphonMatchingLoss(tf.tensor2d(shifted, [n, n]), g).dataSync()[0]).toBeCloseTo(0.01, 6);
  });

  it('validates configs with field names', () => {
    expect(() => validateGraphRegularizer({ type: 'graphon', target: 'nope', weight: 1 } as unknown as GraphRegularizerConfig)).toThrow(
      /graphRegularizer.target must be one of/,
    );
    expect(() => validateGraphRegularizer({ type: 'signature-hinge', hinge: 0, weight: 0.1 })).toThrow(/hinge/);
    validateGraphRegularizer({ type: 'graphon', target: 'barabasi-albert', m: 2, weight: 0.1 });
  });
});

describe('signature hinge repulsion', () => {
  it('equals −Σ_{u<v, d<h} d on hand-made signatures', () => {
    const s = tf.tensor2d([
      [1, 0],
      [1, 1],
      [0, 1],
      [-1, 0],
    ]);
    const d = 1 - Math.SQRT1_2; // pairs (0,1) and (1,2); (0,2), (2,3), (0,3), (1,3) are farther than 0.4
    expect(signatureHingeRepulsion(s, 0.4).dataSync()[0]).toBeCloseTo(-2 * d, 5);
    expect(signatureHingeRepulsion(s, 1.01).dataSync()[0]).toBeCloseTo(-(2 * d + 1 + 1), 5);
  });
});

describe('graphRegularizerLoss on a NAC', () => {
  it('is null for none, and weight·L over all signatures for the hinge', () => {
    const model = tinyNAC(0.9);
    expect(graphRegularizerLoss(model, { type: 'none' })).toBeNull();
    const { readIn, propagator, readOut } = model.circuit.latents;
    const all = tf.concat([readIn.signatures, propagator.signatures, readOut.signatures], 0) as tf.Tensor2D;
    const loss = graphRegularizerLoss(model, { type: 'signature-hinge', hinge: 1.2, weight: 0.1 })!;
    expect(loss.dataSync()[0]).toBeCloseTo(0.1 * (signatureHingeRepulsion(all, 1.2).dataSync()[0] as number), 5);
    expect(loss.dataSync()[0]).toBeLessThan(0);
    model.dispose();
  });

  it('has finite-difference-correct gradients w.r.t. the signatures (hinge and graphon)', () => {
    const model = tinyNAC(null);
    const { readIn, propagator, readOut } = model.circuit.latents;
    const hinge: GraphRegularizerConfig = { type: 'signature-hinge', hinge: 1.0, weight: 1 };
    const r1 = gradCheck(() => graphRegularizerLoss(model, hinge)!, [readIn.signatures, propagator.signatures, readOut.signatures], {
      eps: 3e-3,
      samples: 8,
    });
    expect(r1.maxRelError).toBeLessThan(3e-2);
    const graphon: GraphRegularizerConfig = { type: 'graphon', target: 'planted-partition', numClusters: 2, weight: 100 };
    const r2 = gradCheck(() => graphRegularizerLoss(model, graphon)!, [propagator.signatures], { eps: 1e-2, samples: 10 });
    expect(r2.maxRelError).toBeLessThan(3e-2);
    model.dispose();
  });

  it('gradient descent on the regulariser alone spreads close signatures / fits the graphon', () => {
    const model = tinyNAC(0.9);
    const { readIn, propagator, readOut } = model.circuit.latents;
    const vars = [readIn.signatures, propagator.signatures, readOut.signatures];
    // Crowd every signature near one direction so that many pairs are closer than the hinge.
    for (const v of vars) v.assign(tf.tidy(() => tf.add(tf.oneHot(tf.zeros([v.shape[0]!], 'int32'), v.shape[1]!), v.mul(0.3))));
    const minDistance = () =>
      tf.tidy(() => {
        const all = tf.concat(vars, 0);
        const n = all.shape[0]!;
        return tf.min(cosineDistance(all, all).add(tf.eye(n).mul(10))).dataSync()[0] as number;
      });
    const before = minDistance();
    const opt = tf.train.sgd(0.05);
    for (let i = 0; i < 15; i++)
      opt.minimize(() => graphRegularizerLoss(model, { type: 'signature-hinge', hinge: 0.4, weight: 1 })!, false, vars);
    expect(minDistance()).toBeGreaterThan(before + 0.02);

    const cfg: GraphRegularizerConfig = { type: 'graphon', target: 'planted-partition', numClusters: 2, pIn: 0.9, pOut: 0.2, weight: 1 };
    const value = () => tf.tidy(() => graphRegularizerLoss(model, cfg)!.dataSync()[0] as number);
    const start = value();
    const adam = tf.train.adam(0.05);
    for (let i = 0; i < 20; i++) adam.minimize(() => graphRegularizerLoss(model, cfg)!, false, [propagator.signatures]);
    expect(value()).toBeLessThan(0.7 * start);
    model.dispose();
  });
});
