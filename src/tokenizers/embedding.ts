/**
 * The shared core of the id-sequence tokenizers ('symbols' and 'bytes'). Ids [B, L] become tokens by:
 *
 * 1. a vocabulary embedding lookup, E[id] (table [V, embedDim], N(0, 1) init as PyTorch's nn.Embedding);
 * 2. optionally, grouping: g consecutive embeddings are concatenated and a Linear(g·embedDim → tokenDim)
 *    projects them to one token, so L ids give L/g tokens;
 * 3. a learned positional embedding per token ([L/g, tokenDim], truncated normal, std 0.02);
 * 4. padding: a token whose ids are all `padId` is set to exactly zero (embedding and position). NAC's
 *    read-in has no attention mask, so zeroing makes every padded token the same content- and
 *    position-free vector; only their number (i.e. the sequence length) remains visible.
 *
 * The lookup is tf.gather: its gradient is an UnsortedSegmentSum, which the engine registers for the
 * wasm backend (src/engine/kernels). A one-hot matmul was measured as the alternative and was slower in
 * the backward pass (it also forms a [B·L, V] gradient nobody needs).
 */
import * as tf from '@tensorflow/tfjs';
import { Linear } from '../nn/linear.js';
import { normal, truncNormal } from '../nn/init.js';
import type { Rng } from '../util/rng.js';
import { Tokenizer } from './tokenizer.js';
import { intField, nullableIntField } from './validate.js';

/** Standard deviation of the positional-embedding initialisation (truncated normal), as in the patch tokenizer. */
export const SEQUENCE_POS_INIT_STD = 0.02;

/** Embedding lookup: table [V, E], integer ids of any shape S → [...S, E]. Trains on every backend. */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return tf.gather(table, ids.dtype === 'int32' ? ids : ids.toInt());
}

/** The fields every sequence tokenizer config has, validated. */
export interface SequenceFields {
  vocabSize: number;
  maxLength: number;
  tokenDim: number;
  padId: number | null;
}

/** How a {@link SequenceTokenizer} maps ids to tokens, beyond {@link SequenceFields}. */
export interface SequenceGrouping {
  /** Width of one id's embedding. */
  embedDim: number;
  /** Ids per token g (maxLength must be divisible by g). */
  groupSize: number;
  /** Whether a Linear(g·embedDim → tokenDim) follows the grouping (required when g > 1 or embedDim ≠ tokenDim). */
  project: boolean;
  /** Whether the subclass maps embeddings to tokens itself (then `project` may be false with g > 1). */
  ownMapping?: boolean;
}

/** Everything a {@link SequenceTokenizer} is built from. */
export type SequenceLayout = SequenceFields & SequenceGrouping;

/**
 * Reads and checks `vocabSize`, `maxLength`, `tokenDim` and `padId` of a raw sequence tokenizer config;
 * the fallbacks fill absent `vocabSize` / `padId`. Errors name the field under `field`.
 */
export function sequenceFields(
  o: Record<string, unknown>,
  field: string,
  fallbacks: { vocabSize?: number; padId: number | null },
): SequenceFields {
  const vocabSize = intField(o, 'vocabSize', field, { min: 1, fallback: fallbacks.vocabSize });
  const maxLength = intField(o, 'maxLength', field);
  const tokenDim = intField(o, 'tokenDim', field);
  const padId = nullableIntField(o, 'padId', field, { min: 0, max: vocabSize - 1, fallback: fallbacks.padId });
  return { vocabSize, maxLength, tokenDim, padId };
}

/**
 * Ids [B, L] → tokens [B, L/g, tokenDim]. Parameters (in `namedParameters()` order): `embedding` [V, embedDim],
 * `positionalEmbedding` [L/g, tokenDim] and, only with `project`, `projection.{weight,bias}` [g·embedDim, tokenDim].
 */
export abstract class SequenceTokenizer extends Tokenizer {
  readonly tokenDim: number;
  readonly numTokens: number;
  readonly inputShape: readonly number[];
  /** Vocabulary embedding [V, embedDim]. */
  readonly embedding: tf.Variable;
  /** Grouping projection, or null when ids map to tokens one to one. */
  readonly projection: Linear | null;
  /** Positional embedding [numTokens, tokenDim]. */
  readonly positionalEmbedding: tf.Variable;
  /** How ids map to tokens. */
  readonly layout: SequenceLayout;

  protected constructor(fields: SequenceFields, grouping: SequenceGrouping, rng: Rng) {
    super();
    const { vocabSize: v, maxLength: l, tokenDim: d, padId } = fields;
    this.layout = { vocabSize: v, maxLength: l, tokenDim: d, padId, ...grouping };
    const { vocabSize, maxLength: length, embedDim, groupSize: g, tokenDim, project } = this.layout;
    if (length % g !== 0) throw new Error(`${this.constructor.name}: length ${length} is not divisible by groupSize ${g}`);
    if (!project && !grouping.ownMapping && (g !== 1 || embedDim !== tokenDim)) {
      throw new Error(`${this.constructor.name}: grouping or embedDim ≠ tokenDim needs a projection`);
    }
    this.tokenDim = tokenDim;
    this.numTokens = length / g;
    this.inputShape = [length];
    this.embedding = this.addParam('embedding', normal(rng, [vocabSize, embedDim]));
    this.projection = project ? this.addChild('projection', new Linear(g * embedDim, tokenDim, rng)) : null;
    this.positionalEmbedding = this.addParam('positionalEmbedding', truncNormal(rng, [this.numTokens, tokenDim], SEQUENCE_POS_INIT_STD));
  }

  /** 1 for tokens that hold at least one non-padding id, 0 for all-padding tokens: [B, numTokens, 1]; null without padId. */
  tokenMask(ids: tf.Tensor): tf.Tensor | null {
    const { padId, groupSize } = this.layout;
    if (padId === null) return null;
    return tf.tidy(() => {
      const keep = tf.notEqual(ids, padId).toFloat();
      return keep.reshape([ids.shape[0] as number, this.numTokens, groupSize]).max(-1, true);
    });
  }

  /** Throws unless `x` is ids [B, maxLength] (int32 or float32). */
  protected checkIds(x: tf.Tensor): void {
    if (x.rank !== 2 || x.shape[1] !== this.layout.maxLength || (x.dtype !== 'int32' && x.dtype !== 'float32')) {
      throw new Error(`${this.constructor.name}: expected ids int32 [B, ${this.layout.maxLength}], got ${x.dtype} [${x.shape.join(', ')}]`);
    }
  }

  /** Ids [B, L] (int32; integral float32 is cast) → tokens [B, L/g, tokenDim]. Ids must lie in [0, vocabSize). */
  forward(x: tf.Tensor): tf.Tensor {
    this.checkIds(x);
    return tf.tidy(() => {
      const b = x.shape[0] as number;
      const ids = x.dtype === 'int32' ? x : x.round().toInt();
      let t = embeddingLookup(this.embedding, ids);
      if (this.projection) t = this.projection.forward(t.reshape([b, this.numTokens, this.layout.groupSize * this.layout.embedDim]));
      t = t.add(this.positionalEmbedding);
      const mask = this.tokenMask(ids);
      return mask ? t.mul(mask) : t;
    });
  }
}
