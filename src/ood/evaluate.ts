/**
 * Out-of-distribution evaluation of a classifier: the corruption suite (clean accuracy, accuracy per
 * corruption × severity, means, and the relative drop (clean − corrupted)/clean) and a dataset shift
 * (accuracy on the source test set, e.g. MNIST, versus a target set of the same classes, e.g. optdigits).
 */
import type { Dataset } from '../data/dataset.js';
import type { ClassifierModel } from '../model/factory.js';
import { evaluate } from '../train/evaluate.js';
import { CorruptedDataset, greyImageSize } from './corrupted-dataset.js';
import { corruptionSpec, checkSeverity } from './corruptions.js';

/** (clean − corrupted)/clean; null when the clean accuracy is 0. */
export function relativeDrop(clean: number, corrupted: number): number | null {
  return clean > 0 ? (clean - corrupted) / clean : null;
}

/** Accuracy under one corruption at one severity. */
export interface CorruptionCell {
  corruption: string;
  severity: number;
  top1: number;
  relativeDrop: number | null;
}

/** A mean over cells: accuracy and relative drop. */
export interface CorruptionMean {
  top1: number;
  relativeDrop: number | null;
}

/** The result of {@link evaluateCorruptionSuite}. */
export interface CorruptionSuiteResult {
  suite: 'corruptions';
  dataset: string;
  count: number;
  seed: number;
  corruptions: string[];
  severities: number[];
  clean: { top1: number; top5: number; loss: number };
  /** Mean over every corruption × severity cell. */
  mean: CorruptionMean;
  perCorruption: Array<{ corruption: string } & CorruptionMean>;
  perSeverity: Array<{ severity: number } & CorruptionMean>;
  cells: CorruptionCell[];
}

/** Options of {@link evaluateCorruptionSuite}. */
export interface CorruptionSuiteOptions {
  corruptions: readonly string[];
  severities: readonly number[];
  /** Seeds every example's corruption (see `exampleRng`). */
  seed: number;
  batchSize?: number;
  /** Called after each cell (and once after the clean pass with `cell` null) with cells done and in all. */
  onCell?: (cell: CorruptionCell | null, done: number, total: number) => void;
}

function meanOf(cells: readonly CorruptionCell[], clean: number): CorruptionMean {
  const top1 = cells.reduce((a, c) => a + c.top1, 0) / cells.length;
  return { top1, relativeDrop: relativeDrop(clean, top1) };
}

/** Evaluates `model` on `data` clean and under every corruption × severity (eval mode, top-1). */
export async function evaluateCorruptionSuite(
  model: ClassifierModel,
  data: Dataset,
  o: CorruptionSuiteOptions,
): Promise<CorruptionSuiteResult> {
  greyImageSize(data);
  if (o.corruptions.length === 0) throw new Error('evaluateCorruptionSuite: no corruptions given');
  if (o.severities.length === 0) throw new Error('evaluateCorruptionSuite: no severities given');
  o.corruptions.forEach((c) => corruptionSpec(c));
  o.severities.forEach((s) => checkSeverity(s));
  const batchSize = o.batchSize ?? 256;
  const total = o.corruptions.length * o.severities.length;
  const c = await evaluate(model, data, { batchSize });
  o.onCell?.(null, 0, total);
  const cells: CorruptionCell[] = [];
  for (const corruption of o.corruptions) {
    for (const severity of o.severities) {
      const top1 = (await evaluate(model, new CorruptedDataset(data, corruption, severity, o.seed), { batchSize })).top1;
      const cell = { corruption, severity, top1, relativeDrop: relativeDrop(c.top1, top1) };
      cells.push(cell);
      o.onCell?.(cell, cells.length, total);
    }
  }
  return {
    suite: 'corruptions',
    dataset: data.name,
    count: data.size,
    seed: o.seed,
    corruptions: [...o.corruptions],
    severities: [...o.severities],
    clean: { top1: c.top1, top5: c.top5, loss: c.loss },
    mean: meanOf(cells, c.top1),
    perCorruption: o.corruptions.map((name) => ({
      corruption: name,
      ...meanOf(
        cells.filter((x) => x.corruption === name),
        c.top1,
      ),
    })),
    perSeverity: o.severities.map((s) => ({
      severity: s,
      ...meanOf(
        cells.filter((x) => x.severity === s),
        c.top1,
      ),
    })),
    cells,
  };
}

/** Accuracy on one dataset of a shift. */
export interface ShiftSide {
  dataset: string;
  count: number;
  top1: number;
  perClassAccuracy: number[];
}

/** The result of {@link evaluateShift}. */
export interface ShiftResult {
  suite: string;
  /** The in-distribution test set (e.g. MNIST). */
  clean: ShiftSide;
  /** The shifted set (e.g. optdigits). */
  shifted: ShiftSide;
  relativeDrop: number | null;
}

/** Evaluates `model` on an in-distribution test set and on a shifted set with the same classes. */
export async function evaluateShift(
  model: ClassifierModel,
  clean: Dataset,
  shifted: Dataset,
  o: { suite: string; batchSize?: number },
): Promise<ShiftResult> {
  if (clean.classNames.join('\u0000') !== shifted.classNames.join('\u0000')) {
    throw new Error(
      `evaluateShift: ${shifted.name} has classes [${shifted.classNames.join(', ')}], ${clean.name} [${clean.classNames.join(', ')}]`,
    );
  }
  const side = async (d: Dataset): Promise<ShiftSide> => {
    const m = await evaluate(model, d, { batchSize: o.batchSize ?? 256 });
    return { dataset: d.name, count: m.count, top1: m.top1, perClassAccuracy: m.perClassAccuracy };
  };
  const a = await side(clean);
  const b = await side(shifted);
  return { suite: o.suite, clean: a, shifted: b, relativeDrop: relativeDrop(a.top1, b.top1) };
}
