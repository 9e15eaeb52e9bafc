/**
 * The safetensors format, read and written here: an 8-byte little-endian header length N, N bytes of
 * JSON mapping each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the
 * end of the header; an optional "__metadata__" entry of string pairs), then the raw little-endian data.
 *
 * Reading validates everything a corrupted or truncated file can get wrong and throws a
 * {@link SafetensorsError} that names the file and the problem. Nothing here touches the file system
 * (browsers parse fetched bytes); reading a file: ./safetensors-file.ts.
 */
export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'I32' | 'I64' | 'U8' | 'I8' | 'BOOL';

/** A tensor as raw data plus shape; values are converted to Float32Array or Int32Array on read. */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export class SafetensorsError extends Error {
  constructor(source: string, message: string) {
    super(`safetensors ${source}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, F16: 2, I32: 4, I64: 8, U8: 1, I8: 1, BOOL: 1 };
const MAX_HEADER = 100 * 1024 * 1024;

/** Parses a safetensors buffer. `source` names the file in error messages. */
export function parseSafetensors(
  buf: Uint8Array,
  source = '<buffer>',
): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  if (buf.byteLength < 8)
    throw new SafetensorsError(source, `file is ${buf.byteLength} bytes, too short for the 8-byte header length (truncated?)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > buf.byteLength) {
    throw new SafetensorsError(
      source,
      `header length ${headerLen} exceeds the file size ${buf.byteLength} (truncated or not a safetensors file)`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw new SafetensorsError(source, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError(source, 'header must be a JSON object');
  }
  const dataStart = 8 + headerLen;
  const dataLen = buf.byteLength - dataStart;
  const tensors = new Map<string, RawTensor>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new SafetensorsError(source, `entry '${name}' is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) {
      throw new SafetensorsError(
        source,
        `tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; allowed: ${Object.keys(BYTES).join(', ')}`,
      );
    }
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(source, `tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new SafetensorsError(source, `tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const expected = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    if (end - begin !== expected) {
      throw new SafetensorsError(source, `tensor '${name}' spans ${end - begin} bytes but ${dtype}[${shape}] needs ${expected}`);
    }
    if (end > dataLen) {
      throw new SafetensorsError(source, `tensor '${name}' ends at byte ${end} but the data section has ${dataLen} bytes (truncated file)`);
    }
    ranges.push([begin, end, name]);
    tensors.set(name, { dtype, shape, data: decode(buf, dataStart + begin, end - begin, dtype) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    const prev = ranges[i - 1] as [number, number, string];
    const cur = ranges[i] as [number, number, string];
    if (cur[0] < prev[1]) throw new SafetensorsError(source, `tensors '${prev[2]}' and '${cur[2]}' overlap`);
  }
  return { tensors, metadata };
}

function decode(buf: Uint8Array, start: number, len: number, dtype: SafetensorsDtype): Float32Array | Int32Array | Uint8Array {
  // A copy, aligned and detached from the file buffer (Uint8Array's slice: a Node Buffer's own slice is a view).
  const bytes = Uint8Array.prototype.slice.call(buf, start, start + len);
  const dv = new DataView(bytes.buffer);
  switch (dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer);
    case 'F64': {
      const out = new Float32Array(len / 8);
      for (let i = 0; i < out.length; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(len / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return out;
    }
    case 'I32':
      return new Int32Array(bytes.buffer);
    case 'I64': {
      const out = new Int32Array(len / 8);
      for (let i = 0; i < out.length; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      return out;
    }
    case 'I8':
      return new Int32Array(new Int8Array(bytes.buffer));
    case 'U8':
    case 'BOOL':
      return bytes;
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Serialises float32/int32 tensors (in insertion order) with optional string metadata. */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array | Int32Array }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.data instanceof Int32Array ? 'I32' : 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = JSON.stringify(header);
  let headerBytes = new TextEncoder().encode(json);
  // Align the data section to 8 bytes (the padding is ASCII spaces, one byte each).
  if ((8 + headerBytes.length) % 8 !== 0) headerBytes = new TextEncoder().encode(json + ' '.repeat(8 - ((8 + headerBytes.length) % 8)));
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}
