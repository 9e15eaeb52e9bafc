/**
 * Inference pruning of a NAC: removes whole modules of a group by building a NAC with fewer modules
 * (numPropagators, numReadIn or numReadOut) and copying the kept rows of that group's codes and
 * signatures plus every shared weight. Nothing is masked: tensors really shrink. Because the eval
 * forward is deterministic, the kernel depends only on signature distances and the seeder reads only
 * the code, every kept module computes what it did before, except for what it no longer receives.
 */
import * as tf from '@tensorflow/tfjs';
import { NAC } from '../model/nac.js';
import type { NACConfig } from '../config/nac-config.js';
import { validateGraphPrior } from '../circuits/graph-priors.js';
import { ConfigError } from '../config/validate.js';
import { GROUP_COUNT_FIELD, PRUNE_GROUPS, groupSize, resolveKeep, type KeepSpec, type PruneGroup } from './keep.js';
import { scoreModules, topIndices, type ScoreOptions, type ScoreRule } from './scores.js';

/** Kept module indices (ascending, of the source model) per pruned group. */
export type KeptModules = Partial<Record<PruneGroup, number[]>>;

/** A pruned model and how it was made. */
export interface PrunedNAC {
  config: NACConfig;
  /** A new NAC (eval mode) holding the copied parameters; the caller disposes it. */
  model: NAC;
  kept: KeptModules;
  /** Groups whose graph prior is invalid for the new module count and was set to 'none' (it only affects fresh initialisation). */
  priorReplaced: PruneGroup[];
}

/** Options of {@link pruneNAC}. */
export interface PruneOptions extends ScoreOptions {
  keep: KeepSpec;
  score: ScoreRule;
  /** Groups to prune (default ['propagator']); `keep` applies to each. */
  groups?: PruneGroup[];
}

/** The config of the model that keeps `kept` modules (other groups unchanged). */
export function prunedConfig(cfg: NACConfig, kept: KeptModules): { config: NACConfig; priorReplaced: PruneGroup[] } {
  const config: NACConfig = { ...cfg, priors: { ...cfg.priors } };
  const priorReplaced: PruneGroup[] = [];
  for (const g of PRUNE_GROUPS) {
    const idx = kept[g];
    if (!idx) continue;
    const n = groupSize(cfg, g);
    if (idx.length < 1) throw new ConfigError(`kept.${g}`, 'must keep at least 1 module');
    if (idx.some((i, k) => !Number.isInteger(i) || i < 0 || i >= n || (k > 0 && i <= (idx[k - 1] as number)))) {
      throw new ConfigError(`kept.${g}`, `must be strictly increasing module indices in 0…${n - 1}; got [${idx.join(', ')}]`);
    }
    config[GROUP_COUNT_FIELD[g]] = idx.length;
    try {
      validateGraphPrior(cfg.priors[g], idx.length, `priors.${g}`);
    } catch {
      config.priors[g] = { preset: 'none' };
      priorReplaced.push(g);
    }
  }
  return { config, priorReplaced };
}

/** Builds the NAC that keeps exactly the modules `kept` (indices into each group) of `model`. */
export function pruneNACTo(model: NAC, kept: KeptModules): PrunedNAC {
  const { config, priorReplaced } = prunedConfig(model.config, kept);
  const pruned = new NAC(config, { skipPriorFit: true });
  const source = model.namedParameters();
  const values = new Map<string, tf.Tensor>();
  const gathered: tf.Tensor[] = [];
  try {
    for (const [name, v] of source) {
      const m = /^circuit\.latents\.(readIn|propagator|readOut)\.(codes|signatures)$/.exec(name);
      const idx = m ? kept[m[1] as PruneGroup] : undefined;
      const t = idx ? tf.tidy(() => tf.gather(v, tf.tensor1d(idx, 'int32'))) : v;
      if (t !== v) gathered.push(t);
      values.set(name, t);
    }
    pruned.loadParameters(values);
  } catch (e) {
    pruned.dispose();
    throw e;
  } finally {
    for (const t of gathered) t.dispose();
  }
  pruned.eval();
  return { config, model: pruned, kept, priorReplaced };
}

/** Scores the modules of each group with `opts.score`, keeps the top `opts.keep` of each, and builds the pruned NAC. */
export function pruneNAC(model: NAC, opts: PruneOptions): PrunedNAC & { scores: Partial<Record<PruneGroup, number[]>> } {
  const groups = opts.groups ?? ['propagator'];
  const kept: KeptModules = {};
  const scores: Partial<Record<PruneGroup, number[]>> = {};
  for (const g of groups) {
    const count = resolveKeep(opts.keep, groupSize(model.config, g), '--keep', `group ${g}`);
    const s = scoreModules(model, opts.score, g, opts);
    scores[g] = Array.from(s);
    kept[g] = topIndices(s, count);
  }
  return { ...pruneNACTo(model, kept), scores };
}
