// The fused eval linear map of the webgpu backend (src/engine/kernels/linear-webgpu.ts, reached through
// fusedLinear in src/engine/kernels/linear-simd.ts): residual + gain ⊙ ((x ⊙ scale)·W + bias) and the GEGLU
// form in the tiled matmul's program, against the composed tfjs ops on the same backend (whose product runs in
// the same program), with vec4 and scalar loads, 8- and 16-deep steps, ragged edges; one program per map (two
// for GEGLU); and the composed ops back where it declines. Runs only where WebGPU works (the optional `webgpu`
// package and a Vulkan driver, e.g. lavapipe: eval "$(bash bench/gpu/lavapipe.sh)"); CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { fusedLinear } from '../../src/engine/kernels/linear-simd.js';
import { fusedLinearMode, setWebGpuFusedLinear } from '../../src/engine/kernels/linear-webgpu.js';
import { setTiledMatMulLoads, setTiledMatMulStep, setWebGpuTiledMatMul } from '../../src/engine/kernels/matmul-webgpu.js';
import { gegluAffine } from '../../src/nn/activations.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { randomData, relError, spyWebGpuPrograms, startWebGpuForTests } from './helpers.js';

const webgpu = await startWebGpuForTests();

const values = (shape: number[], seed: number) => tf.tensor(randomData(tf.util.sizeFromShape(shape), seed), shape);

interface Parts {
  scale?: tf.Tensor;
  bias?: tf.Tensor;
  gain?: tf.Tensor;
  residual?: tf.Tensor;
}

/** The ops ModFC composes when no fused kernel runs (src/nn/modfc.ts). */
function composed(x: tf.Tensor, w: tf.Tensor, { scale, bias, gain, residual }: Parts): tf.Tensor {
  return tf.tidy(() => {
    const [k, n] = w.shape as [number, number];
    const xm = scale == null ? x : x.mul(scale);
    let y: tf.Tensor = tf.matMul(xm.reshape([-1, k]), w);
    if (bias != null) y = y.add(bias);
    y = y.reshape([...x.shape.slice(0, -1), n]);
    if (gain != null) y = y.mul(gain);
    return residual != null ? residual.add(y) : y;
  });
}

async function read(t: tf.Tensor): Promise<Float32Array> {
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

describe('fused linear map mode (any backend)', () => {
  it('follows the tiled matmul mode, and is off where untransposed products stay on tfjs', () => {
    expect(fusedLinearMode('auto')).toBe('auto');
    expect(fusedLinearMode(true)).toBe(true);
    expect(fusedLinearMode('transposed')).toBe(false);
    expect(fusedLinearMode(false)).toBe(false);
  });
});

describe.skipIf(!webgpu)('fused linear map on webgpu', () => {
  // test/setup.ts selects the test backend (wasm) before each file's tests: switch back to webgpu.
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
    setWebGpuTiledMatMul(true); // the composed product in the same program as the fused one
    setWebGpuFusedLinear(true); // small products too
  });
  afterAll(() => {
    setWebGpuTiledMatMul('auto');
    setWebGpuFusedLinear('auto');
    setTiledMatMulLoads('scalar');
    setTiledMatMulStep(8);
  });

  // [batch, modules, k] by [k, n]: k a multiple of 4 (vec4 loads where asked) or not (scalar), rows and columns
  // not multiples of the 128 tile.
  const cases = [
    { lead: [3, 100], k: 260, n: 200 },
    { lead: [2, 75], k: 258, n: 131 },
  ];
  for (const loads of ['vec4', 'scalar'] as const)
    for (const step of [8, 16] as const)
      it(`equals the composed ops with scale, bias, gain and residual (${loads} loads, ${step}-deep steps)`, async () => {
        setTiledMatMulLoads(loads);
        setTiledMatMulStep(step);
        for (const { lead, k, n } of cases) {
          const x = values([...lead, k], 1);
          const w = values([k, n], 2).mul(0.1);
          const parts = {
            scale: values([lead[1]!, k], 3).add(1),
            bias: values([n], 4),
            gain: values([n], 5),
            residual: values([...lead, n], 6),
          };
          for (const used of [parts, { bias: parts.bias }]) {
            const got = fusedLinear(x, w, used);
            expect(got, `${lead} ${k} ${n}`).not.toBeNull();
            expect(got!.shape).toEqual([...lead, n]);
            const label = `${lead}×${k}·${n}, ${Object.keys(used).join('+') || 'plain'}`;
            expect(relError(await read(got!), await read(composed(x, w, used))), label).toBeLessThan(1e-6);
          }
          tf.dispose([x, w, ...Object.values(parts)]);
        }
      });

  it('computes GEGLU as two products on the halves of W in place, the second gated by the first, equal to the composed GEGLU', async () => {
    // 2h = 402: halves of 201 columns, read by scalar loads whatever is asked.
    for (const [loads, twoH] of [
      ['vec4', 400],
      ['scalar', 400],
      ['vec4', 402],
    ] as const) {
      setTiledMatMulLoads(loads);
      const x = values([3, 100, 260], 7);
      const w = values([260, twoH], 8).mul(0.1);
      const scale = values([100, 260], 9).add(1);
      const bias = values([twoH], 10);
      const got = fusedLinear(x, w, { scale, bias, activation: 'geglu' });
      expect(got!.shape).toEqual([3, 100, twoH / 2]);
      const want = gegluAffine(x.mul(scale), w, bias);
      expect(relError(await read(got!), await read(want)), `${loads}, 2h = ${twoH}`).toBeLessThan(2e-6);
      tf.dispose([x, w, scale, bias]);
    }
  });

  it('runs one program per map (two for GEGLU, no slices) where tfjs runs five', () => {
    setTiledMatMulLoads('vec4');
    setTiledMatMulStep(16);
    const { programs, restore } = spyWebGpuPrograms();
    try {
      const x = values([3, 100, 260], 11);
      const w = values([260, 400], 12);
      const p = { scale: values([100, 260], 13), bias: values([400], 14), gain: values([400], 15), residual: values([3, 100, 400], 16) };
      expect(programs(() => fusedLinear(x, w, p)!)).toEqual(['nacTiledMatMul_false_false_16_vec4_fused_scale_bias_gain_residual']);
      const geglu = programs(() => fusedLinear(x, w, { scale: p.scale, bias: p.bias, activation: 'geglu' })!);
      expect(geglu).toEqual([
        'nacTiledMatMul_false_false_16_vec4_fused_scale_bias',
        'nacTiledMatMul_false_false_16_vec4_fused_scale_bias_gate',
      ]);
      expect(programs(() => composed(x, w, p)).length).toBeGreaterThanOrEqual(5);
      tf.dispose([x, w, ...Object.values(p)]);
    } finally {
      restore();
    }
  });

  it('declines while a gradient is recorded, below the tile size, with a split contraction, and when removed', () => {
    const x = values([300, 260], 17);
    const w = values([260, 200], 18);
    tf.grad((t: tf.Tensor) => {
      expect(fusedLinear(t, w)).toBeNull();
      return t.sum();
    })(x).dispose();
    const small = values([100, 260], 19);
    expect(fusedLinear(small, w)).toBeNull(); // fewer rows than a tile side: tfjs' kernel
    const long = values([300, 600], 20);
    expect(fusedLinear(long, values([600, 200], 21))).toBeNull(); // 6 tiles, K = 600: the contraction would be split
    setWebGpuFusedLinear('auto');
    expect(fusedLinear(x, w)).toBeNull(); // 6 tiles: 'auto' leaves it to tfjs' kernel
    setWebGpuFusedLinear(false);
    expect(fusedLinear(x, w)).toBeNull();
    setWebGpuFusedLinear(true);
    const y = fusedLinear(x, w);
    expect(y).not.toBeNull();
    tf.dispose([x, w, small, long, y!]);
  });

  it('gives a NAC the same eval logits as the composed ops, running fused maps', async () => {
    setTiledMatMulLoads('vec4');
    // cpu-tiny widened so that its maps reach the tile size: 8 examples × 32 propagators = 256 rows of 128.
    const model = new NAC({ ...nacPreset('cpu-tiny'), stateDim: 128, numPropagators: 32 }, { seed: 5 }).eval();
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 6);
    const { programs, restore } = spyWebGpuPrograms();
    let fusedRuns: number;
    let fused: Float32Array;
    try {
      let logits: tf.Tensor | null = null;
      fusedRuns = programs(() => (logits = model.forward(x)).clone()).filter((key) => key.includes('_fused_')).length;
      fused = await read(logits!);
    } finally {
      restore();
    }
    setWebGpuFusedLinear(false);
    model.clearEvalCaches();
    const plain = await read(model.forward(x));
    setWebGpuFusedLinear(true);
    expect(fusedRuns).toBeGreaterThanOrEqual(8); // per propagator layer: query, output, both feed-forward maps
    expect(relError(fused, plain)).toBeLessThan(1e-5);
    tf.dispose(x);
    model.dispose();
  });
});
