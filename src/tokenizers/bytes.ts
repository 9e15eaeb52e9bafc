/**
 * ByteTokenizer (`type: 'bytes'`): text as raw bytes, int32 ids [B, L] in 0…255 with 256 as padding.
 * A byte embedding (vocabulary 257) is looked up per byte; every `groupSize` = g consecutive byte
 * embeddings are concatenated and projected by a Linear to one token, and a learned positional
 * embedding is added per token. So 1024-byte e-mails with g = 4 give 256 tokens. Tokens whose bytes
 * are all padding are zero; padding bytes inside a partly filled group keep the learned pad embedding.
 * Ids [B, maxLength] → tokens [B, maxLength/g, tokenDim].
 */
import type { Rng } from '../util/rng.js';
import { SequenceTokenizer, sequenceFields } from './embedding.js';
import { fail, intField, rejectUnknownKeys, requireObject } from './validate.js';

/** Vocabulary of the byte tokenizer: 256 byte values plus the padding id. */
export const BYTE_VOCAB_SIZE = 257;
/** The padding id of the byte tokenizer. */
export const BYTE_PAD_ID = 256;
/** Default width of one byte's embedding. */
export const DEFAULT_BYTE_EMBED_DIM = 32;

/** Construction options of {@link ByteTokenizer}. */
export interface ByteTokenizerConfig {
  /** Bytes per example L; inputs are padded to exactly this length, which groupSize must divide. */
  maxLength: number;
  /** Width of each output token. */
  tokenDim: number;
  /** Width of one byte's embedding (default 32). */
  embedDim?: number;
  /** Bytes per token g ≥ 1 (default 1). */
  groupSize?: number;
  /** Vocabulary size (default 257: bytes 0…255 and padding). */
  vocabSize?: number;
  /** Padding id, whose all-padding tokens are zeroed (default 256); null = no padding. */
  padId?: number | null;
}

const BYTE_KEYS = ['type', 'maxLength', 'tokenDim', 'embedDim', 'groupSize', 'vocabSize', 'padId'];

/** Validates a raw bytes tokenizer config (a `type` key is allowed and ignored) and fills defaults; errors name the field. */
export function validateByteConfig(raw: unknown, field: string): Required<ByteTokenizerConfig> {
  const o = requireObject(raw, field);
  rejectUnknownKeys(o, field, BYTE_KEYS);
  const seq = sequenceFields(o, field, { vocabSize: BYTE_VOCAB_SIZE, padId: BYTE_PAD_ID });
  const embedDim = intField(o, 'embedDim', field, { fallback: DEFAULT_BYTE_EMBED_DIM });
  const groupSize = intField(o, 'groupSize', field, { fallback: 1 });
  if (seq.maxLength % groupSize !== 0) {
    fail(`${field}.groupSize`, `must divide maxLength ${seq.maxLength} (each token holds groupSize bytes); got ${groupSize}`);
  }
  return { maxLength: seq.maxLength, tokenDim: seq.tokenDim, embedDim, groupSize, vocabSize: seq.vocabSize, padId: seq.padId };
}

/**
 * Byte embedding → groups of g → Linear → + learned positions. Parameters: `embedding` [257, embedDim],
 * `positionalEmbedding` [maxLength/g, tokenDim], `projection.{weight,bias}` [g·embedDim, tokenDim].
 */
export class ByteTokenizer extends SequenceTokenizer {
  readonly config: Required<ByteTokenizerConfig>;

  constructor(config: ByteTokenizerConfig, rng: Rng) {
    const c = validateByteConfig(config, 'ByteTokenizer config');
    super(c, { embedDim: c.embedDim, groupSize: c.groupSize, project: true }, rng);
    this.config = c;
  }
}
