/**
 * Scoring rules for inference pruning: one importance score per module of a group (higher = more
 * important = kept first), each a function of the loaded NAC and, for `attention`, a calibration batch.
 *
 * - degree: kernel weight the module sends to receivers, summed over the propagator layers and the
 *   read-out (eval-mode kernel, each layer's own ε; self-pairs excluded). Read-out modules send nothing,
 *   so for them it is the kernel weight they receive.
 * - centrality: personalised PageRank (damping 0.85) on the dependency graph "receiver → sender" with
 *   the summed kernel weights, teleporting to the read-out modules: the stationary mass of a module is
 *   how much the outputs depend on it, directly or through propagators. Undefined for read-out modules.
 * - attention: mean attention mass the module receives as a sender on a calibration batch (eval mode,
 *   head-averaged, summed over receivers other than itself and over layers). For read-out modules: their
 *   mean output-pooling weight (what the classifier takes from them).
 * - code-norm: the L2 norm of the module's code.
 * - random: a seeded uniform draw (the control).
 */
import * as tf from '@tensorflow/tfjs';
import type { NAC } from '../model/nac.js';
import { recordAttention } from '../nn/attention-probe.js';
import { ConfigError } from '../config/validate.js';
import { Rng } from '../util/rng.js';
import { PRUNE_GROUPS, groupSize, type PruneGroup } from './keep.js';
import { kernelBlocks, propagatorSenders, readOutSenders, type SenderSegment } from './kernel-graph.js';

/** The scoring rules. */
export const SCORE_RULES = ['degree', 'centrality', 'attention', 'code-norm', 'random'] as const;
/** One of {@link SCORE_RULES}. */
export type ScoreRule = (typeof SCORE_RULES)[number];

/** Inputs some rules need. */
export interface ScoreOptions {
  /** Seed of the `random` rule (default 0). */
  seed?: number;
  /** `attention` only: a batch of training inputs (e.g. images [N, H, W, C]). */
  calibration?: tf.Tensor;
  /** `attention` only: examples per forward pass over the calibration batch (default 64). */
  chunkSize?: number;
}

/** Checks a rule name; throws a ConfigError naming `field` and the allowed rules. */
export function parseScoreRule(text: string, field = '--score'): ScoreRule {
  if (!(SCORE_RULES as readonly string[]).includes(text))
    throw new ConfigError(field, `must be one of ${SCORE_RULES.join(', ')}; got '${text}'`);
  return text as ScoreRule;
}

/** The rules defined for a group. */
export function rulesForGroup(group: PruneGroup): ScoreRule[] {
  return group === 'readOut' ? SCORE_RULES.filter((r) => r !== 'centrality') : [...SCORE_RULES];
}

/** Importance scores [U] of the modules of `group` under `rule`. */
export function scoreModules(model: NAC, rule: ScoreRule, group: PruneGroup, opts: ScoreOptions = {}): Float64Array {
  if (!rulesForGroup(group).includes(rule)) {
    throw new ConfigError(
      '--score',
      `'${rule}' is not defined for group ${group}; allowed for ${group}: ${rulesForGroup(group).join(', ')}`,
    );
  }
  switch (rule) {
    case 'degree':
      return degreeScores(model, group);
    case 'centrality':
      return centralityScores(model, group);
    case 'attention':
      return attentionScores(model, group, opts);
    case 'code-norm':
      return codeNormScores(model, group);
    case 'random': {
      const rng = new Rng((opts.seed ?? 0) * 3 + PRUNE_GROUPS.indexOf(group));
      return Float64Array.from({ length: groupSize(model.config, group) }, () => rng.uniform());
    }
  }
}

/** Adds, for every sender column of `group` in a [Ur, Us] matrix, the column sum over receivers r ≠ itself. */
function addSenderMass(
  out: Float64Array,
  M: ArrayLike<number>,
  Ur: number,
  Us: number,
  segs: SenderSegment[],
  group: PruneGroup,
  selfGroup: PruneGroup,
  scale = 1,
): void {
  for (const seg of segs) {
    if (seg.group !== group) continue;
    for (let j = 0; j < seg.count; j++) {
      let s = 0;
      for (let r = 0; r < Ur; r++) if (!(selfGroup === group && r === j)) s += M[r * Us + seg.offset + j] as number;
      out[j] = (out[j] as number) + scale * s;
    }
  }
}

function degreeScores(model: NAC, group: PruneGroup): Float64Array {
  const out = new Float64Array(groupSize(model.config, group));
  for (const b of kernelBlocks(model)) {
    if (group === 'readOut') {
      if (b.receivers !== 'readOut') continue;
      for (let r = 0; r < b.numReceivers; r++)
        for (let s = 0; s < b.numSenders; s++) out[r] = (out[r] as number) + (b.K[r * b.numSenders + s] as number);
    } else {
      addSenderMass(out, b.K, b.numReceivers, b.numSenders, b.senders, group, b.receivers);
    }
  }
  return out;
}

function centralityScores(model: NAC, group: PruneGroup, damping = 0.85): Float64Array {
  const c = model.config;
  const base: Record<PruneGroup, number> = { readIn: 0, propagator: c.numReadIn, readOut: c.numReadIn + c.numPropagators };
  const N = c.numReadIn + c.numPropagators + c.numReadOut;
  const W = new Float64Array(N * N); // W[r, s]: how much receiver r depends on sender s
  for (const b of kernelBlocks(model)) {
    for (let r = 0; r < b.numReceivers; r++) {
      const rn = base[b.receivers] + r;
      for (const seg of b.senders) {
        for (let j = 0; j < seg.count; j++) {
          const sn = base[seg.group] + j;
          if (sn !== rn) W[rn * N + sn] = (W[rn * N + sn] as number) + (b.K[r * b.numSenders + seg.offset + j] as number);
        }
      }
    }
  }
  const rowSum = new Float64Array(N);
  for (let r = 0; r < N; r++) for (let s = 0; s < N; s++) rowSum[r] = (rowSum[r] as number) + (W[r * N + s] as number);
  const teleport = new Float64Array(N);
  for (let u = 0; u < c.numReadOut; u++) teleport[base.readOut + u] = 1 / c.numReadOut;
  let x = Float64Array.from(teleport);
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(N);
    let dangling = 0;
    for (let r = 0; r < N; r++) {
      const xr = x[r] as number;
      if ((rowSum[r] as number) <= 0) {
        dangling += xr;
        continue;
      }
      const f = (damping * xr) / (rowSum[r] as number);
      for (let s = 0; s < N; s++) next[s] = (next[s] as number) + f * (W[r * N + s] as number);
    }
    let delta = 0;
    for (let u = 0; u < N; u++) {
      next[u] = (next[u] as number) + (damping * dangling + (1 - damping)) * (teleport[u] as number);
      delta += Math.abs((next[u] as number) - (x[u] as number));
    }
    x = next;
    if (delta < 1e-13) break;
  }
  return x.slice(base[group], base[group] + groupSize(c, group));
}

function codeNormScores(model: NAC, group: PruneGroup): Float64Array {
  const codes = model.circuit.latents[group].codes;
  const [U, dc] = codes.shape as [number, number];
  const v = codes.dataSync() as Float32Array;
  return Float64Array.from({ length: U }, (_, u) => Math.hypot(...v.subarray(u * dc, (u + 1) * dc)));
}

function attentionScores(model: NAC, group: PruneGroup, opts: ScoreOptions): Float64Array {
  const x = opts.calibration;
  if (!x || (x.shape[0] ?? 0) < 1) throw new ConfigError('--calibration', "must give at least 1 training example for the 'attention' rule");
  const N = x.shape[0] as number;
  const chunk = opts.chunkSize ?? 64;
  const out = new Float64Array(groupSize(model.config, group));
  const L = model.config.numLayers;
  const layouts = [...Array.from({ length: L }, (_, l) => propagatorSenders(model, l)), readOutSenders(model)];
  const receivers: PruneGroup[] = [...Array<PruneGroup>(L).fill('propagator'), 'readOut'];
  const wasTraining = model.training;
  model.eval();
  try {
    for (let start = 0; start < N; start += chunk) {
      const n = Math.min(chunk, N - start);
      const xb = x.slice(start, n);
      const { result, attention } = recordAttention(() => model.forwardDetailed(xb));
      try {
        if (attention.length !== L + 1) throw new Error(`attention probe recorded ${attention.length} layers, expected ${L + 1}`);
        if (group === 'readOut') {
          const w = tf.tidy(() => model.pooling.weights(result.outputStates, model.noiseRng).sum(0));
          const wv = w.dataSync();
          w.dispose();
          for (let u = 0; u < out.length; u++) out[u] = (out[u] as number) + (wv[u] as number) / N;
        } else {
          attention.forEach((a, i) => {
            const [, Ur, Us] = a.shape as [number, number, number];
            const summed = tf.tidy(() => a.sum(0));
            addSenderMass(out, summed.dataSync(), Ur, Us, layouts[i] as SenderSegment[], group, receivers[i] as PruneGroup, 1 / N);
            summed.dispose();
          });
        }
      } finally {
        xb.dispose();
        for (const a of attention) a.dispose();
        for (const t of Object.values(result)) t.dispose();
      }
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** Indices of the `count` highest scores (ties: lower index first), in ascending index order. */
export function topIndices(scores: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}
