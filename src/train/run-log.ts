/**
 * The run log: a JSON-lines file with one record per line, each stamped with the wall-clock time
 * and the training step, appended synchronously so a crash loses at most the line being written;
 * and its reader, which tolerates a torn last line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Appends records to a JSON-lines file (created with its folder if missing; existing lines are kept). */
export class RunLog {
  private fd: number | null;
  private lastStep = 0;

  /** Opens `file` for appending. */
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  /**
   * Writes `{ time, step, ...record }` as one line. `time` is an ISO-8601 timestamp; `step` is
   * `record.step` when it is a number, else the last step written (0 at first). Non-finite numbers
   * are written as null (JSON has no NaN).
   */
  write(record: Record<string, unknown>): void {
    if (this.fd === null) throw new Error(`RunLog: ${this.file} is closed`);
    const { step, ...rest } = record;
    if (typeof step === 'number') this.lastStep = step;
    const line = JSON.stringify({ time: new Date().toISOString(), step: this.lastStep, ...rest });
    fs.writeSync(this.fd, `${line}\n`);
  }

  /** Closes the file; later writes throw. Idempotent. */
  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Reads a run log: one object per non-empty line. A last line that does not parse (a write torn by
 * a crash) is skipped; any other bad line throws naming the file and line number.
 */
export function readRunLog(file: string): Record<string, unknown>[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const records: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      if (i === lines.length - 1) return;
      throw new Error(`readRunLog: ${file}:${i + 1} is not valid JSON (${(e as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`readRunLog: ${file}:${i + 1} is not a JSON object`);
    records.push(value as Record<string, unknown>);
  });
  return records;
}
