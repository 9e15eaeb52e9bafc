/**
 * Initial module signatures from a graph prior (spec §1.4): orthogonal init, then Adam on the
 * truncated hinge loss that pulls the prior's edges inside cosine distance τ₀ and pushes non-edges
 * beyond it. Also measures how well a set of signatures recovers a graph (precision/recall).
 *
 * The optimisation runs on the host backend (the active one, or wasm/cpu where the active one cannot
 * read synchronously: ../engine/host.ts) and disposes every tensor it creates.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';
import { sampleGraph, validateGraphPrior, type GraphPriorConfig } from './graph-priors.js';
import { orthogonalInit } from './orthogonal.js';
import { onHostBackend } from '../engine/host.js';

/** Options of the signature fit; defaults are the reference's. */
export interface SignatureFitOptions {
  /** Adam steps (default 1000). */
  steps?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Truncation τ₀ of the hinge loss, in (0, 2) (default 0.8). */
  truncation?: number;
}

const DEFAULT_STEPS = 1000;
const DEFAULT_LR = 1e-3;
const DEFAULT_TRUNCATION = 0.8;

function resolveOptions(opts: SignatureFitOptions): Required<SignatureFitOptions> {
  const steps = opts.steps ?? DEFAULT_STEPS;
  const lr = opts.lr ?? DEFAULT_LR;
  const truncation = opts.truncation ?? DEFAULT_TRUNCATION;
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`fitSignatures: steps must be an integer ≥ 0, got ${steps}`);
  if (!Number.isFinite(lr) || lr <= 0) throw new Error(`fitSignatures: lr must be a positive number, got ${lr}`);
  if (!Number.isFinite(truncation) || truncation <= 0 || truncation >= 2) {
    throw new Error(`fitSignatures: truncation must be in (0, 2), got ${truncation}`);
  }
  return { steps, lr, truncation };
}

function checkShapes(fn: string, n: number, dim: number, adjLength: number, sigLength?: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`${fn}: dim must be a positive integer, got ${dim}`);
  if (adjLength !== n * n) throw new Error(`${fn}: adjacency has ${adjLength} entries, expected n·n = ${n * n}`);
  if (sigLength !== undefined && sigLength !== n * dim) {
    throw new Error(`${fn}: signatures have ${sigLength} entries, expected n·dim = ${n * dim}`);
  }
}

/**
 * The hinge loss of the signature fit as a differentiable tfjs function of the signatures
 * `s` (n×dim): L = mean_{u,v}[A_uv·max(τ₀, d_uv) + (1−A_uv)·max(−τ₀, −d_uv)] over all n² ordered
 * pairs, d_uv = 1 − ŝ_u·ŝ_v, with `adjacency` an n×n float 0/1 tensor with zero diagonal (self-pairs
 * are non-edges). Its gradient is written out analytically (tf.customGrad), which avoids the
 * transposed matmuls of autodiff that are slow on the wasm backend. The returned function does
 * not own `adjacency`; the caller disposes it.
 */
export function signatureHingeLoss(adjacency: tf.Tensor2D, truncation: number): (s: tf.Tensor2D) => tf.Scalar {
  const n = adjacency.shape[0];
  const pairs = n * n;
  // With h = ŝ_u·ŝ_v − (1 − τ₀) = τ₀ − d: edge term τ₀ + relu(−h), non-edge term −τ₀ + relu(h),
  // so L = τ₀(2E − n²)/n² + mean(relu(h)) − Σ A⊙h / n²  and  ∂L/∂(ŝŝᵀ) = (step(h) − A)/n².
  // The constant stays a tensor (E = ΣA): no read-back, so this also runs where reads are async only.
  const constant = (): tf.Tensor => tf.mul(tf.sub(tf.mul(tf.sum(adjacency), 2), pairs), truncation / pairs);
  const loss = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const s = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const invNorm = tf.div(1, tf.maximum(tf.norm(s, 'euclidean', 1, true), 1e-12));
    const sHat = tf.mul(s, invNorm);
    const h = tf.sub(tf.matMul(sHat, tf.transpose(sHat)), 1 - truncation);
    const value = tf.add(tf.sub(tf.mean(tf.relu(h)), tf.div(tf.sum(tf.mul(adjacency, h)), pairs)), constant());
    save([sHat, invNorm, h]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      const [sh, inv, hh] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      // ∂L/∂ŝ = (Γ + Γᵀ)ŝ = 2Γŝ (Γ is symmetric), then project out the radial part and scale by 1/‖s‖.
      const gHat = tf.mul(tf.matMul(tf.sub(tf.step(hh), adjacency), sh), 2 / pairs);
      const radial = tf.sum(tf.mul(sh, gHat), 1, true);
      return tf.mul(dy, tf.mul(tf.sub(gHat, tf.mul(sh, radial)), inv));
    };
    return { value: value as tf.Scalar, gradFunc };
  });
  return (s: tf.Tensor2D) => loss(s);
}

/**
 * Fits signatures (n×dim, row-major) to the graph `adj`: orthogonal init (like
 * `torch.nn.init.orthogonal_`, drawn from `rng`), then `steps` steps of tf.train.adam(lr) on
 * {@link signatureHingeLoss} with truncation τ₀. Self-pairs count as non-edges whatever `adj`'s
 * diagonal holds. Deterministic given the rng state and the host backend (../engine/host.ts); leaves
 * no tensors behind.
 */
export function fitSignatures(adj: Uint8Array, n: number, dim: number, rng: Rng, opts: SignatureFitOptions = {}): Float32Array {
  checkShapes('fitSignatures', n, dim, adj.length);
  const { steps, lr, truncation } = resolveOptions(opts);
  const init = orthogonalInit(n, dim, rng);
  if (steps === 0) return init;
  return onHostBackend(() => runFit(adj, n, dim, init, steps, lr, truncation));
}

function runFit(adj: Uint8Array, n: number, dim: number, init: Float32Array, steps: number, lr: number, truncation: number): Float32Array {
  const edge = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) edge[i] = adj[i] !== 0 && i % (n + 1) !== 0 ? 1 : 0;
  const edgeT = tf.tensor2d(edge, [n, n]);
  const initT = tf.tensor2d(init, [n, dim]);
  const s = tf.variable(initT, true);
  initT.dispose();
  // epsilon 1e-8 as torch.optim.Adam (tfjs would default to 1e-7 on float32 backends).
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  try {
    const loss = signatureHingeLoss(edgeT, truncation);
    const objective = (): tf.Scalar => loss(s);
    // minimize() runs the objective in its own tidy and disposes the gradients after the update.
    for (let step = 0; step < steps; step++) optimizer.minimize(objective, false, [s]);
    return Float32Array.from(s.dataSync());
  } finally {
    optimizer.dispose();
    s.dispose();
    edgeT.dispose();
  }
}

/**
 * Initial signatures for a prior: `none` → i.i.d. N(0, 1) entries (adjacency null); `complete` →
 * every row e₁, so every distance is 0 (adjacency = the complete graph); any other preset samples
 * its graph with `rng` and fits signatures to it with {@link fitSignatures}.
 */
export function signaturesForPrior(
  cfg: GraphPriorConfig,
  n: number,
  dim: number,
  rng: Rng,
  opts: SignatureFitOptions = {},
): { signatures: Float32Array; adjacency: Uint8Array | null } {
  validateGraphPrior(cfg, n, 'graphPrior');
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`signaturesForPrior: dim must be a positive integer, got ${dim}`);
  if (cfg.preset === 'none') return { signatures: rng.normalArray(n * dim), adjacency: null };
  if (cfg.preset === 'complete') {
    const signatures = new Float32Array(n * dim);
    for (let u = 0; u < n; u++) signatures[u * dim] = 1;
    return { signatures, adjacency: sampleGraph(cfg, n, rng) };
  }
  const adjacency = sampleGraph(cfg, n, rng);
  return { signatures: fitSignatures(adjacency, n, dim, rng, opts), adjacency };
}

/** Cosine distances d_uv = 1 − ŝ_u·ŝ_v (n×n, float64) of row-major signatures; zero rows give d = 1. */
export function cosineDistances(signatures: Float32Array, n: number, dim: number): Float64Array {
  const unit = new Float64Array(n * dim);
  for (let u = 0; u < n; u++) {
    let norm2 = 0;
    for (let k = 0; k < dim; k++) norm2 += signatures[u * dim + k]! ** 2;
    const inv = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    for (let k = 0; k < dim; k++) unit[u * dim + k] = signatures[u * dim + k]! * inv;
  }
  const d = new Float64Array(n * n);
  for (let u = 0; u < n; u++) {
    for (let v = u; v < n; v++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += unit[u * dim + k]! * unit[v * dim + k]!;
      d[u * n + v] = 1 - dot;
      d[v * n + u] = 1 - dot;
    }
  }
  return d;
}

/**
 * Precision and recall of the graph {(u, v): u ≠ v, d_uv ≤ threshold} recovered from the
 * signatures, against `adj`; `density` is the recovered graph's fraction of off-diagonal pairs.
 * Precision is 1 when nothing is recovered, recall is 1 when `adj` has no edges.
 */
export function edgeRecovery(
  signatures: Float32Array,
  n: number,
  dim: number,
  adj: Uint8Array,
  threshold: number,
): { precision: number; recall: number; density: number } {
  checkShapes('edgeRecovery', n, dim, adj.length, signatures.length);
  const d = cosineDistances(signatures, n, dim);
  let predicted = 0;
  let actual = 0;
  let hits = 0;
  for (let u = 0; u < n; u++) {
    for (let v = u + 1; v < n; v++) {
      const isEdge = adj[u * n + v] !== 0;
      const found = d[u * n + v]! <= threshold;
      if (isEdge) actual++;
      if (found) predicted++;
      if (isEdge && found) hits++;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  return {
    precision: predicted === 0 ? 1 : hits / predicted,
    recall: actual === 0 ? 1 : hits / actual,
    density: pairs === 0 ? 0 : predicted / pairs,
  };
}
