/**
 * A small binary bundle format for derived data kept in `<data>/cache` (generated ListOps, sampled KiCad
 * clouds): the magic "NACDATA1", a uint32 LE header length, a JSON header (the arrays' names, dtypes and
 * lengths, plus free metadata), then each array's bytes, 8-byte aligned. Written atomically; a file that
 * does not parse is treated as absent, so a damaged cache is rebuilt rather than trusted.
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';

const MAGIC = 'NACDATA1';

/** The typed arrays a bundle can hold. */
export type BundleArray = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

const CTORS = { uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;
type DType = keyof typeof CTORS;

function dtypeOf(a: BundleArray): DType {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Serialises named arrays and metadata into one buffer. */
export function encodeBundle(arrays: Record<string, BundleArray>, meta: Record<string, unknown>): Uint8Array {
  const entries = Object.entries(arrays).map(([name, a]) => ({ name, dtype: dtypeOf(a), length: a.length, bytes: a.byteLength }));
  const header = new TextEncoder().encode(JSON.stringify({ meta, arrays: entries }));
  const start = align8(MAGIC.length + 4 + header.length);
  const total = entries.reduce((acc, e) => acc + align8(e.bytes), start);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  let pos = start;
  for (const e of entries) {
    const a = arrays[e.name] as BundleArray;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), pos);
    pos += align8(e.bytes);
  }
  return out;
}

/** Parses a bundle; returns null if it is malformed or truncated. */
export function decodeBundle(buf: Uint8Array): { arrays: Record<string, BundleArray>; meta: Record<string, unknown> } | null {
  try {
    if (buf.length < MAGIC.length + 4 || new TextDecoder().decode(buf.subarray(0, MAGIC.length)) !== MAGIC) return null;
    const headerLen = new DataView(buf.buffer, buf.byteOffset + MAGIC.length, 4).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(buf.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLen))) as {
      meta: Record<string, unknown>;
      arrays: Array<{ name: string; dtype: DType; length: number; bytes: number }>;
    };
    let pos = align8(MAGIC.length + 4 + headerLen);
    const arrays: Record<string, BundleArray> = {};
    for (const e of header.arrays) {
      const Ctor = CTORS[e.dtype];
      if (!Ctor || e.bytes !== e.length * Ctor.BYTES_PER_ELEMENT || pos + e.bytes > buf.length) return null;
      const at = buf.byteOffset + pos;
      // A view when aligned (files read whole are), else an aligned copy.
      const source = at % Ctor.BYTES_PER_ELEMENT === 0 ? buf.buffer : new Uint8Array(buf.subarray(pos, pos + e.bytes)).buffer;
      arrays[e.name] = new Ctor(source as ArrayBuffer, source === buf.buffer ? at : 0, e.length);
      pos += align8(e.bytes);
    }
    return pos === buf.length ? { arrays, meta: header.meta } : null;
  } catch (_e) {
    return null;
  }
}

/** Reads a bundle file whose metadata matches `expectMeta` (every key equal), else null. */
export function readBundle(file: string, expectMeta: Record<string, unknown>): Record<string, BundleArray> | null {
  if (!fs.existsSync(file)) return null;
  const parsed = decodeBundle(fs.readFileSync(file));
  if (!parsed) return null;
  for (const [k, v] of Object.entries(expectMeta)) if (JSON.stringify(parsed.meta[k]) !== JSON.stringify(v)) return null;
  return parsed.arrays;
}

/** Writes a bundle file atomically. */
export function writeBundle(file: string, arrays: Record<string, BundleArray>, meta: Record<string, unknown>): void {
  writeFileAtomic(file, encodeBundle(arrays, meta));
}
