/**
 * SymbolTokenizer (`type: 'symbols'`): symbolic sequences such as ListOps (digits, operators, brackets,
 * padding) as int32 ids [B, L]. Each id becomes one token: a vocabulary embedding plus a learned
 * positional embedding; tokens at `padId` are zero (see {@link SequenceTokenizer}).
 * Ids [B, maxLength] → tokens [B, maxLength, tokenDim].
 */
import type { Rng } from '../util/rng.js';
import { SequenceTokenizer, sequenceFields } from './embedding.js';
import { rejectUnknownKeys, requireObject } from './validate.js';

/** Construction options of {@link SymbolTokenizer}. */
export interface SymbolTokenizerConfig {
  /** Vocabulary size V (ids 0…V−1, padding included). */
  vocabSize: number;
  /** Ids per example L; inputs are padded to exactly this length. */
  maxLength: number;
  /** Width of each token (= embedding width). */
  tokenDim: number;
  /** Id of the padding symbol, whose tokens are zeroed; null or absent = no padding (default). */
  padId?: number | null;
}

const SYMBOL_KEYS = ['type', 'vocabSize', 'maxLength', 'tokenDim', 'padId'];

/** Validates a raw symbols tokenizer config (a `type` key is allowed and ignored) and fills defaults; errors name the field. */
export function validateSymbolConfig(raw: unknown, field: string): Required<SymbolTokenizerConfig> {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, SYMBOL_KEYS);
  return sequenceFields(o, field, { padId: null });
}

/** Vocabulary embedding plus learned positions. Parameters: `embedding` [V, tokenDim], `positionalEmbedding` [L, tokenDim]. */
export class SymbolTokenizer extends SequenceTokenizer {
  readonly config: Required<SymbolTokenizerConfig>;

  constructor(config: SymbolTokenizerConfig, rng: Rng) {
    const c = validateSymbolConfig(config, 'SymbolTokenizer config');
    super(c, { embedDim: c.tokenDim, groupSize: 1, project: false }, rng);
    this.config = c;
  }
}
