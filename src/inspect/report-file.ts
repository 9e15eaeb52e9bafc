/**
 * circuit.json on disk (Node only): writing a {@link CircuitReport} atomically and reading one back
 * through the checks of ./export.ts.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { circuitReportToJSON, parseCircuitReport } from './export.js';
import type { CircuitReport } from './report.js';

/** Writes the report to `file` atomically. */
export function writeCircuitReport(file: string, report: CircuitReport): void {
  writeFileAtomic(file, circuitReportToJSON(report));
}

/** Reads circuit.json. */
export function readCircuitReport(file: string): CircuitReport {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist`);
  return parseCircuitReport(fs.readFileSync(file, 'utf8'), file);
}
