// Token datasets: the ListOps generator (determinism, lengths, depth, labels checked by an independent
// evaluator) and the SpamAssassin byte reader (header stripping, label counts, splits).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classBalance, loadDataset, listOpsToString, stripEmailHeaders } from '../../src/data/index.js';
import { applyListOp, generateListOps, LISTOPS_LONG, LISTOPS_SHORT, LISTOPS_VOCAB, type ListOpsData } from '../../src/data/listops.js';
import { locateSpamAssassin } from '../../src/data/spam.js';
import { realData } from './gate.js';

/** Evaluates a token sequence from its printed form with a stack; returns [value, max nesting depth]. */
function evaluate(tokens: ArrayLike<number>): [number, number] {
  const words = listOpsToString(tokens).split(' ');
  const stack: Array<{ op: string; args: number[] }> = [];
  let result = -1;
  let depth = 0;
  for (const w of words) {
    if (w.startsWith('[')) {
      stack.push({ op: w.slice(1), args: [] });
      depth = Math.max(depth, stack.length);
      continue;
    }
    let v: number;
    if (w === ']') {
      const { op, args } = stack.pop() as { op: string; args: number[] };
      const sorted = [...args].sort((a, b) => a - b);
      const mid = sorted.length / 2;
      if (op === 'MIN') v = sorted[0] as number;
      else if (op === 'MAX') v = sorted[sorted.length - 1] as number;
      else if (op === 'SM') v = args.reduce((a, b) => a + b, 0) % 10;
      else
        v = Number.isInteger(mid)
          ? Math.floor(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2)
          : (sorted[Math.floor(mid)] as number);
    } else {
      v = Number(w);
      depth = Math.max(depth, stack.length + 1);
    }
    if (stack.length) (stack[stack.length - 1] as { args: number[] }).args.push(v);
    else result = v;
  }
  expect(stack).toHaveLength(0);
  return [result, depth];
}

const sequence = (d: ListOpsData, i: number): Uint8Array => d.tokens.subarray(d.offsets[i], d.offsets[i + 1]);

describe('ListOps generator', () => {
  it('is deterministic under a seed, and a shorter run is a prefix of a longer one', () => {
    const a = generateListOps(LISTOPS_SHORT, 50, 11);
    const b = generateListOps(LISTOPS_SHORT, 50, 11);
    expect(Array.from(a.tokens)).toEqual(Array.from(b.tokens));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(generateListOps(LISTOPS_SHORT, 50, 12).tokens.subarray(0, 50))).not.toEqual(Array.from(a.tokens.subarray(0, 50)));
    const p = generateListOps(LISTOPS_SHORT, 20, 11);
    expect(Array.from(p.tokens)).toEqual(Array.from(a.tokens.subarray(0, a.offsets[20])));
  });

  it('short variant: 20–200 tokens, depth ≤ 5, label = value', () => {
    const d = generateListOps(LISTOPS_SHORT, 300, 3);
    for (let i = 0; i < 300; i++) {
      const s = sequence(d, i);
      expect(s.length).toBeGreaterThanOrEqual(20);
      expect(s.length).toBeLessThanOrEqual(200);
      const [value, depth] = evaluate(s);
      expect(value).toBe(d.labels[i]);
      expect(depth).toBeLessThanOrEqual(5);
    }
    expect(new Set(d.labels).size).toBe(10);
  });

  it('long variant: 500–2000 tokens, depth ≤ 10, label = value', () => {
    const d = generateListOps(LISTOPS_LONG, 6, 4);
    for (let i = 0; i < 6; i++) {
      const s = sequence(d, i);
      expect(s.length).toBeGreaterThanOrEqual(500);
      expect(s.length).toBeLessThanOrEqual(2000);
      const [value, depth] = evaluate(s);
      expect(value).toBe(d.labels[i]);
      expect(depth).toBeLessThanOrEqual(10);
    }
  });

  it('MED is the lower-rounded median, SM the sum mod 10', () => {
    expect(applyListOp(2, [3, 8, 4, 5])).toBe(4);
    expect(applyListOp(2, [9, 1, 5])).toBe(5);
    expect(applyListOp(3, [9, 8, 7])).toBe(4);
  });

  it('loads as padded int32 sequences with a vocabulary and pad id', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-listops-'));
    try {
      const s = loadDataset('listops-short', { limit: 40, dataDir: dir });
      expect([s.train.size, s.val.size, s.test.size]).toEqual([40, 40, 40]);
      expect([s.train.vocabSize, s.train.padId, s.train.kind, s.train.dtype]).toEqual([LISTOPS_VOCAB.length, 0, 'tokens', 'int32']);
      const b = s.train.getBatch([0, 1]);
      expect(b.shape).toEqual([2, 200]);
      expect(b.x).toBeInstanceOf(Int32Array);
      expect(b.x[199]).toBe(0);
      expect(evaluate(b.x.subarray(0, 200))[0]).toBe(b.y[0]);
      expect(listOpsToString(b.x.subarray(0, 200))).toMatch(/^\[(MIN|MAX|MED|SM) .* \]$/);
      expect(Array.from(s.test.labels)).not.toEqual(Array.from(s.train.labels));
      expect(classBalance(s.train).majorityFraction).toBeLessThan(0.5);
      expect(loadDataset('listops-short', { limit: 40, dataDir: dir, maxLength: 256 }).train.exampleShape).toEqual([256]);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('e-mail header stripping', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  it('drops everything before the first blank line (LF or CRLF)', () => {
    expect(text(stripEmailHeaders(bytes('From: a\nSubject: b\n\nHello\n\nBye')))).toBe('Hello\n\nBye');
    expect(text(stripEmailHeaders(bytes('From: a\r\nSubject: b\r\n\r\nHello\r\n')))).toBe('Hello\r\n');
    expect(text(stripEmailHeaders(bytes('From: a\nSubject: b\n')))).toBe('');
  });
});

const spam = realData('spam-assassin');
describe.skipIf(spam.skip)(spam.title, () => {
  it('is installed', () => expect(spam.missing).toBeNull());

  it('holds 4,150 ham and 1,896 spam; the random split is a fixed stratified 20 % test set', () => {
    const a = loadDataset('spam-assassin', { seed: 0 });
    const b = loadDataset('spam-assassin', { seed: 7, split: 'random' });
    expect(classBalance(a.test).counts).toEqual([830, 379]);
    expect([a.train.size + a.val.size, a.val.size]).toEqual([4837, 484]);
    // The test set does not depend on the run seed; val does.
    expect(Array.from(b.test.getBatch([0, 500, 1208]).x)).toEqual(Array.from(a.test.getBatch([0, 500, 1208]).x));
    expect(Array.from(b.val.getBatch([0, 1, 2]).x)).not.toEqual(Array.from(a.val.getBatch([0, 1, 2]).x));
    expect(() => loadDataset('spam-assassin', { split: 'halves' as never })).toThrow(
      /options.split must be one of 'random', 'collections'/,
    );
  });

  it('holds 4,150 ham and 1,896 spam, split by the corpus halves', () => {
    const s = loadDataset('spam-assassin', { split: 'collections' });
    const counts = [s.train, s.val, s.test].map((d) => classBalance(d).counts);
    expect(counts.reduce((a, c) => a + (c[0] as number), 0)).toBe(4150);
    expect(counts.reduce((a, c) => a + (c[1] as number), 0)).toBe(1896);
    expect([s.train.size + s.val.size, s.test.size]).toEqual([2500 + 125 + 500, 1400 + 125 + 1396]);
    expect(s.val.size).toBe(313);
    expect([s.train.vocabSize, s.train.padId, ...s.train.exampleShape]).toEqual([257, 256, 1024]);
  });

  it('reads raw bytes, with or without headers', () => {
    const dir = path.join(locateSpamAssassin(), 'easy-ham-2');
    const first = fs.readFileSync(
      path.join(
        dir,
        fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.txt'))
          .sort()[0] as string,
      ),
    );
    const raw = loadDataset('spam-assassin', { stripHeaders: false, maxLength: 64, split: 'collections' }).test.getBatch([0]);
    expect(Array.from(raw.x)).toEqual(Array.from(first.subarray(0, 64)));
    const body = loadDataset('spam-assassin', { maxLength: 64, split: 'collections' }).test.getBatch([0]);
    expect(Array.from(body.x)).toEqual(Array.from(stripEmailHeaders(first).subarray(0, 64)));
    expect(body.y[0]).toBe(0);
  });
});
