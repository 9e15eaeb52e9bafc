/**
 * TokenDataset: variable-length token sequences (ListOps expressions, raw e-mail bytes) stored
 * back to back in one typed array with offsets, and cut or padded to `maxLength` when a batch is made.
 */
import { checkLabels } from './array-dataset.js';
import { IndexedDataset, range, type DatasetMeta } from './indexed-dataset.js';

/** Everything needed to build a {@link TokenDataset}. */
export interface TokenDatasetInit {
  name: string;
  classNames: readonly string[];
  /** All sequences, concatenated. */
  tokens: Uint8Array | Uint16Array | Int32Array;
  /** Sequence i is tokens[offsets[i], offsets[i + 1]); length = labels.length + 1. */
  offsets: Int32Array | Float64Array;
  labels: Int32Array;
  /** Every example is [maxLength] int32: longer sequences are cut, shorter ones padded with `padId`. */
  maxLength: number;
  vocabSize: number;
  padId: number;
}

/** Ragged token storage; examples are [maxLength] int32, padded at the end. */
export class TokenDataset extends IndexedDataset {
  constructor(
    private readonly init: TokenDatasetInit,
    items?: Int32Array,
  ) {
    const meta: DatasetMeta = {
      kind: 'tokens',
      exampleShape: [init.maxLength],
      dtype: 'int32',
      classNames: init.classNames,
      vocabSize: init.vocabSize,
      padId: init.padId,
    };
    if (init.offsets.length !== init.labels.length + 1) {
      throw new Error(`${init.name}: ${init.offsets.length} offsets for ${init.labels.length} sequences (expected one more)`);
    }
    if (!Number.isInteger(init.padId) || init.padId < 0 || init.padId >= init.vocabSize) {
      throw new Error(`${init.name}: padId ${init.padId} outside [0, ${init.vocabSize})`);
    }
    if (!items) checkLabels(init.name, init.labels, init.classNames.length);
    super(init.name, meta, init.labels, items ?? range(init.labels.length));
  }

  /** Length of example i before cutting or padding. */
  rawLength(i: number): number {
    const item = this.items[i] as number;
    return (this.init.offsets[item + 1] as number) - (this.init.offsets[item] as number);
  }

  protected writeItem(item: number, out: Float32Array | Int32Array, offset: number): void {
    const { tokens, offsets, maxLength, padId } = this.init;
    const start = offsets[item] as number;
    const n = Math.min(maxLength, (offsets[item + 1] as number) - start);
    out.set(tokens.subarray(start, start + n), offset);
    out.fill(padId, offset + n, offset + maxLength);
  }

  protected view(items: Int32Array, name: string): TokenDataset {
    return new TokenDataset({ ...this.init, name }, items);
  }
}
