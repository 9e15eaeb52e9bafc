/**
 * Reading a safetensors file from disk (Node only): the bytes go to {@link parseSafetensors}, and a file
 * that cannot be read throws a {@link SafetensorsError} naming it and the system's error code.
 */
import * as fs from 'node:fs';
import { parseSafetensors, SafetensorsError, type RawTensor } from './safetensors.js';

/** A safetensors file's bytes; a file that cannot be read throws a {@link SafetensorsError} naming it and the error code. */
export function readSafetensorsBytes(path: string): Uint8Array {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads and parses a safetensors file. */
export function readSafetensors(path: string): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  return parseSafetensors(readSafetensorsBytes(path), path);
}
