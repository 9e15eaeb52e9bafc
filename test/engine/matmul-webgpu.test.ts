// The tiled webgpu matrix product (src/engine/kernels/matmul-webgpu.ts): its plan (which products it
// takes, how it splits long contractions) everywhere, and on WebGPU its products against products
// computed here in double precision: every transpose pair, tiles cut by the matrix edges, broadcast
// batches, split contractions, and a gradient. The WebGPU part runs only where WebGPU works (the
// optional `webgpu` package and a Vulkan driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)");
// CI has neither and skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import {
  MAX_SPLITS,
  MIN_SIDE,
  SPLIT_ALIGN,
  setTiledMatMulStep,
  setWebGpuTiledMatMul,
  tiledMatMulPlan,
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

const webgpu = await initBackend({ backend: 'webgpu', quiet: true }).then(
  () => true,
  () => false,
);

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
  ];
  for (const step of [8, 16] as const)
    for (const [sa, sb, ta, tb] of cases) {
      it(`step ${step}: [${sa}]${ta ? 'ᵀ' : ''}·[${sb}]${tb ? 'ᵀ' : ''} equals the double-precision product to float32 rounding`, async () => {
        setTiledMatMulStep(step);
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
      });
    }

  it('in transposed-only mode takes the products with a transposed operand and leaves the others to tfjs', () => {
    const backend = tf.backend() as unknown as { runWebGPUProgram: (program: { shaderKey: string }, ...rest: unknown[]) => unknown };
    const run = backend.runWebGPUProgram;
    const keys: string[] = [];
    backend.runWebGPUProgram = function (program, ...rest) {
      keys.push(program.shaderKey);
      return run.call(this, program, ...rest);
    };
    const ran = (f: () => tf.Tensor): boolean => {
      keys.length = 0;
      tf.dispose(f());
      return keys.some((k) => k.startsWith('nacTiledMatMul'));
    };
    try {
      const a = filled([200, 140], 5);
      const b = filled([140, 130], 6);
      setWebGpuTiledMatMul('transposed');
      expect(ran(() => tf.matMul(a, b))).toBe(false);
      const bt = filled([130, 140], 7);
      expect(ran(() => tf.matMul(a, bt, false, true))).toBe(true);
      setWebGpuTiledMatMul(true);
      expect(ran(() => tf.matMul(a, b))).toBe(true);
      tf.dispose([a, b, bt]);
    } finally {
      backend.runWebGPUProgram = run;
      setWebGpuTiledMatMul(true);
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
