/**
 * ListOps generator after the Long-Range-Arena recipe (Tay et al. 2021, after Nangia & Bowman 2018),
 * written from its description. An expression is a tree: at nesting level d (the root is level 1) a
 * node is an operator with probability 0.25 while d < maxDepth, else a digit 0–9 (as in LRA's code, so
 * a value has probability 0.75; at maxDepth always a value). An operator has 2…10 children and is one of
 * MIN, MAX, MED (the median; for an even count the floor of the mean of the two middle values, LRA's
 * int(np.median)) and SM (sum mod 10). Trees whose token count is outside [minLength, maxLength] are
 * rejected. The label is the expression's value (10 classes).
 */
import { Rng } from '../util/rng.js';

/** Token ids: 0 is padding, digits d are 1 + d, then the four operators and the closing bracket. */
export const LISTOPS_VOCAB = ['<pad>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '[MIN', '[MAX', '[MED', '[SM', ']'] as const;
/** The padding id. */
export const LISTOPS_PAD = 0;
/** Id of digit 0 (digit d is LISTOPS_DIGIT0 + d). */
export const LISTOPS_DIGIT0 = 1;
/** Id of the first operator ('[MIN'; then '[MAX', '[MED', '[SM'). */
export const LISTOPS_OP0 = 11;
/** Id of ']'. */
export const LISTOPS_CLOSE = 15;
/** Number of token ids, padding included. */
export const LISTOPS_VOCAB_SIZE = LISTOPS_VOCAB.length;

/** Generator settings. */
export interface ListOpsConfig {
  /** Nesting levels including the leaves (the root is level 1). */
  maxDepth: number;
  minLength: number;
  maxLength: number;
  minArgs: number;
  maxArgs: number;
  /** Probability that a node above maxDepth is an operator. */
  opProbability: number;
}

/** LRA ListOps: depth 10, 500–2000 tokens. */
export const LISTOPS_LONG: ListOpsConfig = { maxDepth: 10, minLength: 500, maxLength: 2000, minArgs: 2, maxArgs: 10, opProbability: 0.25 };
/** Short variant for CPU runs: depth ≤ 5, 20–200 tokens. */
export const LISTOPS_SHORT: ListOpsConfig = { maxDepth: 5, minLength: 20, maxLength: 200, minArgs: 2, maxArgs: 10, opProbability: 0.25 };

/** Applies operator `op` (0 MIN, 1 MAX, 2 MED, 3 SM) to digit values. */
export function applyListOp(op: number, values: number[]): number {
  switch (op) {
    case 0:
      return Math.min(...values);
    case 1:
      return Math.max(...values);
    case 2: {
      const s = [...values].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 === 1 ? (s[m] as number) : Math.floor(((s[m - 1] as number) + (s[m] as number)) / 2);
    }
    case 3:
      return values.reduce((a, b) => a + b, 0) % 10;
    default:
      throw new Error(`unknown ListOps operator ${op}`);
  }
}

/**
 * Draws one tree into `buf`; returns [length, value] or null when the tree is longer than
 * `maxLength` (generation stops early) or shorter than `minLength`.
 */
export function drawListOpsTree(rng: Rng, cfg: ListOpsConfig, buf: Uint8Array): [number, number] | null {
  let pos = 0;
  const push = (t: number): boolean => {
    if (pos >= cfg.maxLength) return false;
    buf[pos++] = t;
    return true;
  };
  const node = (depth: number): number => {
    if (depth < cfg.maxDepth && rng.uniform() < cfg.opProbability) {
      const op = rng.int(4);
      const n = cfg.minArgs + rng.int(cfg.maxArgs - cfg.minArgs + 1);
      if (!push(LISTOPS_OP0 + op)) return -1;
      const values: number[] = [];
      for (let k = 0; k < n; k++) {
        const v = node(depth + 1);
        if (v < 0) return -1;
        values.push(v);
      }
      return push(LISTOPS_CLOSE) ? applyListOp(op, values) : -1;
    }
    const v = rng.int(10);
    return push(LISTOPS_DIGIT0 + v) ? v : -1;
  };
  const value = node(1);
  return value < 0 || pos < cfg.minLength ? null : [pos, value];
}

/** Generated sequences, concatenated, with offsets (length count + 1) and labels. */
export interface ListOpsData {
  tokens: Uint8Array;
  offsets: Int32Array;
  labels: Int32Array;
}

/** Generates `count` accepted expressions from a generator seeded with `seed` (deterministic). */
export function generateListOps(cfg: ListOpsConfig, count: number, seed: number): ListOpsData {
  if (cfg.minLength > cfg.maxLength || cfg.maxDepth < 2) throw new Error(`ListOps: impossible config ${JSON.stringify(cfg)}`);
  const rng = new Rng(seed);
  const buf = new Uint8Array(cfg.maxLength);
  let tokens = new Uint8Array(Math.max(1024, count * Math.ceil((cfg.minLength + cfg.maxLength) / 3)));
  const offsets = new Int32Array(count + 1);
  const labels = new Int32Array(count);
  let total = 0;
  for (let i = 0; i < count;) {
    const drawn = drawListOpsTree(rng, cfg, buf);
    if (!drawn) continue;
    const [len, value] = drawn;
    if (total + len > tokens.length) {
      const grown = new Uint8Array(Math.max(tokens.length * 2, total + len));
      grown.set(tokens);
      tokens = grown;
    }
    tokens.set(buf.subarray(0, len), total);
    total += len;
    labels[i] = value;
    offsets[++i] = total;
  }
  return { tokens: tokens.slice(0, total), offsets, labels };
}

/** Human-readable form of a token sequence (padding dropped), e.g. "[MIN 4 [MAX 2 9 ] 0 ]". */
export function listOpsToString(tokens: ArrayLike<number>): string {
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (t !== LISTOPS_PAD) parts.push(LISTOPS_VOCAB[t] ?? `<${t}>`);
  }
  return parts.join(' ');
}
