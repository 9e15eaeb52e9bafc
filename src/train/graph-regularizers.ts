/**
 * The graph regularisers added to the classification loss during training (spec §1.4,
 * "Regularisers during training"; the reference's `criterion/graph_sparsity`):
 *
 * - signature-hinge repulsion: L = −Σ_{u<v, d_uv<h} d_uv over all signatures (read-in, propagator and
 *   read-out, concatenated), d the kernel's cosine distance; pushes apart modules closer than h;
 * - graphon matching: P = the unsampled, truncated kernel of the first propagator layer on the
 *   propagator signatures; P's rows are matched to the rows of a target graphon G* by a Hungarian
 *   assignment (cost: mean squared row difference, no gradient); L = MSE(P permuted on rows and
 *   columns, G*).
 *
 * Both return weight·L, differentiable w.r.t. the signatures (and, for the graphon, the bandwidth).
 */
import * as tf from '@tensorflow/tfjs';
import type { NAC } from '../model/nac.js';
import { cosineDistance } from '../circuits/kernel.js';
import { stopGradient } from '../nn/gradients.js';
import { ConfigError, checkInt, checkKeys, checkNumber, checkOneOf } from '../config/validate.js';
import { linearSumAssignment } from './hungarian.js';

/** Target graphons of the graphon-matching regulariser. */
export type GraphonTargetName = 'planted-partition' | 'barabasi-albert' | 'watts-strogatz' | 'ring-of-cliques';

/** Every {@link GraphonTargetName}. */
export const GRAPHON_TARGETS: readonly GraphonTargetName[] = ['planted-partition', 'barabasi-albert', 'watts-strogatz', 'ring-of-cliques'];

/** A target graphon and its parameters (keys that do not belong to the target are ignored). */
export interface GraphonTarget {
  target: GraphonTargetName;
  /** Planted partition: number of equal groups (default 8). Node i is in group ⌊i·l/n⌋. */
  numClusters?: number;
  /** Planted partition and ring of cliques: link probability inside a group / clique (defaults 0.9 and 1). */
  pIn?: number;
  /** Planted partition: link probability across groups (default 0.2). */
  pOut?: number;
  /** Barabási–Albert: new edges per node m (default 2). */
  m?: number;
  /** Watts–Strogatz: lattice neighbours k (default max(2, round(0.1 n))). */
  k?: number;
  /** Watts–Strogatz: rewiring probability p (default 0.4). */
  rewire?: number;
  /** Ring of cliques: number of cliques (default 8; must divide n). */
  numCliques?: number;
}

/** Which graph regulariser to add to the loss, and its weight (spec §1.4; hinge 0.4, weight 0.1 in the NAC configs). */
export type GraphRegularizerConfig =
  { type: 'none' } | { type: 'signature-hinge'; hinge: number; weight: number } | ({ type: 'graphon'; weight: number } & GraphonTarget);

const TARGET_KEYS = ['target', 'numClusters', 'pIn', 'pOut', 'm', 'k', 'rewire', 'numCliques'];

/** Checks a regulariser config; throws a ConfigError naming `${field}.<key>` and the allowed values. */
export function validateGraphRegularizer(cfg: GraphRegularizerConfig, field = 'graphRegularizer'): void {
  checkKeys(cfg, field, ['type', 'hinge', 'weight', ...TARGET_KEYS]);
  checkOneOf(cfg.type, `${field}.type`, ['none', 'signature-hinge', 'graphon'] as const);
  if (cfg.type === 'none') return;
  checkNumber(cfg.weight, `${field}.weight`, 0, Number.MAX_VALUE);
  if (cfg.type === 'signature-hinge') return checkNumber(cfg.hinge, `${field}.hinge`, 0, 2, true);
  checkOneOf(cfg.target, `${field}.target`, GRAPHON_TARGETS);
  for (const key of ['pIn', 'pOut', 'rewire'] as const) if (cfg[key] !== undefined) checkNumber(cfg[key], `${field}.${key}`, 0, 1);
  for (const key of ['numClusters', 'm', 'k', 'numCliques'] as const) if (cfg[key] !== undefined) checkInt(cfg[key], `${field}.${key}`, 1);
}

/**
 * The target graphon G* on n nodes, row-major n×n with entries in [0, 1]:
 * - planted partition: pIn inside the diagonal blocks, pOut elsewhere;
 * - Barabási–Albert: G*_ij = clip(m·(n/i)^½ · (1/(16m)) · j^−½, 0, 1), i, j = 1…n (the reference's formula);
 * - Watts–Strogatz: (1 − p) on the band of ring distance ≤ ⌊k/2⌋ (diagonal included), plus p·k/n everywhere;
 * - ring of cliques: pIn on the diagonal blocks, plus 1 on the ring links (node 1 of clique c to node 0
 *   of clique c+1, as `sampleGraph` draws them).
 */
export function graphonTarget(t: GraphonTarget, n: number): Float32Array {
  if (!Number.isInteger(n) || n < 1) throw new Error(`graphonTarget: n must be a positive integer, got ${n}`);
  const g = new Float32Array(n * n);
  const fill = (f: (i: number, j: number) => number) => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] = f(i, j);
  };
  switch (t.target) {
    case 'planted-partition': {
      const l = t.numClusters ?? 8;
      const [pIn, pOut] = [t.pIn ?? 0.9, t.pOut ?? 0.2];
      fill((i, j) => (Math.floor((i * l) / n) === Math.floor((j * l) / n) ? pIn : pOut));
      break;
    }
    case 'barabasi-albert': {
      const m = t.m ?? 2;
      fill((i, j) => Math.min(1, Math.max(0, m * Math.sqrt(n / (i + 1)) * (1 / (16 * m)) * Math.pow(j + 1, -0.5))));
      break;
    }
    case 'watts-strogatz': {
      const k = t.k ?? Math.max(2, Math.round(0.1 * n));
      const p = t.rewire ?? 0.4;
      const ring = (i: number, j: number) => Math.min(Math.abs(i - j), n - Math.abs(i - j));
      fill((i, j) => (ring(i, j) <= Math.floor(k / 2) ? 1 - p : 0) + (p * k) / n);
      break;
    }
    case 'ring-of-cliques': {
      const c = t.numCliques ?? 8;
      if (n % c !== 0 || n / c < 2) throw new ConfigError('graphon.numCliques', `must divide n = ${n} into cliques of ≥ 2 nodes, got ${c}`);
      const size = n / c;
      const pIn = t.pIn ?? 1;
      fill((i, j) => (Math.floor(i / size) === Math.floor(j / size) ? pIn : 0));
      for (let q = 0; q < c; q++) {
        const [a, b] = [q * size + 1, ((q + 1) % c) * size];
        g[a * n + b] = 1;
        g[b * n + a] = 1;
      }
      break;
    }
  }
  return g;
}

/**
 * Matches the rows of P (n×n) to the rows of the target G* (n×n): cost_ij = mean_k (P_ik − G*_jk)²,
 * minimised by {@link linearSumAssignment}. Returns `assignment` with P's row i → G*'s row assignment[i].
 */
export function matchGraphon(p: ArrayLike<number>, target: ArrayLike<number>, n: number): Int32Array {
  if (p.length !== n * n || target.length !== n * n) throw new Error(`matchGraphon: P and G* must both hold n·n = ${n * n} values`);
  // cost = (‖P_i‖² + ‖G_j‖² − 2 P_i·G_j)/n, on fresh tensors (off any gradient tape); matMul is far faster than JS loops.
  const cost = tf.tidy(() => {
    const pt = tf.tensor2d(Float32Array.from(p), [n, n]);
    const gt = tf.tensor2d(Float32Array.from(target), [n, n]);
    const sq = (t: tf.Tensor2D) => tf.sum(tf.square(t), 1);
    return sq(pt)
      .reshape([n, 1])
      .add(sq(gt).reshape([1, n]))
      .sub(tf.matMul(pt, gt, false, true).mul(2))
      .div(n)
      .dataSync();
  });
  return linearSumAssignment(cost, n, n).assignment;
}

/**
 * MSE(P_perm, G*) where P_perm puts P's row and column i at position assignment[i] of the Hungarian
 * match (computed from P's values, without gradient). Equivalently, and how it is computed here:
 * mean_{i,k} (P_ik − G*_{a(i),a(k)})², so the gradient reaches P without a gather.
 */
export function graphonMatchingLoss(p: tf.Tensor2D, target: Float32Array): tf.Scalar {
  const n = p.shape[0];
  if (p.shape[1] !== n) throw new Error(`graphonMatchingLoss: P must be square, got ${JSON.stringify(p.shape)}`);
  const a = matchGraphon(p.dataSync(), target, n);
  const pulled = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) pulled[i * n + k] = target[a[i]! * n + a[k]!]!;
  return tf.tidy(() => tf.mean(tf.squaredDifference(p, tf.tensor2d(pulled, [n, n]))) as tf.Scalar);
}

/**
 * Signature hinge repulsion L = −Σ_{u<v, d_uv<h} d_uv of signatures [U, d_sig], with the kernel's
 * cosine distance. The mask d < h carries no gradient.
 */
export function signatureHingeRepulsion(signatures: tf.Tensor2D, hinge: number): tf.Scalar {
  return tf.tidy(() => {
    const n = signatures.shape[0];
    const d = cosineDistance(signatures, signatures);
    const upper = tf.linalg.bandPart(tf.ones([n, n]), 0, -1).sub(tf.eye(n));
    const mask = stopGradient(upper.mul(d.less(hinge).toFloat()));
    return tf.sum(d.mul(mask)).neg() as tf.Scalar;
  });
}

/**
 * The regulariser term weight·L for `model` under `cfg`, or null for `type: 'none'` (or weight 0).
 * Signature hinge: over the read-in, propagator and read-out signatures concatenated. Graphon: on
 * the propagator signatures, with the first propagator layer's kernel (its bandwidth ε and truncation τ).
 * Call it inside the optimiser's loss function; it reads P's values once (dataSync) for the matching.
 */
export function graphRegularizerLoss(model: NAC, cfg: GraphRegularizerConfig): tf.Scalar | null {
  if (cfg.type === 'none' || cfg.weight === 0) return null;
  const { readIn, propagator, readOut } = model.circuit.latents;
  return tf.tidy(() => {
    if (cfg.type === 'signature-hinge') {
      const all = tf.concat([readIn.signatures, propagator.signatures, readOut.signatures], 0) as tf.Tensor2D;
      return signatureHingeRepulsion(all, cfg.hinge).mul(cfg.weight) as tf.Scalar;
    }
    const first = model.circuit.propagators[0];
    if (!first) throw new Error('graphRegularizerLoss: the graphon regulariser needs at least one propagator layer');
    const s = propagator.signatures;
    const p = first.kernel.kernel(s, s) as tf.Tensor2D;
    return graphonMatchingLoss(p, graphonTarget(cfg, s.shape[0] as number)).mul(cfg.weight) as tf.Scalar;
  });
}
