/**
 * ByteTokenizer (`type: 'bytes'`): text as raw bytes, int32 ids [B, L] in 0…255 with 256 as padding.
 * A byte embedding (vocabulary 257) is looked up per byte; every `groupSize` = g consecutive byte
 * embeddings are concatenated and projected by a Linear to one token, and a learned positional
 * embedding is added per token. So 1024-byte e-mails with g = 4 give 256 tokens. Tokens whose bytes
 * are all padding are zero; padding bytes inside a partly filled group keep the learned pad embedding.
 * With `ngram` = k ≥ 1 the grouping is shift-invariant instead (a character CNN): every byte position's
 * window of k byte embeddings goes through a shared Linear(k·embedDim → tokenDim) and a GELU, and each
 * token is the maximum of its g positions' features (see byte-ngrams.ts).
 * Ids [B, maxLength] → tokens [B, maxLength/g, tokenDim].
 */
import * as tf from '@tensorflow/tfjs';
import { Linear } from '../nn/linear.js';
import type { Rng } from '../util/rng.js';
import { ngramMaxPool } from './byte-ngrams.js';
import { SequenceTokenizer, embeddingLookup, sequenceFields } from './embedding.js';
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
  /**
   * Width k of the shift-invariant byte n-gram features (default 0 = off: each group's embeddings are
   * concatenated and projected). With k ≥ 1, Linear(k·embedDim → tokenDim) + GELU at every byte position,
   * max-pooled over each group of g.
   */
  ngram?: number;
}

const BYTE_KEYS = ['type', 'maxLength', 'tokenDim', 'embedDim', 'groupSize', 'vocabSize', 'padId', 'ngram'];

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
  const ngram = intField(o, 'ngram', field, { min: 0, max: seq.maxLength, fallback: 0 });
  return { maxLength: seq.maxLength, tokenDim: seq.tokenDim, embedDim, groupSize, vocabSize: seq.vocabSize, padId: seq.padId, ngram };
}

/**
 * Byte embedding → groups of g → Linear → + learned positions. Parameters: `embedding` [257, embedDim],
 * `positionalEmbedding` [maxLength/g, tokenDim], then either `projection.{weight,bias}` [g·embedDim, tokenDim]
 * (ngram 0) or `ngramProjection.{weight,bias}` [k·embedDim, tokenDim] (ngram k ≥ 1).
 */
export class ByteTokenizer extends SequenceTokenizer {
  readonly config: Required<ByteTokenizerConfig>;
  /** The n-gram feature layer (ngram ≥ 1), or null. */
  readonly ngramProjection: Linear | null;

  constructor(config: ByteTokenizerConfig, rng: Rng) {
    const c = validateByteConfig(config, 'ByteTokenizer config');
    super(c, { embedDim: c.embedDim, groupSize: c.groupSize, project: c.ngram === 0, ownMapping: c.ngram > 0 }, rng);
    this.config = c;
    this.ngramProjection = c.ngram > 0 ? this.addChild('ngramProjection', new Linear(c.ngram * c.embedDim, c.tokenDim, rng)) : null;
  }

  override forward(x: tf.Tensor): tf.Tensor {
    const proj = this.ngramProjection;
    if (!proj) return super.forward(x);
    this.checkIds(x);
    return tf.tidy(() => {
      const ids = x.dtype === 'int32' ? x : x.round().toInt();
      const emb = embeddingLookup(this.embedding, ids);
      const t = ngramMaxPool(emb, proj, this.config.ngram, this.config.groupSize).add(this.positionalEmbedding);
      const mask = this.tokenMask(ids);
      return mask ? t.mul(mask) : t;
    });
  }
}
