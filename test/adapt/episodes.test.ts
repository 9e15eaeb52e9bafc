// n-way k-shot episode sampling: deterministic under a seed, k distinct examples from each of n distinct
// classes, nested across k, evaluation only on the episode's classes from a fixed per-class pool.
import { describe, expect, it } from 'vitest';
import { evaluationPool, indicesByClass, sampleEpisode } from '../../src/adapt/episodes.js';
import { ConfigError } from '../../src/config/validate.js';

// 10 classes; class c has 20 + c training examples, interleaved; a test split with 30 per class.
const trainLabels = Int32Array.from(
  Array.from({ length: 10 }, (_, c) => Array<number>(20 + c).fill(c))
    .flat()
    .sort((a, b) => ((a * 7) % 10) - ((b * 7) % 10)),
);
const testLabels = Int32Array.from({ length: 300 }, (_, i) => i % 10);
const byClass = indicesByClass(trainLabels, 10);
const pool = evaluationPool(testLabels, 10, 12, 0);

describe('indicesByClass and evaluationPool', () => {
  it('groups indices by label and draws a fixed subset per class', () => {
    expect(byClass.map((c) => c.length)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    for (const [c, idx] of byClass.entries()) for (const i of idx) expect(trainLabels[i]).toBe(c);
    expect(pool.map((p) => p.length)).toEqual(Array(10).fill(12));
    for (const [c, idx] of pool.entries()) {
      expect(new Set(idx).size).toBe(12);
      for (const i of idx) expect(testLabels[i]).toBe(c);
    }
    expect(evaluationPool(testLabels, 10, 12, 0)).toEqual(pool);
    expect(evaluationPool(testLabels, 10, 12, 1)).not.toEqual(pool);
    // 0, or more than a class has, takes the whole class.
    expect(evaluationPool(testLabels, 10, 0, 0)[3]).toEqual(Array.from({ length: 30 }, (_, j) => 3 + 10 * j));
    expect(evaluationPool(testLabels, 10, 99, 0)[3]).toHaveLength(30);
  });
});

describe('sampleEpisode', () => {
  const spec = { ways: 8, shots: 5, seed: 3, episode: 2 };

  it('draws n distinct classes and k distinct training examples of each, labelled 0…n−1', () => {
    const ep = sampleEpisode(byClass, pool, spec);
    expect(ep.classes).toHaveLength(8);
    expect(new Set(ep.classes).size).toBe(8);
    expect([...ep.classes].sort((a, b) => a - b)).toEqual(ep.classes);
    expect(ep.trainIndices).toHaveLength(40);
    expect(new Set(ep.trainIndices).size).toBe(40);
    ep.trainIndices.forEach((i, r) => {
      const label = ep.trainLabels[r] as number;
      expect(label).toBe(Math.floor(r / 5));
      expect(trainLabels[i]).toBe(ep.classes[label]);
    });
  });

  it('evaluates only on the pool examples of its classes', () => {
    const ep = sampleEpisode(byClass, pool, spec);
    expect(ep.testIndices).toHaveLength(8 * 12);
    expect(Array.from(ep.testIndices)).toEqual(ep.classes.flatMap((c) => pool[c] as number[]));
    ep.testIndices.forEach((i, r) => expect(testLabels[i]).toBe(ep.classes[ep.testLabels[r] as number]));
    const left = [...Array(10).keys()].filter((c) => !ep.classes.includes(c));
    for (const i of ep.testIndices) expect(left).not.toContain(testLabels[i]);
  });

  it('is deterministic under (seed, episode) and differs across episodes and seeds', () => {
    const a = sampleEpisode(byClass, pool, spec);
    expect(sampleEpisode(byClass, pool, spec)).toEqual(a);
    const others = [sampleEpisode(byClass, pool, { ...spec, episode: 3 }), sampleEpisode(byClass, pool, { ...spec, seed: 4 })];
    for (const o of others) expect(Array.from(o.trainIndices)).not.toEqual(Array.from(a.trainIndices));
  });

  it('nests the k-shot sets: the 1-shot set of an episode is inside its 5-shot set, and so on', () => {
    const sets = [1, 5, 10].map((shots) => sampleEpisode(byClass, pool, { ...spec, shots }));
    for (const s of sets) expect(s.classes).toEqual(sets[0]?.classes);
    for (let c = 0; c < 8; c++) {
      const k1 = Array.from(sets[0]?.trainIndices ?? []).slice(c, c + 1);
      const k5 = Array.from(sets[1]?.trainIndices ?? []).slice(5 * c, 5 * c + 5);
      const k10 = Array.from(sets[2]?.trainIndices ?? []).slice(10 * c, 10 * c + 10);
      expect(k5.slice(0, 1)).toEqual(k1);
      expect(k10.slice(0, 5)).toEqual(k5);
    }
  });

  it('names ways and shots when they do not fit the data', () => {
    expect(() => sampleEpisode(byClass, pool, { ...spec, ways: 11 })).toThrow(ConfigError);
    expect(() => sampleEpisode(byClass, pool, { ...spec, ways: 1 })).toThrow(/ways/);
    expect(() => sampleEpisode(byClass, pool, { ...spec, shots: 21 })).toThrow(/shots.*\[1, 20\]/);
    expect(() => sampleEpisode(byClass, pool, { ...spec, shots: 0 })).toThrow(/shots/);
  });
});
