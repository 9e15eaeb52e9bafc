/**
 * A series of n-way k-shot episodes on one dataset: the data with its per-class index and evaluation
 * pool, a check that a model's tokenizer takes the data's examples, and a loop over episodes that
 * reports each one (the CLI and scripts/claims-adapt.mjs both use it).
 */
import { ConfigError } from '../config/validate.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/index.js';
import type { NAC } from '../model/nac.js';
import type { PerceiverIO } from '../model/factory.js';
import { evaluationPool, indicesByClass, sampleEpisode, type Episode } from './episodes.js';
import { runEpisode, type EpisodeOptions, type EpisodeResult } from './episode.js';
import type { AdaptationSource } from './source.js';

/** Evaluation examples per class by default (see docs/results/adaptation.md for the budget). */
export const DEFAULT_EVAL_PER_CLASS = 50;

/** A dataset prepared for episodes. */
export interface EpisodeData {
  name: string;
  /** Where training examples come from (the loader's train split). */
  train: Dataset;
  /** Where evaluation examples come from (the loader's test split). */
  test: Dataset;
  trainByClass: number[][];
  /** The evaluation pool: per class, a fixed seeded subset of the test split. */
  pool: number[][];
}

/** Loads dataset `name` for episodes, with `evalPerClass` test examples per class (0 = all), pool seed `poolSeed`. */
export function loadEpisodeData(name: string, evalPerClass = DEFAULT_EVAL_PER_CLASS, poolSeed = 0): EpisodeData {
  const splits = loadDataset(name);
  if (splits.train.kind !== 'image' && splits.train.kind !== 'points' && splits.train.kind !== 'tokens') {
    throw new ConfigError('--data', `'${name}' has no usable examples`);
  }
  const numClasses = splits.train.classNames.length;
  if (splits.train.size === 0) throw new ConfigError('--data', `'${name}' has an empty train split; pick a dataset with one`);
  return {
    name,
    train: splits.train,
    test: splits.test,
    trainByClass: indicesByClass(splits.train.labels, numClasses),
    pool: evaluationPool(splits.test.labels, numClasses, evalPerClass, poolSeed),
  };
}

/** Throws a ConfigError naming `--data` unless the source's tokenizer takes the data's examples. */
export function checkSourceFitsData(source: AdaptationSource, data: EpisodeData): void {
  const want = (source.reference as NAC | PerceiverIO).tokenizer.inputShape;
  const got = data.train.exampleShape;
  if (want.length !== got.length || want.some((d, i) => d !== got[i])) {
    throw new ConfigError('--data', `'${data.name}' has examples of shape [${got}], but ${source.origin} takes [${want}]`);
  }
}

/** Options of {@link runEpisodes}. */
export interface EpisodesOptions extends EpisodeOptions {
  ways: number;
  shots: number;
  episodes: number;
  /** Called (and awaited) after each episode, e.g. to print it or save its model before the next one resets it. */
  onEpisode?: (index: number, result: EpisodeResult, episode: Episode) => void | Promise<void>;
}

/** Runs episodes 0…episodes−1 of experiment `seed`; returns every episode's accuracy and the wall time. */
export async function runEpisodes(
  source: AdaptationSource,
  data: EpisodeData,
  o: EpisodesOptions,
): Promise<{ accuracies: number[]; seconds: number }> {
  if (!Number.isInteger(o.episodes) || o.episodes < 1) throw new ConfigError('episodes', `must be an integer ≥ 1, got ${o.episodes}`);
  const t0 = performance.now();
  const accuracies: number[] = [];
  for (let i = 0; i < o.episodes; i++) {
    const episode = sampleEpisode(data.trainByClass, data.pool, { ways: o.ways, shots: o.shots, seed: o.seed, episode: i });
    const result = await runEpisode(source, data, episode, i, o);
    accuracies.push(result.accuracy);
    await o.onEpisode?.(i, result, episode);
  }
  return { accuracies, seconds: (performance.now() - t0) / 1000 };
}
