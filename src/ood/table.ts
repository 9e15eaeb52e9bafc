/**
 * Plain-text tables of OOD results for the terminal: the corruption suite (one row per corruption,
 * one column per severity, then the mean and the relative drop) and a dataset shift (clean vs shifted).
 */
import type { CorruptionSuiteResult, ShiftResult } from './evaluate.js';

const pct = (v: number | null, digits = 1): string => (v === null || !Number.isFinite(v) ? 'n/a' : (100 * v).toFixed(digits));

/** The corruption suite as a text table (accuracies and drops in percent). */
export function formatCorruptionTable(r: CorruptionSuiteResult): string {
  const width = Math.max(10, ...r.corruptions.map((c) => c.length)) + 2;
  const cols = [...r.severities.map((s) => `s${s}`), 'mean', 'drop'];
  const row = (label: string, values: string[]): string => label.padEnd(width) + values.map((v) => v.padStart(7)).join('');
  const lines = [
    `${r.dataset}: ${r.count} examples, corruption seed ${r.seed}; top-1 accuracy in %, drop = (clean − corrupted)/clean in %`,
    `clean top-1 ${pct(r.clean.top1, 2)} %`,
    row('corruption', cols),
  ];
  const cell = (c: string, s: number): number | null => r.cells.find((x) => x.corruption === c && x.severity === s)?.top1 ?? null;
  for (const pc of r.perCorruption) {
    lines.push(row(pc.corruption, [...r.severities.map((s) => pct(cell(pc.corruption, s))), pct(pc.top1), pct(pc.relativeDrop)]));
  }
  lines.push(row('mean', [...r.perSeverity.map((ps) => pct(ps.top1)), pct(r.mean.top1), pct(r.mean.relativeDrop)]));
  lines.push(
    `mean corruption top-1 ${pct(r.mean.top1, 2)} % (clean ${pct(r.clean.top1, 2)} %), relative drop ${pct(r.mean.relativeDrop)} %`,
  );
  return lines.join('\n');
}

/** A dataset shift as a text table. */
export function formatShiftTable(r: ShiftResult, classNames: readonly string[]): string {
  const lines = [
    `${r.suite}: top-1 on ${r.clean.dataset} (${r.clean.count} examples) vs ${r.shifted.dataset} (${r.shifted.count} examples)`,
    `clean   ${pct(r.clean.top1, 2).padStart(6)} %`,
    `shifted ${pct(r.shifted.top1, 2).padStart(6)} %`,
    `relative drop ${pct(r.relativeDrop)} %`,
    `${'class'.padEnd(16)}${'clean'.padStart(8)}${'shifted'.padStart(9)}`,
  ];
  classNames.forEach((name, c) => {
    lines.push(
      `${name.padEnd(16)}${pct(r.clean.perClassAccuracy[c] ?? null).padStart(8)}${pct(r.shifted.perClassAccuracy[c] ?? null).padStart(9)}`,
    );
  });
  return lines.join('\n');
}
