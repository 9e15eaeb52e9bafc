/**
 * The fused evaluation kernels of the plain-wasm backend (src/engine/kernels/linear-simd.ts,
 * attention-simd.ts, layer-norm-affine-simd.ts; wasm/src/gemm.c, attention.c, kernels.c): NacLinear,
 * NacGeglu and NacLayerNormAffine give the same floats, bit for bit, as the tfjs ops they replace (on the SIMD BatchMatMul); NacAttention agrees with the composed
 * attention to float32 rounding, masks included; both decline (null) while a gradient is recorded or
 * when not registered; and a NAC's eval forward is the same with and without them, without leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/backend.js';
import { setWasmMatMul, wasmMatMulMode, type WasmMatMulMode } from '../../src/engine/kernels/matmul.js';
import { fusedLinear, setWasmFusedLinear } from '../../src/engine/kernels/linear-simd.js';
import { fusedAttention, setWasmFusedAttention } from '../../src/engine/kernels/attention-simd.js';
import { loadSimdKernels, type SimdKernels } from '../../src/engine/kernels/simd-module.js';
import { loadNativeBlas } from '../../src/engine/native-blas.js';
import { gelu } from '../../src/nn/activations.js';
import { setWasmGelu } from '../../src/engine/kernels/gelu-native.js';
import { setWasmLayerNorm } from '../../src/engine/kernels/layer-norm-native.js';
import { fusedLayerNormAffine, setWasmFusedLayerNormAffine } from '../../src/engine/kernels/layer-norm-affine-simd.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { tinyNAC } from '../inspect/helpers.js';

let simd: SimdKernels;
let previous: WasmMatMulMode;
const native = await loadNativeBlas();

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const status = await loadSimdKernels(tf.findBackend('wasm')!);
  expect(status.kernels, status.detail).not.toBeNull();
  simd = status.kernels!;
  previous = wasmMatMulMode();
  // The composed reference multiplies with the same SIMD GEMM and GELU, so equality can be exact.
  expect(setWasmMatMul('simd', { simd })).toBe(true);
  setWasmGelu(simd.heap);
  setWasmLayerNorm(simd.heap);
  setWasmFusedLinear(simd);
  setWasmFusedAttention(simd);
  setWasmFusedLayerNormAffine(simd);
});

afterAll(() => {
  setWasmMatMul(previous, { blas: native.blas, simd });
  setWasmGelu(previous === 'native' ? native.blas : simd.heap);
  setWasmLayerNorm(previous === 'native' ? native.blas : simd.heap);
  const keep = previous === 'simd' ? simd : null;
  setWasmFusedLinear(keep);
  setWasmFusedAttention(keep);
  setWasmFusedLayerNormAffine(keep);
});

/** Deterministic values in [-2, 2) (with a few exact zeros) of a shape. */
function values(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = i % 17 === 5 ? 0 : (s / 2 ** 32) * 4 - 2;
  }
  return tf.tensor(data, shape);
}

function composedLinear(
  x: tf.Tensor,
  w: tf.Tensor,
  scale?: tf.Tensor,
  bias?: tf.Tensor,
  gain?: tf.Tensor,
  residual?: tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const xs = scale ? x.mul(scale) : x;
    const k = w.shape[0] as number;
    let y = tf.matMul(xs.reshape([-1, k]), w);
    if (bias) y = y.add(bias);
    y = y.reshape([...x.shape.slice(0, -1), w.shape[1] as number]);
    if (gain) y = tf.mul(y, gain);
    return residual ? residual.add(y) : y;
  });
}

function bits(t: tf.Tensor): Int32Array {
  return new Int32Array((t.dataSync() as Float32Array).slice().buffer);
}

describe('fusedLinear (NacLinear, NacGeglu)', () => {
  // [lead shape, k, n]: rows not a multiple of 4, partial 8-column panels, contractions past one 128 block.
  const SHAPES: Array<[number[], number, number]> = [
    [[3, 5], 37, 19],
    [[2, 8], 128, 64],
    [[4, 6], 260, 9],
    [[1], 7, 3],
    [[9], 1, 8],
    [[41, 8], 37, 19], // 328 rows: blocks of 64 (8 periods of 8) finished one by one, the last partial
    [[3, 70], 200, 16], // k > 128: blocks of 210 rows (3 periods of 70)
  ];

  it.each(SHAPES.map((s) => [JSON.stringify(s), s] as const))('equals the composed ops bit for bit: %s', (_name, [lead, k, n]) => {
    const x = values([...lead, k], 1);
    const w = values([k, n], 2);
    const scale = values([lead.at(-1)!, k], 3); // one row per module, broadcast over the leading axes
    const bias = values([n], 4);
    const gain = values([n], 5);
    const residual = values([...lead, n], 6);
    const combos: Array<[tf.Tensor?, tf.Tensor?, tf.Tensor?, tf.Tensor?]> = [
      [],
      [undefined, bias],
      [scale, bias],
      [scale, bias, gain, residual],
      [undefined, undefined, gain],
      [scale, undefined, undefined, residual],
    ];
    for (const [s, b, g, r] of combos) {
      const got = fusedLinear(x, w, { scale: s, bias: b, gain: g, residual: r });
      expect(got, 'fused kernel declined').not.toBeNull();
      const want = composedLinear(x, w, s, b, g, r);
      expect(got!.shape).toEqual(want.shape);
      expect(bits(got!)).toEqual(bits(want));
      tf.dispose([got!, want]);
    }
    tf.dispose([x, w, scale, bias, gain, residual]);
  });

  // [x shape, hidden h]: blocks of rows in one kernel (65 rows: a block of 52, four periods of 13, then 13);
  // and a pre-activation too wide for a cached block, which takes the product then NacGeglu.
  it.each([
    [[5, 13, 33], 12],
    [[3, 4], 4096],
  ] as const)('computes GEGLU of the two output halves bit for bit: %j, h %d', (shape, h) => {
    const k = shape.at(-1)!;
    const x = values([...shape], 7);
    const w = values([k, 2 * h], 8);
    const scale = values([shape.at(-2)!, k], 9);
    const bias = values([2 * h], 10);
    const got = fusedLinear(x, w, { scale, bias, activation: 'geglu' })!;
    const want = tf.tidy(() => {
      const z = composedLinear(x, w, scale, bias);
      const [a, g] = tf.split(z, 2, -1) as [tf.Tensor, tf.Tensor];
      return a.mul(gelu(g));
    });
    expect(got.shape).toEqual([...shape.slice(0, -1), h]);
    expect(bits(got)).toEqual(bits(want));
    tf.dispose([x, w, scale, bias, got, want]);
  });

  // [batch, rows, rows2, k, n]: the senders of a propagator layer (read-in rows, then propagator rows),
  // parts that are not multiples of 4 rows, an empty part, and a contraction past one 128 block.
  it.each([
    [3, 4, 12, 32, 24],
    [2, 3, 5, 37, 19],
    [2, 0, 6, 16, 8],
    [2, 5, 3, 200, 9],
  ] as const)('takes x in two parts as their join along axis 1, bit for bit: batch %d, rows %d + %d, k %d, n %d', (B, r1, r2, k, n) => {
    const a = values([B, r1, k], 21);
    const b = values([B, r2, k], 22);
    const w = values([k, n], 23);
    const scale = values([r1 + r2, k], 24);
    const bias = values([n], 25);
    const gain = values([n], 26);
    const residual = values([B, r1 + r2, n], 27);
    const joined = tf.concat([a, b], 1);
    for (const [sc, bi, g, r] of [[], [scale, bias], [scale, bias, gain, residual], [undefined, undefined, gain, residual]] as Array<
      [tf.Tensor?, tf.Tensor?, tf.Tensor?, tf.Tensor?]
    >) {
      const got = fusedLinear([a, b], w, { scale: sc, bias: bi, gain: g, residual: r });
      expect(got, 'fused kernel declined').not.toBeNull();
      const want = fusedLinear(joined, w, { scale: sc, bias: bi, gain: g, residual: r })!;
      expect(got!.shape).toEqual([B, r1 + r2, n]);
      expect(bits(got!)).toEqual(bits(want));
      tf.dispose([got!, want]);
    }
    // Parts that do not line up are declined (the caller joins them then).
    const otherBatch = values([B + 1, r2, k], 28);
    const longScale = values([r1 + r2 + 1, k], 29);
    expect(fusedLinear([a, otherBatch], w)).toBeNull();
    expect(fusedLinear([a, b], w, { scale: longScale })).toBeNull();
    const oneRow = scale.slice([0, 0], [1, k]);
    expect(fusedLinear([a, b], w, { scale: oneRow })).toBeNull(); // one row for all: the kernel reads one per module
    tf.dispose([a, b, w, scale, bias, gain, residual, joined, otherBatch, longScale, oneRow]);
  });

  it('declines while a gradient is recorded, when unregistered, and for shapes it does not cover', () => {
    const x = values([4, 6], 11);
    const w = values([6, 5], 12);
    let inside: tf.Tensor | null = x;
    tf.grad((t: tf.Tensor) => {
      inside = fusedLinear(t, w);
      return t.sum();
    })(x).dispose();
    expect(inside).toBeNull();
    expect(fusedLinear(x, values([7, 5], 13))).toBeNull(); // k mismatch
    expect(fusedLinear(x, w, { scale: values([3, 6], 14) })).toBeNull(); // scale not a suffix of x's shape
    expect(fusedLinear(x, w, { bias: values([4], 15) })).toBeNull();
    expect(fusedLinear(x, w, { activation: 'geglu' })).toBeNull(); // odd output width
    setWasmFusedLinear(null);
    expect(fusedLinear(x, w)).toBeNull();
    setWasmFusedLinear(simd);
    const y = fusedLinear(x, w)!;
    expect(y.shape).toEqual([4, 5]);
    tf.dispose([x, w, y]);
  });
});

describe('fusedLayerNormAffine (NacLayerNormAffine)', () => {
  it('equals layer norm, Multiply and Add bit for bit, and declines under a gradient', () => {
    const x = values([3, 5, 24], 41);
    const gamma = values([24], 42);
    const beta = values([24], 43);
    for (const [g, b] of [
      [gamma, beta],
      [gamma, null],
      [null, beta],
      [null, null],
    ] as const) {
      const got = fusedLayerNormAffine(x, g, b, 1e-5)!;
      const want = tf.tidy(() => {
        let y = layerNorm(x, 1e-5);
        if (g) y = y.mul(g);
        return b ? y.add(b) : y;
      });
      expect(bits(got)).toEqual(bits(want));
      tf.dispose([got, want]);
    }
    expect(fusedLayerNormAffine(x, values([5], 44), null, 1e-5)).toBeNull();
    let inside: tf.Tensor | null = x;
    tf.grad((t: tf.Tensor) => {
      inside = fusedLayerNormAffine(t, gamma, beta, 1e-5);
      return t.sum();
    })(x).dispose();
    expect(inside).toBeNull();
    tf.dispose([x, gamma, beta]);
  });
});

function composedAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor | null, heads: number, scale: number): tf.Tensor {
  return tf.tidy(() => {
    const split = (t: tf.Tensor): tf.Tensor => {
      const [B, U, D] = t.shape as [number, number, number];
      return t.reshape([B, U, heads, D / heads]).transpose([0, 2, 1, 3]);
    };
    let s = tf.matMul(split(q), split(k), false, true).mul(scale);
    if (bias) s = s.add(bias.rank === 3 ? bias.expandDims(1) : bias);
    const o = tf.matMul(tf.softmax(s, -1), split(v));
    const [B, H, U, dh] = o.shape as [number, number, number, number];
    return o.transpose([0, 2, 1, 3]).reshape([B, U, H * dh]);
  });
}

/** Largest |a - b|; NaN in both counts as equal, NaN in one as Infinity. */
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let d = 0;
  for (let i = 0; i < x.length; i++) {
    const [u, v] = [x[i] as number, y[i] as number];
    d = Math.max(d, Number.isNaN(u) || Number.isNaN(v) ? (Number.isNaN(u) && Number.isNaN(v) ? 0 : Infinity) : Math.abs(u - v));
  }
  return d;
}

describe('fusedAttention (NacAttention)', () => {
  // [B, nq, nk, heads, dh]
  const SHAPES: Array<[number, number, number, number, number]> = [
    [2, 5, 7, 2, 3],
    [3, 64, 80, 4, 32],
    [1, 1, 1, 1, 8],
    [2, 9, 130, 3, 4],
    [5, 6, 10, 2, 12],
  ];

  it.each(SHAPES.map((s) => [JSON.stringify(s), s] as const))('matches the composed attention: %s', (_name, [B, nq, nk, H, dh]) => {
    const q = values([B, nq, H * dh], 21);
    const k = values([B, nk, H * dh], 22);
    const v = values([B, nk, H * dh], 23);
    const shared = values([nq, nk], 24);
    // A mask: every third pair cut (-Infinity), never a whole row.
    const masked = tf.tidy(() => {
      const cut = tf.tensor2d(
        Array.from({ length: nq * nk }, (_, i) => (i % 3 === 1 && i % nk !== 0 ? -Infinity : 0)),
        [nq, nk],
      );
      return tf.stack(Array.from({ length: B }, (_, b) => shared.mul(b + 1).add(cut)));
    });
    // Sparse masks (3 pairs in 4 cut: wasm/src/attention-sparse.h, attention-lanes.h), one row fully masked (NaN).
    const sparseCut = (b: number) => Array.from({ length: nq * nk }, (_, i) => ((nq > 1 && i < nk) || (i + b) % 4 !== 0 ? -Infinity : 0));
    const sparseShared = tf.tidy(() => shared.add(tf.tensor2d(sparseCut(0), [nq, nk])));
    const sparseEach = tf.tidy(() =>
      tf.stack(Array.from({ length: B }, (_, b) => shared.mul(b + 1).add(tf.tensor2d(sparseCut(b), [nq, nk])))),
    );
    for (const bias of [null, shared, masked, sparseShared, sparseEach]) {
      const got = fusedAttention(q, k, v, bias, H, 1 / Math.sqrt(dh));
      expect(got, 'fused kernel declined').not.toBeNull();
      const want = composedAttention(q, k, v, bias, H, 1 / Math.sqrt(dh));
      expect(got!.shape).toEqual([B, nq, H * dh]);
      expect(maxAbsDiff(got!, want)).toBeLessThan(2e-6);
      tf.dispose([got!, want]);
    }
    tf.dispose([q, k, v, shared, masked, sparseShared, sparseEach]);
  });

  it('declines while a gradient is recorded and for shapes it does not cover', () => {
    const q = values([2, 3, 8], 31);
    const k = values([2, 4, 8], 32);
    let inside: tf.Tensor | null = q;
    tf.grad((t: tf.Tensor) => {
      inside = fusedAttention(t, k, k, null, 2, 0.5);
      return t.sum();
    })(q).dispose();
    expect(inside).toBeNull();
    expect(fusedAttention(q, k, k, null, 3, 0.5)).toBeNull(); // 8 features do not split into 3 heads
    expect(fusedAttention(q, k, k, values([3, 5], 33), 2, 0.5)).toBeNull(); // bias shape
    tf.dispose([q, k]);
  });
});

describe('a NAC eval forward with the fused kernels', () => {
  it('runs them, equals the forward without them, and leaks no tensors', async () => {
    const model = tinyNAC(5); // cpu-tiny: 8×8×1 images, in eval mode
    const input = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 2);
    const fused = tf.tidy(() => model.forward(input));
    const profile = await tf.profile(() => tf.tidy(() => model.forward(input)));
    const names = new Set(profile.kernels.map((k) => k.name));
    expect([...names].filter((n) => n.startsWith('Nac')).sort()).toEqual(
      expect.arrayContaining(['NacAttention', 'NacLayerNormAffine', 'NacLinear']),
    );
    (profile.result as tf.Tensor).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.tidy(() => model.forward(input)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    setWasmFusedLinear(null);
    setWasmFusedAttention(null);
    setWasmFusedLayerNormAffine(null);
    const plain = tf.tidy(() => model.forward(input));
    setWasmFusedLinear(simd);
    setWasmFusedAttention(simd);
    setWasmFusedLayerNormAffine(simd);
    expect(maxAbsDiff(fused, plain)).toBeLessThan(1e-5);
    expect(Number.isFinite(fused.dataSync()[0])).toBe(true);
    tf.dispose([fused, plain, input]);
    model.dispose();
  });
});
