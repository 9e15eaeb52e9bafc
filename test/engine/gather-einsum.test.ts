/**
 * tf.gather gradients (UnsortedSegmentSum patch kernel) and tf.einsum (Einsum patch kernel) on wasm
 * against the cpu backend / independent references, plus a finite-difference check of an
 * embedding-style lookup.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { parseEinsum } from '../../src/engine/kernels/einsum.js';
import { onBackend, quietTfjs, randomTensor, relError } from './helpers.js';

const TOL = 1e-4;

beforeAll(async () => {
  quietTfjs();
  await initBackend({ backend: 'wasm', quiet: true });
});

interface GatherCase {
  params: number[];
  indices: number[];
  indicesShape: number[];
  axis: number;
  batchDims?: number;
}

const gatherCases: GatherCase[] = [
  { params: [10, 4], indices: [3, 1, 3, 9, 0, 3, 1], indicesShape: [7], axis: 0 },
  { params: [50, 16], indices: [1, 4, 4, 7, 49, 0, 1, 1, 2, 3, 4, 5], indicesShape: [3, 4], axis: 0 },
  { params: [3, 5, 6], indices: [1, 4, 0, 0], indicesShape: [2, 2], axis: 1 },
  { params: [2, 3, 4], indices: [3, 3, 0], indicesShape: [3], axis: 2 },
  { params: [2, 6, 3], indices: [0, 5, 5, 1, 2, 2], indicesShape: [2, 3], axis: 1, batchDims: 1 },
];

function gatherGrad(c: GatherCase): tf.Tensor[] {
  const p = randomTensor(c.params, 21);
  const idx = tf.tensor(c.indices, c.indicesShape, 'int32');
  return [
    tf.grad((v: tf.Tensor) => {
      const g = tf.gather(v, idx, c.axis, c.batchDims ?? 0);
      return tf.sum(tf.mul(g, randomTensor(g.shape, 22)));
    })(p),
  ];
}

describe('gather gradient (UnsortedSegmentSum) on wasm', () => {
  it('the kernel is registered for wasm', () => {
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it.each(gatherCases.map((c) => [`params=${c.params} idx=${c.indicesShape} axis=${c.axis} batchDims=${c.batchDims ?? 0}`, c] as const))(
    '%s matches cpu',
    async (_n, c) => {
      const [w] = await onBackend('wasm', () => gatherGrad(c));
      const [cpu] = await onBackend('cpu', () => gatherGrad(c));
      expect(w!.length).toBe(c.params.reduce((a, b) => a * b));
      expect(relError(w!, cpu!)).toBeLessThan(TOL);
    },
  );

  it('unsortedSegmentSum drops out-of-range ids and keeps int32 (vs cpu)', async () => {
    let dtype = '';
    const run = (): tf.Tensor[] => {
      const x = tf.tensor(
        [
          [1, 2],
          [3, 4],
          [5, 6],
          [7, 8],
          [9, 10],
        ],
        [5, 2],
        'int32',
      );
      const ids = tf.tensor1d([2, -1, 0, 2, 3], 'int32');
      const r = tf.unsortedSegmentSum(x, ids, 3);
      dtype = r.dtype;
      return [r];
    };
    const [w] = await onBackend('wasm', run);
    // TensorFlow semantics (and tfjs-webgl): the sum keeps int32; tfjs-cpu returns float32.
    expect(dtype).toBe('int32');
    const [cpu] = await onBackend('cpu', run);
    expect(Array.from(w!)).toEqual([5, 6, 0, 0, 8, 10]);
    expect(Array.from(w!)).toEqual(Array.from(cpu!));
  });

  it('unsortedSegmentSum with 2-D segment ids equals the flattened 1-D problem', async () => {
    const ids = [0, 1, 1, 3, 0, 2];
    const [w] = await onBackend('wasm', () => [
      // The op's typings say 1-D, but the kernel contract (as in TensorFlow) allows any prefix shape.
      tf.unsortedSegmentSum(randomTensor([2, 3, 4], 23), tf.tensor2d(ids, [2, 3], 'int32') as unknown as tf.Tensor1D, 4),
    ]);
    // tfjs-cpu mis-broadcasts multi-dimensional ids, so the reference is the flattened problem.
    const [cpu] = await onBackend('cpu', () => [
      tf.unsortedSegmentSum(tf.reshape(randomTensor([2, 3, 4], 23), [6, 4]), tf.tensor1d(ids, 'int32'), 4),
    ]);
    expect(w!.length).toBe(16);
    expect(relError(w!, cpu!)).toBeLessThan(TOL);
  });

  it('embedding gradient matches finite differences', () => {
    expect(tf.getBackend()).toBe('wasm');
    tf.tidy(() => {
      const table = randomTensor([6, 3], 24);
      const idx = tf.tensor(
        [
          [1, 5, 1],
          [0, 1, 4],
        ],
        [2, 3],
        'int32',
      );
      const r = randomTensor([2, 3, 3], 25);
      const loss = (v: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.mul(r, tf.square(tf.gather(v, idx)))));
      const analytic = tf.grad(loss)(table).dataSync();
      const base = table.dataSync();
      const h = 0.05;
      const numeric = Array.from(base, (_, i) => {
        const at = (d: number): number => {
          const v = base.slice();
          v[i] = v[i]! + d;
          return loss(tf.tensor(v, table.shape)).dataSync()[0]!;
        };
        return (at(h) - at(-h)) / (2 * h);
      });
      expect(relError(analytic, numeric)).toBeLessThan(1e-3);
    });
  });
});

describe('einsum on wasm', () => {
  const cpuEquations: [string, number[][]][] = [
    [
      'ij,jk->ik',
      [
        [3, 4],
        [4, 5],
      ],
    ],
    [
      'bij,bjk->bik',
      [
        [2, 3, 4],
        [2, 4, 2],
      ],
    ],
    [
      'bhqd,bhkd->bhqk',
      [
        [2, 2, 3, 4],
        [2, 2, 5, 4],
      ],
    ],
    ['ij->ji', [[3, 5]]],
    ['ij->', [[3, 5]]],
    ['i,i->', [[7], [7]]],
    ['i,j->ij', [[3], [4]]],
  ];

  it.each(cpuEquations)('%s matches cpu', async (eq, shapes) => {
    const run = (): tf.Tensor[] => [tf.einsum(eq, ...shapes.map((s, i) => randomTensor(s, 30 + i)))];
    const [w] = await onBackend('wasm', run);
    const [cpu] = await onBackend('cpu', run);
    expect(relError(w!, cpu!)).toBeLessThan(TOL);
  });

  it('supports forms cpu rejects: implicit output, repeated labels, three operands', () => {
    tf.tidy(() => {
      const a = randomTensor([3, 4], 40);
      const b = randomTensor([4, 5], 41);
      const c = randomTensor([5, 2], 42);
      expect(relError(tf.einsum('ij,jk', a, b).dataSync(), tf.matMul(a, b).dataSync())).toBeLessThan(TOL);
      expect(relError(tf.einsum('ij,jk,kl->il', a, b, c).dataSync(), tf.matMul(tf.matMul(a, b), c).dataSync())).toBeLessThan(TOL);
      const sq = tf.tensor2d([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ]);
      expect(Array.from(tf.einsum('ii->i', sq).dataSync())).toEqual([1, 5, 9]);
      expect(tf.einsum('ii', sq).dataSync()[0]).toBe(15);
    });
  });

  it('parses equations and rejects malformed ones clearly', () => {
    expect(parseEinsum('ij, jk', 2)).toEqual({ inputs: ['ij', 'jk'], output: 'ik' });
    expect(() => parseEinsum('...ij->ij', 1)).toThrow(/ellipsis/);
    expect(() => parseEinsum('ij,jk->ik', 1)).toThrow(/2 input terms/);
    expect(() => parseEinsum('ij->iz', 1)).toThrow(/'z' not in inputs/);
    expect(() => tf.tidy(() => tf.einsum('ij,jk->ik', tf.zeros([2, 3]), tf.zeros([4, 2])))).toThrow(/inconsistent sizes/);
  });
});
