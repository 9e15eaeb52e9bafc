// Progress reporting (plain lines with throughput/ETA, TTY redraws, log above the bar) and the JSON-lines run log.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { Progress, formatDuration } from '../../src/train/progress.js';
import { RunLog, readRunLog } from '../../src/train/run-log.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('Progress', () => {
  it('non-TTY: one plain line per 10 % (or interval) with throughput, ETA and fields, then a summary', () => {
    const out = sink();
    let clock = 0;
    const p = new Progress({
      total: 100,
      label: 'train',
      unit: 'samples',
      stream: out.stream,
      tty: false,
      intervalMs: 60_000,
      now: () => clock,
    });
    for (let i = 0; i < 100; i++) {
      clock += 500; // 2 samples/s
      p.tick(1, { loss: 1 / (i + 1) });
    }
    p.log('eval: top-1 50 %');
    p.done();
    p.done();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(10 + 2);
    expect(lines[0]).toBe('train  10/100 samples (10.0%)  2.0 samples/s  ETA 0:45  elapsed 0:05  loss=0.1');
    expect(lines[4]).toMatch(/^train {2}50\/100 samples \(50\.0%\) {2}2\.0 samples\/s {2}ETA 0:25 {2}elapsed 0:25 {2}loss=0\.02$/);
    expect(lines[10]).toBe('eval: top-1 50 %');
    expect(lines[11]).toBe('train done: 100 samples in 0:50 (2.0 samples/s)');
    expect(out.text()).not.toContain('\r');
  });

  it('non-TTY: prints on the interval even between percentage steps', () => {
    const out = sink();
    let clock = 0;
    const p = new Progress({ total: 1e6, label: 'eval', stream: out.stream, tty: false, intervalMs: 1000, now: () => clock });
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      p.tick(10);
    }
    expect(out.text().trimEnd().split('\n')).toHaveLength(5);
    expect(out.text()).toContain('10.0 samples/s');
  });

  it('TTY: redraws one line with a bar, and log() prints above it', () => {
    const out = sink();
    let clock = 0;
    const p = new Progress({ total: 4, label: 'train', unit: 'step', stream: out.stream, tty: true, intervalMs: 0, now: () => clock });
    clock = 1000;
    p.tick(1, { loss: 0.5 });
    p.log('hello');
    clock = 4000;
    p.tick(3);
    p.done();
    const text = out.text();
    expect(text).toContain('\rtrain   25% [█████···············] 1/4 step  1.0 step/s  ETA 0:03  elapsed 0:01  loss=0.5\x1b[K');
    expect(text).toContain('\r\x1b[Khello\n');
    expect(text).toContain('100% [████████████████████] 4/4 step');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Infinity)).toBe('?');
  });
});

describe('RunLog', () => {
  it('round-trips records with time and step, appends across opens and skips a torn last line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-runlog-'));
    const file = path.join(dir, 'run', 'log.jsonl');
    const log = new RunLog(file);
    log.write({ type: 'train', step: 1, loss: 2.5 });
    log.write({ type: 'eval', top1: 0.5, loss: NaN });
    log.close();
    log.close();
    expect(() => log.write({})).toThrow(/closed/);
    const again = new RunLog(file);
    again.write({ type: 'train', step: 7, nested: { a: [1, 2] } });
    again.close();
    fs.appendFileSync(file, '{"type":"tr');
    const records = readRunLog(file);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ type: 'train', step: 1, loss: 2.5 });
    expect(records[1]).toMatchObject({ type: 'eval', step: 1, top1: 0.5, loss: null });
    expect(records[2]).toMatchObject({ step: 7, nested: { a: [1, 2] } });
    for (const r of records) expect(Number.isNaN(Date.parse(r.time as string))).toBe(false);
    fs.writeFileSync(file, 'not json\n{}\n');
    expect(() => readRunLog(file)).toThrow(/log.jsonl:1/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
