/**
 * Is routing class-specific, and do two circuits route alike? Jensen–Shannon distances between the
 * classes' routing distributions, compared with the same measure under random label permutations
 * (the control: what sampling noise alone gives), and a Mantel test between two class-distance
 * matrices (do the same pairs of classes route apart in two models, whose modules need not align?).
 */
import { Rng } from '../util/rng.js';
import { classMeans } from './class-routing.js';

/** Jensen–Shannon distance √JSD (base-2 logarithms, so in [0, 1]) between two distributions of equal length. */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length) throw new Error(`jensenShannonDistance: lengths ${p.length} and ${q.length} differ`);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as number;
    const b = q[i] as number;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log2(a / m);
    if (b > 0) js += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, js));
}

/** C×C Jensen–Shannon distances between the rows of `perClass` (rows of absent classes, counts[c] = 0, are NaN). */
export function classDistanceMatrix(perClass: readonly (readonly number[])[], counts: readonly number[]): number[][] {
  return perClass.map((p, a) =>
    perClass.map((q, b) => (counts[a] && counts[b] ? (a === b ? 0 : jensenShannonDistance(p, q)) : Number.NaN)),
  );
}

/** Mean Jensen–Shannon distance over pairs of present classes (0 with fewer than two). */
export function meanPairwiseDistance(perClass: readonly (readonly number[])[], counts: readonly number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < perClass.length; a++) {
    for (let b = a + 1; b < perClass.length; b++) {
      if (!counts[a] || !counts[b]) continue;
      sum += jensenShannonDistance(perClass[a]!, perClass[b]!);
      pairs++;
    }
  }
  return pairs ? sum / pairs : 0;
}

/** Observed class separation of routing against its label-permutation control. */
export interface SpecificityTest {
  /** Mean pairwise JS distance between the classes' mean routing. */
  observed: number;
  /** Mean and standard deviation of the same under random label permutations. */
  controlMean: number;
  controlStd: number;
  /** (1 + #{control ≥ observed}) / (1 + permutations). */
  pValue: number;
  permutations: number;
}

/** Class specificity of one layer's per-example routing [N × S] (see {@link SpecificityTest}); seeded. */
export function classSpecificity(
  perExample: Float64Array,
  senders: number,
  labels: Int32Array,
  numClasses: number,
  options: { permutations?: number; seed?: number } = {},
): SpecificityTest {
  const permutations = options.permutations ?? 200;
  const rng = new Rng(options.seed ?? 0);
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labels) counts[y]! += 1;
  const observed = meanPairwiseDistance(classMeans(perExample, senders, labels, numClasses), counts);
  const control: number[] = [];
  const shuffled = Array.from(labels);
  for (let p = 0; p < permutations; p++) {
    rng.shuffle(shuffled);
    control.push(meanPairwiseDistance(classMeans(perExample, senders, shuffled, numClasses), counts));
  }
  const mean = control.length ? control.reduce((a, b) => a + b, 0) / control.length : Number.NaN;
  const std = control.length > 1 ? Math.sqrt(control.reduce((a, v) => a + (v - mean) ** 2, 0) / (control.length - 1)) : 0;
  const atLeast = control.filter((v) => v >= observed).length;
  return { observed, controlMean: mean, controlStd: std, pValue: (1 + atLeast) / (1 + permutations), permutations };
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

function upperTriangle(m: readonly (readonly number[])[], order: readonly number[]): number[] {
  const out: number[] = [];
  for (let a = 0; a < order.length; a++) for (let b = a + 1; b < order.length; b++) out.push(m[order[a]!]![order[b]!] as number);
  return out;
}

/** Mantel test result: Pearson r of the two matrices' upper triangles and its permutation p-value. */
export interface MantelTest {
  r: number;
  pValue: number;
  permutations: number;
}

/**
 * Mantel test between two symmetric C×C distance matrices (no NaN): r, and the fraction of joint
 * row/column permutations of `b` with r at least as large (one-sided, +1 smoothed); seeded.
 */
export function mantelTest(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  options: { permutations?: number; seed?: number } = {},
): MantelTest {
  const C = a.length;
  if (b.length !== C) throw new Error(`mantelTest: matrices of size ${C} and ${b.length}`);
  if ([...a, ...b].some((row) => row.some((v) => !Number.isFinite(v)))) throw new Error('mantelTest: matrices must be finite');
  const permutations = options.permutations ?? 999;
  const rng = new Rng(options.seed ?? 0);
  const identity = Array.from({ length: C }, (_, i) => i);
  const x = upperTriangle(a, identity);
  const r = pearson(x, upperTriangle(b, identity));
  let atLeast = 0;
  const order = [...identity];
  for (let p = 0; p < permutations; p++) {
    rng.shuffle(order);
    if (pearson(x, upperTriangle(b, order)) >= r - 1e-12) atLeast++;
  }
  return { r, pValue: (1 + atLeast) / (1 + permutations), permutations };
}
