/**
 * Class balance of a dataset: counts per class and the majority-class fraction, i.e. the accuracy of
 * always predicting the most frequent class (the chance baseline to report next to a model's accuracy).
 */
import type { Dataset } from './dataset.js';

/** Counts per class, the most frequent class and its fraction of the examples. */
export interface ClassBalance {
  counts: number[];
  majorityClass: number;
  majorityFraction: number;
}

/** The class balance of `ds` (majorityFraction is 0 for an empty dataset). */
export function classBalance(ds: Pick<Dataset, 'labels' | 'classNames'>): ClassBalance {
  const counts = new Array<number>(ds.classNames.length).fill(0);
  for (const y of ds.labels) counts[y] = (counts[y] ?? 0) + 1;
  let majorityClass = 0;
  counts.forEach((c, k) => {
    if (c > (counts[majorityClass] as number)) majorityClass = k;
  });
  const total = ds.labels.length;
  return { counts, majorityClass, majorityFraction: total ? (counts[majorityClass] as number) / total : 0 };
}
