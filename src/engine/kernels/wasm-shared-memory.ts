/**
 * The SIMD module (wasm/src, committed as ./simd-wasm-binary.ts) with its memory import declared shared,
 * so that a worker thread's instance can run on a memory the calling thread writes into directly
 * (./simd-pool.ts). Only the import's limits change (flags 0 → 3: a maximum and `shared`); the code is
 * the same bytes, and the module touches no memory it does not import, so nothing else needs atomics.
 */

/** Reads an unsigned LEB128 at `p`; returns the value and the position after it. */
function readLeb(bytes: Uint8Array, p: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[p++]!;
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, p];
    shift += 7;
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

function readName(bytes: Uint8Array, p: number): [string, number] {
  const [len, q] = readLeb(bytes, p);
  return [new TextDecoder().decode(bytes.subarray(q, q + len)), q + len];
}

/**
 * `bytes` (a wasm module whose only import is an unshared memory with a minimum only) with that
 * import made shared with a maximum of `maxPages` 64 KiB pages. Throws if the module is not of that form.
 */
export function withSharedMemoryImport(bytes: Uint8Array, maxPages = 65536): Uint8Array<ArrayBuffer> {
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p]!;
    const [size, body] = readLeb(bytes, p + 1);
    const end = body + size;
    if (id === 2) {
      const [count, q] = readLeb(bytes, body);
      if (count !== 1) throw new Error(`withSharedMemoryImport: expected one import (the memory), found ${count}`);
      const [module, q1] = readName(bytes, q);
      const [name, q2] = readName(bytes, q1);
      if (bytes[q2] !== 2) throw new Error(`withSharedMemoryImport: import ${module}.${name} is not a memory`);
      if (bytes[q2 + 1] !== 0) throw new Error('withSharedMemoryImport: the memory import is already shared or has a maximum');
      const [, limitsEnd] = readLeb(bytes, q2 + 2);
      const min = bytes.subarray(q2 + 2, limitsEnd);
      const newBody = [...bytes.subarray(body, q2 + 1), 3, ...min, ...leb(maxPages), ...bytes.subarray(limitsEnd, end)];
      return Uint8Array.from([...bytes.subarray(0, p), id, ...leb(newBody.length), ...newBody, ...bytes.subarray(end)]);
    }
    p = end;
  }
  throw new Error('withSharedMemoryImport: the module imports no memory');
}
