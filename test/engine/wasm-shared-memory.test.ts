/**
 * withSharedMemoryImport (src/engine/kernels/wasm-shared-memory.ts): the SIMD module with its memory
 * import made shared instantiates on a shared memory and no longer on a plain one, keeps every other
 * byte, and runs the same product; modules of another form are refused by name.
 */
import { describe, expect, it } from 'vitest';
import { withSharedMemoryImport } from '../../src/engine/kernels/wasm-shared-memory.js';
import { SIMD_WASM_BASE64 } from '../../src/engine/kernels/simd-wasm-binary.js';

const bytes = new Uint8Array(Buffer.from(SIMD_WASM_BASE64, 'base64'));

/** A module importing `imports` (wasm text would need a tool: hand-assembled). */
function moduleWithImports(imports: number[][]): Uint8Array {
  const body = [imports.length, ...imports.flat()];
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, body.length, ...body]);
}
const name = (s: string): number[] => [s.length, ...Buffer.from(s)];

describe('withSharedMemoryImport', () => {
  it('makes the memory import shared: a shared memory instantiates it, a plain one no longer does', () => {
    const shared = new WebAssembly.Module(withSharedMemoryImport(bytes));
    expect(WebAssembly.Module.imports(shared)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(() => new WebAssembly.Instance(shared, { env: { memory: new WebAssembly.Memory({ initial: 4 }) } })).toThrow();
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
    const ex = new WebAssembly.Instance(shared, { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
    // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]
    const f = new Float32Array(memory.buffer);
    f.set([1, 2, 3, 4, 5, 6, 7, 8], 16);
    ex.gemm_strided!(64, 2, 1, 80, 2, 0, 96, 2, 2, 2, 2, 1024);
    expect(Array.from(f.subarray(24, 28))).toEqual([19, 22, 43, 50]);
  });

  it('changes only the limits of the import', () => {
    const out = withSharedMemoryImport(bytes, 65536);
    // flags 0 → 3 and the maximum, 65536 as LEB128 (3 bytes); the import section's size grows by as much
    expect(out.length).toBe(bytes.length + 3);
    const tail = 2000;
    expect(Buffer.from(out.subarray(out.length - tail)).equals(Buffer.from(bytes.subarray(bytes.length - tail)))).toBe(true);
  });

  it('refuses a module that imports something else, or no memory, or an already shared one', () => {
    const func = [...name('env'), ...name('f'), 0, 0];
    const memory = [...name('env'), ...name('memory'), 2, 0, 1];
    const sharedMemory = [...name('env'), ...name('memory'), 2, 3, 1, 2];
    expect(() => withSharedMemoryImport(moduleWithImports([func]))).toThrow(/import env\.f is not a memory/);
    expect(() => withSharedMemoryImport(moduleWithImports([memory, func]))).toThrow(/expected one import \(the memory\), found 2/);
    expect(() => withSharedMemoryImport(moduleWithImports([sharedMemory]))).toThrow(/already shared or has a maximum/);
    expect(() => withSharedMemoryImport(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toThrow(/imports no memory/);
  });
});
