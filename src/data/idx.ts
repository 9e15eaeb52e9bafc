/**
 * IDX reader (the MNIST / Fashion-MNIST file format): optional gzip, a big-endian magic
 * 0x00 0x00 <type> <rank>, `rank` uint32 dimensions, then the data. Only unsigned-byte files are
 * read (type 0x08): images 0x803 (rank 3), labels 0x801 (rank 1). Every inconsistency throws IdxError.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** A malformed, truncated or mismatched IDX file. */
export class IdxError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'IdxError';
  }
}

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Magic of an unsigned-byte image file (rank 3). */
export const IDX_IMAGES_MAGIC = 0x803;
/** Magic of an unsigned-byte label file (rank 1). */
export const IDX_LABELS_MAGIC = 0x801;

/**
 * Parses IDX bytes (gunzipped first if they start with the gzip signature), checking the magic against
 * `expectedMagic` and the byte length against the dimensions. `limit` keeps only the first items.
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, file = '<idx>', limit = Infinity): IdxArray {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new IdxError(file, `gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  if (buf.length < 4) throw new IdxError(file, `truncated: ${buf.length} bytes, no room for the 4-byte magic`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new IdxError(
      file,
      `wrong magic 0x${magic.toString(16).padStart(8, '0')}, expected 0x${expectedMagic.toString(16).padStart(8, '0')}`,
    );
  }
  const rank = magic & 0xff;
  const header = 4 + 4 * rank;
  if (buf.length < header) throw new IdxError(file, `truncated: ${buf.length} bytes, header needs ${header}`);
  const dims: number[] = [];
  for (let r = 0; r < rank; r++) dims.push(view.getUint32(4 + 4 * r, false));
  const itemSize = dims.slice(1).reduce((a, b) => a * b, 1);
  const expected = header + (dims[0] as number) * itemSize;
  if (buf.length !== expected) {
    const what = buf.length < expected ? 'truncated' : 'has trailing bytes';
    throw new IdxError(file, `${what}: ${buf.length} bytes, dimensions [${dims.join(', ')}] need ${expected}`);
  }
  const count = Math.min(dims[0] as number, limit);
  dims[0] = count;
  return { dims, data: buf.subarray(header, header + count * itemSize) };
}

/** Reads and parses an IDX file (see {@link parseIdx}). */
export function readIdxFile(file: string, expectedMagic: number, limit = Infinity): IdxArray {
  return parseIdx(fs.readFileSync(file), expectedMagic, file, limit);
}

/** Reads a matching image/label pair and checks that both hold the same number of items. */
export function readIdxPair(imagesFile: string, labelsFile: string, limit = Infinity): { images: IdxArray; labels: IdxArray } {
  const images = readIdxFile(imagesFile, IDX_IMAGES_MAGIC);
  const labels = readIdxFile(labelsFile, IDX_LABELS_MAGIC);
  if (images.dims[0] !== labels.dims[0]) {
    throw new IdxError(imagesFile, `holds ${images.dims[0]} images but ${labelsFile} holds ${labels.dims[0]} labels`);
  }
  if (limit < (images.dims[0] as number)) {
    const per = (images.dims[1] as number) * (images.dims[2] as number);
    images.dims[0] = limit;
    labels.dims[0] = limit;
    images.data = images.data.subarray(0, limit * per);
    labels.data = labels.data.subarray(0, limit);
  }
  return { images, labels };
}
