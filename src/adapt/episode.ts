/**
 * One adaptation episode end to end: take the source's model for the episode's n classes (new seeded
 * classifier), pick the stage the policy lets it start from (cached features for the linear probe,
 * cached tokens for codes, raw images for full), adapt it on the k-shot set and measure top-1 on the
 * episode's evaluation examples. Also saves an adapted model as a model folder for `nac predict`.
 */
import type { Dataset } from '../data/dataset.js';
import { saveModelDir } from '../io/model-dir.js';
import type { ClassifierModel } from '../model/factory.js';
import { ConfigError } from '../config/validate.js';
import { defaultAdaptHyper, type AdaptHyper, type AdaptPolicy } from './policy.js';
import { purposeRng, SEED_PURPOSE, type Episode } from './episodes.js';
import { withNumClasses, type AdaptationSource, type Rows } from './source.js';
import { adaptModel, stageAccuracy, type BackboneMode } from './train.js';
import type { Stage } from './stages.js';

/** The backbone mode used when none is given: deterministic (see docs/results/adaptation.md). */
export const DEFAULT_BACKBONE_MODE: BackboneMode = 'eval';

/** Options of {@link runEpisode}. */
export interface EpisodeOptions extends Partial<AdaptHyper> {
  policy: AdaptPolicy;
  /** Seed of the experiment; with the episode number it fixes the classifier init, batch order and noise. */
  seed: number;
  /** Backbone mode while adapting (default {@link DEFAULT_BACKBONE_MODE}). */
  mode?: BackboneMode;
  /** Examples per step (default min(64, n·k)). */
  batchSize?: number;
  /** Start from cached tokens/features where the policy allows (default true). */
  useCache?: boolean;
  /**
   * codes and full only: first fit the new classifier alone with the linear probe's defaults (on
   * cached features), then train the policy's parameters from there ("linear probe, then fine-tune";
   * default true). The fine-tuning steps then start from a useful head instead of a random one.
   */
  warmStart?: boolean;
}

/** What an episode gave. */
export interface EpisodeResult {
  /** Top-1 on the episode's evaluation examples. */
  accuracy: number;
  /** Loss of every step. */
  losses: number[];
  /** Loss of every warm-start (linear-probe) step; empty without a warm start. */
  warmStartLosses: number[];
  /** Where the forward pass started. */
  stage: Stage;
  /** The hyperparameters used. */
  hyper: AdaptHyper;
  /** Seconds spent adapting and evaluating (including filling caches). */
  seconds: number;
  /** The adapted model (owned by the source: reset by its next `model()` call). */
  model: ClassifierModel;
}

/** The policy's defaults with the given overrides; throws a ConfigError naming a bad value. */
export function resolveHyper(policy: AdaptPolicy, o: Partial<AdaptHyper> = {}): AdaptHyper {
  const h = { ...defaultAdaptHyper(policy), ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(h.steps) || h.steps < 0) throw new ConfigError('steps', `must be an integer ≥ 0, got ${h.steps}`);
  if (!(h.lr > 0 && Number.isFinite(h.lr))) throw new ConfigError('lr', `must be a number > 0, got ${h.lr}`);
  if (!(h.headLr > 0 && Number.isFinite(h.headLr))) throw new ConfigError('headLr', `must be a number > 0, got ${h.headLr}`);
  return h;
}

/**
 * The stage adaptation can start from: features for the linear probe in eval mode (the whole
 * backbone is frozen and deterministic), tokens for the codes policy and for the linear probe in
 * train mode (the tokenizer is frozen and has no noise), raw inputs for full fine-tuning.
 */
export function adaptStage(policy: AdaptPolicy, mode: BackboneMode, useCache = true): Stage {
  if (!useCache || policy === 'full') return 'input';
  return policy === 'linear-probe' && mode === 'eval' ? 'features' : 'tokens';
}

/** The seed an episode's training uses (batch order, NAC noise), and the classifier-init seed. */
export function episodeSeeds(seed: number, episode: number): { train: number; head: number } {
  return {
    train: purposeRng(seed, SEED_PURPOSE.order, episode).seed(),
    head: purposeRng(seed, SEED_PURPOSE.head, episode).seed(),
  };
}

/** The rows of `indices` at `stage`: raw inputs, or the source's cached tokens/features. */
async function stageRows(source: AdaptationSource, data: Dataset, indices: Int32Array, stage: Stage): Promise<Rows> {
  if (stage !== 'input') return await source.rows(stage, data, indices);
  const b = data.getBatch(indices);
  return { x: b.x, shape: b.shape };
}

/**
 * Runs episode number `index` (drawn as `episode`) from `source`: adapts a fresh copy on the k-shot
 * training examples of `data.train` and evaluates it on `episode.testIndices` of `data.test`.
 */
export async function runEpisode(
  source: AdaptationSource,
  data: { train: Dataset; test: Dataset },
  episode: Episode,
  index: number,
  options: EpisodeOptions,
): Promise<EpisodeResult> {
  const t0 = performance.now();
  const hyper = resolveHyper(options.policy, options);
  const mode = options.mode ?? DEFAULT_BACKBONE_MODE;
  const stage = adaptStage(options.policy, mode, options.useCache ?? true);
  const seeds = episodeSeeds(options.seed, index);
  const model = source.model(episode.classes.length, seeds.head);
  let warmStartLosses: number[] = [];
  if (options.policy !== 'linear-probe' && (options.warmStart ?? true)) {
    const probe = defaultAdaptHyper('linear-probe');
    const wsStage = adaptStage('linear-probe', 'eval', options.useCache ?? true);
    const rows = await stageRows(source, data.train, episode.trainIndices, wsStage);
    warmStartLosses = await adaptModel(model, rows, episode.trainLabels, wsStage, {
      policy: 'linear-probe',
      ...probe,
      batchSize: options.batchSize,
      seed: seeds.train,
      mode: 'eval',
    });
  }
  const train = await stageRows(source, data.train, episode.trainIndices, stage);
  const losses = await adaptModel(model, train, episode.trainLabels, stage, {
    policy: options.policy,
    ...hyper,
    batchSize: options.batchSize,
    seed: seeds.train,
    mode,
  });
  const test = await stageRows(source, data.test, episode.testIndices, stage);
  const accuracy = await stageAccuracy(model, test, episode.testLabels, stage);
  return { accuracy, losses, warmStartLosses, stage, hyper, seconds: (performance.now() - t0) / 1000, model };
}

/** What an adapted model folder records about its adaptation (in `meta.adaptation`). */
export interface AdaptationRecord {
  from: string;
  policy: AdaptPolicy;
  dataset: string;
  ways: number;
  shots: number;
  seed: number;
  episode: number;
  /** Original class ids of the new classes 0…n−1. */
  classes: number[];
  hyper: AdaptHyper;
  mode: BackboneMode;
  warmStart: boolean;
  accuracy: number;
}

/** Saves an adapted model as a model folder (its class names are the episode's) for `nac predict`. */
export async function saveAdaptedModel(
  dir: string,
  source: AdaptationSource,
  model: ClassifierModel,
  classNames: readonly string[],
  record: AdaptationRecord,
): Promise<void> {
  const config = withNumClasses(source.config, record.classes.length);
  await saveModelDir(dir, config, model, { classNames: record.classes.map((c) => classNames[c] ?? String(c)), adaptation: record });
}
