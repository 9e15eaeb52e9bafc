// The tiled webgpu matrix product (src/engine/kernels/matmul-webgpu.ts): its plan and per-product choice (which products it
// takes, how it splits long contractions) everywhere, and on WebGPU its products against products
// computed here in double precision: every transpose pair, tiles cut by the matrix edges, broadcast
// batches, split contractions, and a gradient. The WebGPU part runs only where WebGPU works (the
// optional `webgpu` package and a Vulkan driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)");
// CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { spyWebGpuPrograms, startWebGpuForTests } from './helpers.js';
import {
  AUTO_MIN_K,
  AUTO_MIN_TILES,
  MAX_SPLITS,
  MIN_SIDE,
  SPLIT_ALIGN,
  setTiledMatMulLoads,
  setTiledMatMulStep,
  setWebGpuTiledMatMul,
  tiledMatMulChoice,
  tiledMatMulPlan,
  type TiledMatMulMode,
} from '../../src/engine/kernels/matmul-webgpu.js';

describe('tiled webgpu matmul plan', () => {
  it('takes large products, leaves small ones and unbroadcastable batches to the stock kernel', () => {
    expect(tiledMatMulPlan([MIN_SIDE - 1, 64], [64, 512], false, false)).toBeNull();
    expect(tiledMatMulPlan([512, 64], [64, MIN_SIDE - 1], false, false)).toBeNull();
    expect(tiledMatMulPlan([512, 64], [65, 512], false, false)).toBeNull(); // inner sizes differ
    expect(tiledMatMulPlan([2, 3, 256, 64], [3, 2, 64, 256], false, false)).toBeNull(); // neither side is one matrix
    expect(tiledMatMulPlan([70000, 128, 8], [8, 128], false, false)).toBeNull(); // more batch entries than one dispatch axis takes
    expect(tiledMatMulPlan([0, 256, 64], [64, 256], false, false)).toBeNull(); // an empty batch
    const p = tiledMatMulPlan([2, 3, 64, 300], [200, 64], true, true);
    expect(p).toMatchObject({ m: 300, n: 200, k: 64, batchA: 6, batchB: 1, outShape: [2, 3, 300, 200], splits: 1 });
    expect(tiledMatMulPlan([300, 64], [4, 64, 200], false, false)?.outShape).toEqual([4, 300, 200]);
  });

  it('splits a long contraction over few tiles into parts that start on a step and cover it once', () => {
    // The paper-tiny NAC's weight gradient: 9 output tiles, K = 40960.
    const p = tiledMatMulPlan([40960, 384], [40960, 384], true, false)!;
    expect(p.splits).toBeGreaterThan(1);
    expect(p.splits).toBeLessThanOrEqual(MAX_SPLITS);
    expect(p.kChunk % SPLIT_ALIGN).toBe(0);
    expect(p.splits * p.kChunk).toBeGreaterThanOrEqual(40960);
    expect((p.splits - 1) * p.kChunk).toBeLessThan(40960);
    // Many tiles or a short contraction: no split.
    expect(tiledMatMulPlan([32768, 384], [384, 1536], false, false)!.splits).toBe(1);
    expect(tiledMatMulPlan([128, 300], [300, 128], false, false)!.splits).toBe(1);
  });
});

describe('tiled webgpu matmul choice', () => {
  const choose = (mode: Exclude<TiledMatMulMode, false>, a: number[], b: number[], ta: boolean, tb: boolean) =>
    tiledMatMulChoice(mode, tiledMatMulPlan(a, b, ta, tb)!, ta, tb);

  it("in 'auto' mode picks per product what ran fastest on an H200", () => {
    // The paper-tiny NAC's forward products and dY·Wᵀ: vec4 loads, 16-deep steps.
    expect(choose('auto', [40960, 384], [384, 384], false, false)).toEqual({ loads: 'vec4', step: 16 });
    expect(choose('auto', [32768, 768], [768, 384], false, false)).toEqual({ loads: 'vec4', step: 16 });
    expect(choose('auto', [32768, 384], [768, 384], false, true)).toEqual({ loads: 'vec4', step: 16 });
    // Weight gradients (split contraction): vec4 loads, 8-deep steps.
    expect(choose('auto', [40960, 384], [40960, 384], true, false)).toEqual({ loads: 'vec4', step: 8 });
    // Attention scores, K = 64 < AUTO_VEC4_MIN_K: scalar loads.
    expect(choose('auto', [768, 256, 64], [768, 320, 64], false, true)).toEqual({ loads: 'scalar', step: 8 });
    // Rows not a multiple of 4: scalar where transposed or long, else tfjs' kernel.
    expect(choose('auto', [200, 130], [130, AUTO_MIN_K + 2], false, false)).toBeNull();
    expect(choose('auto', [200, AUTO_MIN_K + 2], [AUTO_MIN_K + 2, 130], false, false)).toEqual({ loads: 'scalar', step: 8 });
    expect(choose('auto', [16384, 130], [130, 130], false, true)).toEqual({ loads: 'scalar', step: 8 });
    // Unsplit products of fewer than AUTO_MIN_TILES tiles (the circuit generator's): tfjs' kernel.
    expect(choose('auto', [256, 384], [384, 384], false, false)).toBeNull();
    expect(choose('auto', [256, 384], [256, 384], true, false)).toBeNull();
    expect(choose('auto', [128 * AUTO_MIN_TILES, 384], [384, 128], false, false)).toEqual({ loads: 'vec4', step: 16 });
  });

  it('in the fixed modes uses the set loads and step, vec4 only where rows allow', () => {
    try {
      setTiledMatMulLoads('vec4');
      setTiledMatMulStep(16);
      expect(choose(true, [256, 384], [384, 384], false, false)).toEqual({ loads: 'vec4', step: 16 });
      expect(choose(true, [256, 130], [130, 384], false, false)).toEqual({ loads: 'scalar', step: 16 });
      expect(choose('transposed', [256, 384], [384, 384], false, false)).toBeNull();
      expect(choose('transposed', [384, 256], [384, 384], true, false)).toEqual({ loads: 'vec4', step: 16 });
      expect(() => setTiledMatMulLoads('vec8' as 'vec4')).toThrow(/'scalar' or 'vec4'/);
    } finally {
      setTiledMatMulLoads('scalar');
      setTiledMatMulStep(8);
    }
  });
});

const webgpu = await startWebGpuForTests();

/** Row-major matrix of `shape` with entries from a fixed sequence. */
function filled(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed) * 1.5),
    shape,
  );
}

/** op(a)·op(b) per batch entry (one side may be a single matrix) in double, with Σ|a||b| for the error bound. */
function hostProduct(a: Float32Array, aShape: number[], ta: boolean, b: Float32Array, bShape: number[], tb: boolean) {
  const [ar, ac] = aShape.slice(-2) as [number, number];
  const [br, bc] = bShape.slice(-2) as [number, number];
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const n = tb ? br : bc;
  const batchA = a.length / (ar * ac);
  const batchB = b.length / (br * bc);
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  const mag = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const ao = (batchA === 1 ? 0 : z) * ar * ac;
    const bo = (batchB === 1 ? 0 : z) * br * bc;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let g = 0;
        for (let r = 0; r < k; r++) {
          const x = a[ao + (ta ? r * ac + i : i * ac + r)] as number;
          const y = b[bo + (tb ? j * bc + r : r * bc + j)] as number;
          s += x * y;
          g += Math.abs(x * y);
        }
        out[(z * m + i) * n + j] = s;
        mag[(z * m + i) * n + j] = g;
      }
  }
  return { out, mag };
}

describe.skipIf(!webgpu)('tiled matmul on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
    expect(setWebGpuTiledMatMul(true)).toBe(true);
  });
  afterAll(() => {
    setWebGpuTiledMatMul(false);
  });

  const cases: [number[], number[], boolean, boolean][] = [
    [[200, 70], [70, 130], false, false],
    [[70, 200], [70, 130], true, false],
    [[200, 70], [130, 70], false, true],
    [[70, 200], [130, 70], true, true],
    [[2, 3, 130, 40], [40, 140], false, false], // broadcast B
    [[130, 40], [2, 3, 40, 140], false, false], // broadcast A
    [[5, 140, 130], [5, 150, 140], true, true],
    [[4000, 130], [4000, 140], true, false], // split contraction
    [[130, 4000], [140, 4000], false, true],
    [[2, 3001, 130], [2, 3001, 129], true, false], // split, batched, K not a multiple of the step
    // Rows a multiple of 4 floats long (vec4 loads take these; the ones above stay scalar), cut by the tile edges.
    [[200, 72], [72, 132], false, false],
    [[72, 200], [72, 132], true, false],
    [[200, 72], [132, 72], false, true],
    [[72, 200], [132, 72], true, true],
    [[2, 3, 132, 40], [40, 140], false, false],
    [[3, 140, 132], [3, 152, 140], true, true],
    [[4000, 132], [4000, 140], true, false],
    [[132, 4004], [140, 4004], false, true],
    [[2, 3004, 132], [2, 3004, 128], true, false],
  ];
  for (const loads of ['scalar', 'vec4'] as const)
    for (const step of [8, 16] as const)
      for (const [sa, sb, ta, tb] of cases) {
        it(`${loads} loads, step ${step}: [${sa}]${ta ? 'ᵀ' : ''}·[${sb}]${tb ? 'ᵀ' : ''} equals the double-precision product to float32 rounding`, async () => {
          setTiledMatMulStep(step);
          setTiledMatMulLoads(loads);
          const a = filled(sa, 1);
          const b = filled(sb, 2);
          const y = tf.matMul(a, b, ta, tb);
          const got = await y.data();
          const { out, mag } = hostProduct(await a.data(), sa, ta, await b.data(), sb, tb);
          expect(y.shape).toEqual(tiledMatMulPlan(sa, sb, ta, tb)!.outShape);
          let worst = 0;
          for (let i = 0; i < out.length; i++)
            worst = Math.max(worst, Math.abs((got[i] as number) - (out[i] as number)) / ((mag[i] as number) + 1e-30));
          expect(worst).toBeLessThan(1e-5);
          tf.dispose([a, b, y]);
          setTiledMatMulStep(8);
          setTiledMatMulLoads('scalar');
        });
      }

  it('takes the products its mode names (all, transposed, auto) and loads vec4s only where rows are a multiple of 4', () => {
    const spy = spyWebGpuPrograms();
    /** The tiled program's shader key, or null when tfjs' kernel ran the product. */
    const tiledKey = (f: () => tf.Tensor): string | null => spy.programs(f).find((k) => k.startsWith('nacTiledMatMul')) ?? null;
    try {
      const a = filled([200, 140], 5);
      const b = filled([140, 130], 6);
      const bt = filled([130, 140], 7);
      const long = filled([140, AUTO_MIN_K], 8);
      const w = filled([AUTO_MIN_K, 132], 9);
      setWebGpuTiledMatMul('transposed');
      expect(tiledKey(() => tf.matMul(a, b))).toBeNull();
      expect(tiledKey(() => tf.matMul(a, bt, false, true))).not.toBeNull();
      setWebGpuTiledMatMul('auto');
      expect(tiledKey(() => tf.matMul(a, b))).toBeNull(); // untransposed, short contraction, rows of 130 floats
      expect(tiledKey(() => tf.matMul(a, bt, false, true))).toBeNull(); // 4 tiles, unsplit
      expect(tiledKey(() => tf.matMul(long, w))).toMatch(/_8_vec4$/); // 4 tiles: the contraction is split, 8-deep steps
      setWebGpuTiledMatMul(true);
      expect(tiledKey(() => tf.matMul(a, b))).toMatch(/_scalar$/);
      setTiledMatMulLoads('vec4');
      expect(tiledKey(() => tf.matMul(a, b))).toMatch(/_scalar$/); // B's rows are 130 floats long
      expect(tiledKey(() => tf.matMul(long, w))).toMatch(/_vec4$/);
      tf.dispose([a, b, bt, long, w]);
    } finally {
      spy.restore();
      setWebGpuTiledMatMul(true);
      setTiledMatMulLoads('scalar');
    }
  });

  it('gives matMul gradients equal to the stock kernel’s', async () => {
    const a = filled([300, 150], 3);
    const b = filled([150, 140], 4);
    const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.matMul(x, w).square().sum());
    const tiled = await Promise.all(g([a, b]).map((t) => t.data()));
    setWebGpuTiledMatMul(false);
    const stock = await Promise.all(g([a, b]).map((t) => t.data()));
    setWebGpuTiledMatMul(true);
    for (let j = 0; j < 2; j++) {
      const s = stock[j] as Float32Array;
      const scale = s.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const diff = (tiled[j] as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (s[i] as number))), 0);
      expect(diff / scale).toBeLessThan(1e-5);
    }
    tf.dispose([a, b]);
  });
});
