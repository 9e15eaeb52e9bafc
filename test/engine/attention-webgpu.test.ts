// The fused eval attention of the webgpu backend (src/engine/kernels/attention-webgpu.ts, reached through
// fusedAttention) against the composed tfjs ops on the same backend: shared and per-example biases with
// masked pairs, no bias, row and key counts that cut the workgroup and the key block, head sizes; a fully
// masked row; the cases it declines; and a NAC's eval logits with it on and off. Runs only where WebGPU
// works (the optional `webgpu` package and a Vulkan driver, e.g. lavapipe: eval "$(bash
// bench/gpu/lavapipe.sh)"); CI runs it on lavapipe
// (NAC_REQUIRE_WEBGPU=1: a WebGPU that does not start fails it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/index.js';
import { fusedAttention } from '../../src/engine/kernels/attention-simd.js';
import { setWebGpuFusedAttention } from '../../src/engine/kernels/attention-webgpu.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { spyWebGpuPrograms, startWebGpuForTests } from './helpers.js';

const webgpu = await startWebGpuForTests();

/** softmax(q_h·k_hᵀ·scale + bias)·v_h merged over heads, with tfjs ops. */
function composed(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor | null, heads: number, scale: number): tf.Tensor {
  return tf.tidy(() => {
    const split = (x: tf.Tensor) => x.reshape([x.shape[0]!, x.shape[1]!, heads, -1]).transpose([0, 2, 1, 3]);
    let s = tf.matMul(split(q), split(k), false, true).mul(scale);
    if (bias != null) s = s.add(bias.rank === 3 ? bias.expandDims(1) : bias);
    const o = tf.matMul(tf.softmax(s, -1), split(v)).transpose([0, 2, 1, 3]);
    return o.reshape(q.shape);
  });
}

/** A bias with about 60 % of the pairs masked (-Infinity) and at least one open pair per row. */
function maskedBias(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const nk = shape[shape.length - 1] as number;
  const data = Float32Array.from({ length: n }, (_, i) =>
    i % nk === (Math.floor(i / nk) * 7) % nk ? 0.3 : Math.sin(i * 1.7 + seed) > -0.2 ? -Infinity : 0.5 * Math.cos(i),
  );
  return tf.tensor(data, shape);
}

describe.skipIf(!webgpu)('fused attention on webgpu', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'webgpu', quiet: true });
    setWebGpuFusedAttention(true);
  });
  afterAll(() => {
    setWebGpuFusedAttention(false);
  });

  const cases: [string, number, number, number, number, number, 'shared' | 'per-example' | 'none'][] = [
    ['shared masked bias', 3, 70, 37, 2, 16, 'shared'],
    ['per-example masked bias', 2, 64, 48, 3, 8, 'per-example'],
    ['no bias, head size 64', 2, 20, 90, 2, 64, 'none'],
  ];
  // rows: the default (bias staged in workgroup memory); unstaged: the bias read per pair; blocked: opt-in.
  const choices = [true, 'unstaged', 'blocked'] as const;
  const programName = (p: (typeof choices)[number]) => (p === true ? 'rows' : p);
  for (const program of choices)
    for (const [name, B, nq, nk, H, dh, biasKind] of cases) {
      it(`${programName(program)} program, ${name}: [${B}, ${nq}, ${H}×${dh}] over ${nk} keys equals the composed ops`, async () => {
        setWebGpuFusedAttention(program);
        try {
          const q = tf.randomNormal([B, nq, H * dh], 0, 1, 'float32', 1);
          const k = tf.randomNormal([B, nk, H * dh], 0, 1, 'float32', 2);
          const v = tf.randomNormal([B, nk, H * dh], 0, 1, 'float32', 3);
          const bias = biasKind === 'none' ? null : maskedBias(biasKind === 'shared' ? [nq, nk] : [B, nq, nk], 4);
          const scale = 1 / Math.sqrt(dh);
          const fused = fusedAttention(q, k, v, bias, H, scale);
          expect(fused).not.toBeNull();
          const want = await composed(q, k, v, bias, H, scale).data();
          const got = await fused!.data();
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
          expect(worst).toBeLessThan(2e-5);
          tf.dispose([q, k, v, fused!, ...(bias ? [bias] : [])]);
        } finally {
          setWebGpuFusedAttention(true);
        }
      });
    }

  it('runs the program asked for: staged bias by default, the blocked one for head sizes up to 64', () => {
    const { programs, restore } = spyWebGpuPrograms();
    try {
      const at = (dh: number, withBias = false) => {
        const q = tf.randomNormal([2, 20, 2 * dh], 0, 1, 'float32', 1);
        const bias = withBias ? tf.zeros([20, 20]) : null;
        const keys = programs(() => fusedAttention(q, q, q, bias, 2, 1)!);
        tf.dispose([q, ...(bias ? [bias] : [])]);
        return keys;
      };
      setWebGpuFusedAttention('blocked');
      expect(at(64)).toEqual(['nacAttentionBlocked_64_noBias']);
      expect(at(128)).toEqual(['nacAttention_128_noBias']);
      setWebGpuFusedAttention(true);
      expect(at(64)).toEqual(['nacAttention_64_noBias']);
      expect(at(64, true)).toEqual(['nacAttention_64_stagedBias']);
      setWebGpuFusedAttention('unstaged');
      expect(at(64, true)).toEqual(['nacAttention_64_bias']);
    } finally {
      restore();
      setWebGpuFusedAttention(true);
    }
  });

  it('gives NaN for a row with every pair masked, as the composed softmax does (every program)', async () => {
    const q = tf.ones([1, 2, 4]);
    const kv = tf.ones([1, 3, 4]);
    const bias = tf.tensor2d([
      [0, 0, 0],
      [-Infinity, -Infinity, -Infinity],
    ]);
    for (const program of choices) {
      setWebGpuFusedAttention(program);
      const out = await fusedAttention(q, kv, kv, bias, 1, 0.5)!.data();
      expect(Array.from(out.slice(0, 4))).toEqual([1, 1, 1, 1]);
      expect(Array.from(out.slice(4)).every(Number.isNaN)).toBe(true);
    }
    setWebGpuFusedAttention(true);
    tf.dispose([q, kv, bias]);
  });

  it('declines head sizes it does not cover and gradient recording', () => {
    const q = tf.ones([1, 4, 6]);
    expect(fusedAttention(q, q, q, null, 2, 1)).toBeNull(); // dh = 3
    const x = tf.ones([1, 4, 8]);
    tf.grad((t: tf.Tensor) => {
      expect(fusedAttention(t, t, t, null, 2, 1)).toBeNull();
      return t.sum();
    })(x);
    tf.dispose([q, x]);
  });

  it('gives a NAC the same eval logits as the composed attention (every program)', async () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 5 }).eval();
    const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 6);
    setWebGpuFusedAttention(false);
    const plain = await model.forward(x).data();
    for (const program of choices) {
      setWebGpuFusedAttention(program);
      model.clearEvalCaches();
      const fused = await model.forward(x).data();
      let worst = 0;
      for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs((fused[i] as number) - (plain[i] as number)));
      expect(worst, String(program)).toBeLessThan(1e-4);
      expect(worst, String(program)).toBeGreaterThan(0); // the fused kernel really ran (its rounding differs)
    }
    setWebGpuFusedAttention(true);
    tf.dispose(x);
    model.dispose();
  });
});
