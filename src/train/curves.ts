/**
 * Training curves from a run's JSON-lines log: the smoothed training loss, validation loss and
 * accuracy, and the learning rate by step. A resumed run's log repeats steps after its checkpoint;
 * the last record of each step wins. Used by the trainer (curves.svg) and by reports.
 */
import { readRunLog } from './run-log.js';
import { writeTrainingCurves, type TrainingCurves } from './plot.js';

type Rec = Record<string, unknown> & { step: number };

/** The last record per step of one type (and split, for eval records), in step order. */
function lastPerStep(records: Rec[], keep: (r: Rec) => boolean): Rec[] {
  const byStep = new Map<number, Rec>();
  for (const r of records) if (keep(r)) byStep.set(r.step, r);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/** Mean of `key` over consecutive windows, so that about `points` points remain. */
export function smoothed(records: Rec[], key: string, points = 200): Array<[number, number]> {
  const w = Math.max(1, Math.floor(records.length / points));
  const out: Array<[number, number]> = [];
  for (let i = 0; i + w <= records.length; i += w) {
    let sum = 0;
    for (let j = i; j < i + w; j++) sum += Number(records[j]?.[key]);
    out.push([records[i + w - 1]?.step as number, sum / w]);
  }
  return out;
}

/** Reads a run log into the curves {@link writeTrainingCurves} draws. */
export function curvesFromLog(logFile: string): TrainingCurves {
  const records = readRunLog(logFile) as Rec[];
  const train = lastPerStep(records, (r) => r.type === 'train');
  const val = lastPerStep(records, (r) => r.type === 'eval' && r.split === 'val');
  return {
    trainLoss: smoothed(train, 'loss'),
    valLoss: val.map((r) => [r.step, Number(r.loss)]),
    valTop1: val.map((r) => [r.step, Number(r.top1)]),
    valTop5: val.map((r) => [r.step, Number(r.top5)]),
    lr: smoothed(train, 'lr'),
    xLabel: 'step',
  };
}

/** Writes `svgFile` with the curves of the run log `logFile`. */
export function writeCurvesFromLog(logFile: string, svgFile: string): void {
  writeTrainingCurves(svgFile, curvesFromLog(logFile));
}
