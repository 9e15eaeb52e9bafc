/**
 * n-way k-shot episodes over a labelled dataset: a seeded draw of n classes and of k training examples
 * per class, plus the evaluation examples of those classes taken from a fixed, seeded evaluation pool
 * (a bounded subset per class of the test split, the same for every episode).
 *
 * Each (seed, episode) fixes the classes and, per class, an order of its training examples; the k-shot
 * set takes the first k of that order. So the 1-shot set of an episode is inside its 5-shot set, and so
 * on: results for different k are paired (same classes, growing support sets).
 */
import { ConfigError } from '../config/validate.js';
import { Rng } from '../util/rng.js';

/** One n-way k-shot episode. New class i is original class `classes[i]`. */
export interface Episode {
  /** Original class ids, ascending; the adapted model's label i means `classes[i]`. */
  classes: number[];
  /** Examples per class in the training set (k). */
  shots: number;
  /** Indices into the training split: class 0's k examples, then class 1's, … */
  trainIndices: Int32Array;
  /** New labels (0…n−1) of `trainIndices`. */
  trainLabels: Int32Array;
  /** Indices into the evaluation split: the pool's examples of the episode's classes, by class. */
  testIndices: Int32Array;
  /** New labels of `testIndices`. */
  testLabels: Int32Array;
}

/** What an episode draw needs. */
export interface EpisodeSpec {
  /** Number of classes n (2 ≤ n ≤ classes in the data). */
  ways: number;
  /** Training examples per class k (≥ 1). */
  shots: number;
  /** Seed of the experiment. */
  seed: number;
  /** Episode number (0, 1, …); with the seed it fixes the draw. */
  episode: number;
}

/** Indices of each class, in dataset order. */
export function indicesByClass(labels: Int32Array, numClasses: number): number[][] {
  const out: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => {
    if (!(y >= 0 && y < numClasses)) throw new Error(`indicesByClass: label ${y} at index ${i} is outside [0, ${numClasses})`);
    (out[y] as number[]).push(i);
  });
  return out;
}

/** The first `count` entries of a seeded Fisher–Yates shuffle of `items` (a prefix does not depend on `count`). */
function shuffledPrefix(items: readonly number[], count: number, rng: Rng): number[] {
  const a = items.slice();
  const m = Math.min(count, a.length);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
  return a.slice(0, m);
}

/** An integer seed for (seed, purpose, index), so that nearby arguments give unrelated streams. */
function mixSeed(seed: number, purpose: number, index: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(purpose + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

/** Seed purposes: episode draws, the evaluation pool, classifier initialisation, batch order, NAC noise. */
export const SEED_PURPOSE = { episode: 101, pool: 102, head: 103, order: 104, noise: 105 } as const;

/** A seeded generator for (seed, purpose, index). */
export function purposeRng(seed: number, purpose: number, index: number): Rng {
  return new Rng(mixSeed(seed, purpose, index));
}

/**
 * The evaluation pool: per class, `perClass` examples of the evaluation split drawn with `seed`
 * (all of them when `perClass` is 0 or at least the class size). Returns indices per class, ascending.
 */
export function evaluationPool(labels: Int32Array, numClasses: number, perClass: number, seed = 0): number[][] {
  if (!Number.isInteger(perClass) || perClass < 0) throw new ConfigError('evalPerClass', `must be an integer ≥ 0, got ${perClass}`);
  const byClass = indicesByClass(labels, numClasses);
  const rng = purposeRng(seed, SEED_PURPOSE.pool, 0);
  return byClass.map((idx) => {
    const classRng = rng.fork();
    if (perClass === 0 || perClass >= idx.length) return idx.slice();
    return shuffledPrefix(idx, perClass, classRng).sort((a, b) => a - b);
  });
}

/**
 * Draws episode `spec.episode` of experiment `spec.seed`: `ways` distinct classes and `shots` distinct
 * training examples of each (from `trainByClass`, see {@link indicesByClass}), and the pool examples of
 * those classes for evaluation. Throws a ConfigError naming `ways`/`shots` when they do not fit the data.
 */
export function sampleEpisode(trainByClass: readonly number[][], pool: readonly number[][], spec: EpisodeSpec): Episode {
  const numClasses = trainByClass.length;
  const { ways, shots } = spec;
  if (!Number.isInteger(ways) || ways < 2 || ways > numClasses) {
    throw new ConfigError('ways', `must be an integer in [2, ${numClasses}] (the data has ${numClasses} classes); got ${ways}`);
  }
  const smallest = Math.min(...trainByClass.map((c) => c.length));
  if (!Number.isInteger(shots) || shots < 1 || shots > smallest) {
    throw new ConfigError(
      'shots',
      `must be an integer in [1, ${smallest}] (the smallest class has ${smallest} training examples); got ${shots}`,
    );
  }
  if (pool.length !== numClasses) throw new Error(`sampleEpisode: the pool has ${pool.length} classes, the training data ${numClasses}`);
  if (!Number.isInteger(spec.episode) || spec.episode < 0) throw new ConfigError('episode', `must be an integer ≥ 0, got ${spec.episode}`);
  const rng = purposeRng(spec.seed, SEED_PURPOSE.episode, spec.episode);
  const all = Array.from({ length: numClasses }, (_, c) => c);
  const classes = shuffledPrefix(all, ways, rng).sort((a, b) => a - b);
  // One generator per class, forked before any draw, so that the k-shot sets are nested across k.
  const classRngs = classes.map(() => rng.fork());
  const trainIndices: number[] = [];
  const trainLabels: number[] = [];
  const testIndices: number[] = [];
  const testLabels: number[] = [];
  classes.forEach((c, label) => {
    for (const i of shuffledPrefix(trainByClass[c] as number[], shots, classRngs[label] as Rng)) {
      trainIndices.push(i);
      trainLabels.push(label);
    }
    for (const i of pool[c] as number[]) {
      testIndices.push(i);
      testLabels.push(label);
    }
  });
  return {
    classes,
    shots,
    trainIndices: Int32Array.from(trainIndices),
    trainLabels: Int32Array.from(trainLabels),
    testIndices: Int32Array.from(testIndices),
    testLabels: Int32Array.from(testLabels),
  };
}
