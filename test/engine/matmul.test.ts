/**
 * The wasm BatchMatMul kernels of this package ('transpose': plain wasm with explicit transposes;
 * 'simd': the 128-bit SIMD GEMM of wasm/src/gemm.c; 'native': the OpenBLAS add-on, when built) against the cpu backend's stock kernel: transposes,
 * stacked and broadcast batch dims, batch 1, odd and empty sizes, gradients, and no leaks.
 * The shape plan (broadcasting, sizes, errors) is tested on its own first.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { setWasmMatMul, wasmMatMulMode, type WasmMatMulMode } from '../../src/engine/kernels/matmul.js';
import { batchIndexMap, planMatMul } from '../../src/engine/kernels/matmul-plan.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { loadSimdKernels, type SimdKernels } from '../../src/engine/kernels/simd-module.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

quietTfjs();
const native = await loadNativeBlas();

type Case = [aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];

/** Every transpose combination of a product with op(A) m×k, op(B) k×n and the given batch shapes. */
function combos(aBatch: number[], bBatch: number[], m: number, n: number, k: number): Case[] {
  const out: Case[] = [];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) out.push([[...aBatch, ...(ta ? [k, m] : [m, k])], [...bBatch, ...(tb ? [n, k] : [k, n])], ta, tb]);
  }
  return out;
}

const CASES: Case[] = [
  ...combos([], [], 3, 4, 5), // plain 2-D
  ...combos([1], [1], 3, 4, 5), // batch 1, rank 3
  ...combos([2, 3], [], 3, 4, 5), // stacked A, one B
  ...combos([], [2], 3, 4, 5), // one A, stacked B
  ...combos([4], [4], 6, 2, 7), // both stacked
  ...combos([3], [1], 5, 3, 2), // B broadcast along batch
  ...combos([37], [], 61, 65, 129), // odd sizes, flattened
  ...combos([], [], 300, 70, 64), // larger
  ...combos([2], [2], 9, 17, 33), // SIMD blocks: 4-row blocks plus a remainder row, 8-column panels plus a partial one
  ...combos([3], [], 6, 10, 260), // SIMD: three 128-deep contraction blocks (accumulating), one B for every product
  ...combos([2], [2], 5, 3, 300), // and a B per product
  ...combos([], [], 1, 1, 7), // vectors
  ...combos([5], [5], 1, 9, 1),
];
/** Batch shapes that tfjs' cpu kernel indexes by a flat modulo (wrong there): compared with explicit broadcasting. */
const BROADCAST: Case[] = [...combos([2, 1], [3], 3, 4, 5), ...combos([1, 2], [2, 1], 2, 3, 4), ...combos([3, 1, 2], [1, 4, 1], 2, 2, 3)];
const EMPTY: Case[] = [
  [[3, 0], [0, 4], false, false],
  [[0, 3], [4, 0], true, true],
  [[0, 5], [5, 4], false, false],
  [[0, 3, 5], [5, 4], false, false],
  [[1, 3, 5], [0, 4, 5], false, true],
];

const label = ([a, b, ta, tb]: Case): string => `[${a.join(',')}]${ta ? 'ᵀ' : ''}·[${b.join(',')}]${tb ? 'ᵀ' : ''}`;

/** Reference on the cpu backend; operands broadcast explicitly so its modulo indexing is exact. */
async function reference([aShape, bShape, ta, tb]: Case): Promise<Float32Array> {
  const [out] = await onBackend('cpu', () => {
    const plan = planMatMul(aShape, bShape, ta, tb);
    const batch = plan.outShape.slice(0, -2);
    const a = randomTensor(aShape, 1);
    const b = randomTensor(bShape, 2);
    const full = (x: tf.Tensor): tf.Tensor => tf.broadcastTo(x, [...batch, ...x.shape.slice(-2)]);
    return [tf.matMul(batch.length > 0 ? full(a) : a, batch.length > 0 ? full(b) : b, ta, tb)];
  });
  return out!;
}

function onWasm([aShape, bShape, ta, tb]: Case): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const y = tf.matMul(randomTensor(aShape, 1), randomTensor(bShape, 2), ta, tb);
    return { data: Float32Array.from(y.dataSync()), shape: y.shape };
  });
}

describe('planMatMul / batchIndexMap', () => {
  it('computes sizes, the broadcast output shape and whether strides suffice', () => {
    expect(planMatMul([2, 3, 5], [5, 4], false, false)).toEqual({
      m: 3,
      n: 4,
      k: 5,
      outShape: [2, 3, 4],
      batch: 2,
      aBatch: 2,
      bBatch: 1,
      strided: true,
    });
    expect(planMatMul([5, 3], [4, 5], true, true)).toMatchObject({ m: 3, n: 4, k: 5, outShape: [3, 4], batch: 1 });
    expect(planMatMul([2, 1, 3, 5], [3, 5, 4], false, false)).toMatchObject({
      outShape: [2, 3, 3, 4],
      batch: 6,
      aBatch: 2,
      bBatch: 3,
      strided: false,
    });
  });

  it('maps output batches to operand matrices by broadcasting', () => {
    expect([...batchIndexMap([2, 1], [2, 3])]).toEqual([0, 0, 0, 1, 1, 1]);
    expect([...batchIndexMap([3], [2, 3])]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...batchIndexMap([], [2, 2])]).toEqual([0, 0, 0, 0]);
    expect([...batchIndexMap([1, 4, 1], [3, 4, 2])]).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('rejects bad shapes clearly', () => {
    expect(() => planMatMul([3], [3, 4], false, false)).toThrow(/rank >= 2/);
    expect(() => planMatMul([3, 5], [4, 5], false, false)).toThrow(/inner shapes \(5\) and \(4\)/);
    expect(() => planMatMul([2, 3, 5], [3, 5, 4], false, false)).toThrow(/broadcast/i);
  });
});

const MODES: WasmMatMulMode[] = native.blas != null ? ['transpose', 'simd', 'native'] : ['transpose', 'simd'];
let simd: SimdKernels | null = null;

describe.each(MODES)('wasm BatchMatMul, mode %s', (mode) => {
  let previous: WasmMatMulMode;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    const status = await loadSimdKernels(tf.findBackend('wasm')!);
    expect(status.detail).not.toMatch(/fail|no /);
    simd = status.kernels;
    previous = wasmMatMulMode();
    expect(setWasmMatMul(mode, { blas: native.blas, simd })).toBe(true);
  });
  afterAll(() => {
    setWasmMatMul(previous, { blas: native.blas, simd });
  });

  it.each([...CASES, ...BROADCAST].map((c) => [label(c), c] as const))('%s equals the cpu kernel', async (_name, c) => {
    const want = await reference(c);
    const got = onWasm(c);
    expect(got.shape).toEqual(planMatMul(c[0], c[1], c[2], c[3]).outShape);
    expect(relError(got.data, want)).toBeLessThan(1e-5);
  });

  it('handles empty sizes (k = 0 gives zeros)', async () => {
    for (const c of EMPTY) {
      const got = onWasm(c);
      expect(got.shape, label(c)).toEqual(planMatMul(c[0], c[1], c[2], c[3]).outShape);
      expect(
        Array.from(got.data).every((v) => v === 0),
        label(c),
      ).toBe(true);
    }
  });

  it('gradients equal the cpu backend', async () => {
    const cases: Case[] = [...combos([], [], 6, 5, 7), ...combos([3], [3], 4, 5, 6), ...combos([2, 2], [2, 2], 3, 2, 4)];
    for (const [aShape, bShape, ta, tb] of cases) {
      const run = (): tf.Tensor[] => {
        const a = randomTensor(aShape, 3);
        const b = randomTensor(bShape, 4);
        const w = randomTensor(planMatMul(aShape, bShape, ta, tb).outShape, 5);
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), w)))([a, b]);
      };
      const want = await onBackend('cpu', run);
      const got = await onBackend('wasm', run);
      want.forEach((g, i) => expect(relError(got[i]!, g), `${label([aShape, bShape, ta, tb])} grad ${i}`).toBeLessThan(1e-5));
    }
  });

  it('leaks no tensors or wasm buffers', () => {
    const tensors = tf.memory().numTensors;
    const ids = tf.engine().backend.numDataIds();
    const sameBatch = ([a, b]: Case): boolean => a.slice(0, -2).join() === b.slice(0, -2).join();
    for (const c of [...CASES, ...BROADCAST, ...EMPTY]) {
      const [aShape, bShape, ta, tb] = c;
      tf.tidy(() => {
        const a = randomTensor(aShape, 1);
        const b = randomTensor(bShape, 2);
        // tfjs' matMul gradient does not reduce broadcast batch dims, so only same-batch cases get one.
        if (sameBatch(c)) tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y, ta, tb)))([a, b]).forEach((g) => g.dataSync());
        else tf.matMul(a, b, ta, tb).dataSync();
      });
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(ids);
  });

  it('rejects non-float32 operands like tfjs', () => {
    const a = tf.ones([2, 2], 'int32');
    expect(() => tf.engine().runKernel('BatchMatMul', { a, b: a }, { transposeA: false, transposeB: false })).toThrow(/float32/);
    a.dispose();
  });
});
