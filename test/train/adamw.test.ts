// AdamW: hand-computed steps, decay filter, bias correction, equality of the implementations, missing
// gradients, state round trip, clipping, no tensor leaks; and the default no-decay rule on real models.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AdamW, defaultAdamWImpl, type AdamWImpl } from '../../src/train/adamw.js';
import { clipByGlobalNorm, clipScale, globalNorm } from '../../src/train/grad-clip.js';
import { noDecayDefault, trainableNamedParameters } from '../../src/train/param-filter.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { Rng } from '../../src/util/rng.js';

const IMPLS: AdamWImpl[] = ['js', 'flat', 'flat-read'];
const vec = (t: tf.Tensor): number[] => Array.from(t.dataSync());
const params = (entries: [string, tf.Tensor][]): Map<string, tf.Variable> => new Map(entries.map(([k, t]) => [k, tf.variable(t)]));
const dispose = (m: ReadonlyMap<string, tf.Tensor>): void => m.forEach((t) => t.dispose());

/** Textbook AdamW on plain numbers (PyTorch's order of operations). */
function referenceSteps(p0: number[], grads: number[][], lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      const mHat = (m[i] as number) / (1 - b1 ** t);
      const vHat = (v[i] as number) / (1 - b2 ** t);
      p[i] = (p[i] as number) - lr * (mHat / (Math.sqrt(vHat) + eps) + wd * (p[i] as number));
    }
  });
  return p;
}

describe.each(IMPLS)('AdamW (%s)', (impl) => {
  it('matches two hand-computed steps, with and without weight decay', () => {
    for (const wd of [0, 0.1]) {
      const ps = params([['w', tf.tensor2d([[1, -2]])]]);
      const opt = new AdamW(ps, { lr: 0.1, weightDecay: wd, decay: () => true, impl });
      const g1 = tf.tensor2d([[0.1, -0.2]]);
      const g2 = tf.tensor2d([[0.3, 0.4]]);
      opt.step({ w: g1 }, 0.1);
      // Step 1: m̂ = g, v̂ = g², so the Adam term is g/(|g| + eps) ≈ ±1: p = p·(1 − 0.1·wd) − 0.1·sign(g).
      const expected1 = [1 - 0.1 * wd * 1 - 0.1, -2 + 0.1 * wd * 2 + 0.1];
      vec(ps.get('w') as tf.Variable).forEach((x, i) => expect(x).toBeCloseTo(expected1[i] as number, 6));
      opt.step(new Map([['w', g2]]), 0.1);
      const expected2 = referenceSteps(
        [1, -2],
        [
          [0.1, -0.2],
          [0.3, 0.4],
        ],
        0.1,
        wd,
      );
      vec(ps.get('w') as tf.Variable).forEach((x, i) => expect(x).toBeCloseTo(expected2[i] as number, 6));
      expect(opt.stepCount).toBe(2);
      [g1, g2].forEach((t) => t.dispose());
      opt.dispose();
      dispose(ps);
    }
  });

  it('decays only what the filter selects (default: no decay on biases, norms, codes, signatures)', () => {
    const ps = params([
      ['layer.weight', tf.ones([2, 2])],
      ['layer.bias', tf.ones([2])],
      ['circuit.latents.readIn.codes', tf.ones([2, 3])],
      ['norm.weight', tf.ones([2])],
    ]);
    const opt = new AdamW(ps, { lr: 0.5, weightDecay: 0.2, impl });
    expect(opt.decayedNames()).toEqual(['layer.weight']);
    const zeros = new Map([...ps].map(([k, v]) => [k, tf.zerosLike(v)] as [string, tf.Tensor]));
    opt.step(zeros, 0.5); // zero gradients: only the decay moves anything
    expect(vec(ps.get('layer.weight') as tf.Variable)).toEqual(Array(4).fill(Math.fround(1 - 0.5 * 0.2)));
    for (const k of ['layer.bias', 'circuit.latents.readIn.codes', 'norm.weight'])
      expect(vec(ps.get(k) as tf.Variable).every((x) => x === 1)).toBe(true);
    const all = new AdamW(ps, { lr: 0.5, weightDecay: 0.2, impl, decay: () => true });
    expect(all.decayedNames()).toHaveLength(4);
    [opt, all].forEach((o) => o.dispose());
    dispose(zeros);
    dispose(ps);
  });

  it('applies bias correction: a constant gradient moves every step by lr·sign(g)', () => {
    const ps = params([['p', tf.tensor1d([0.5, -0.25, 3])]]);
    const opt = new AdamW(ps, { lr: 0.01, weightDecay: 0, impl });
    const g = tf.tensor1d([0.2, -0.001, 5]);
    const lrs = [0.01, 0.02, 0.005, 0.01, 0.03];
    for (const lr of lrs) opt.step({ p: g }, lr);
    const moved = lrs.reduce((a, b) => a + b, 0);
    const got = vec(ps.get('p') as tf.Variable);
    [0.5 - moved, -0.25 + moved, 3 - moved].forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
    g.dispose();
    opt.dispose();
    dispose(ps);
  });

  it('leaves a parameter without a gradient alone, state included, and keeps its own step count', () => {
    const ps = params([
      ['a', tf.tensor1d([1, 2])],
      ['b', tf.tensor2d([[3, 4]])],
    ]);
    const opt = new AdamW(ps, { lr: 0.1, impl, decay: () => true });
    const ga = tf.tensor1d([0.5, -0.5]);
    const gb = tf.tensor2d([[1, 2]]);
    opt.step({ a: ga, b: gb }, 0.1);
    const before = opt.getState();
    const bBefore = vec(ps.get('b') as tf.Variable);
    opt.step({ a: ga }, 0.1);
    const after = opt.getState();
    expect(vec(ps.get('b') as tf.Variable)).toEqual(bBefore);
    expect(Array.from(after.tensors.get('m.b')?.data ?? [])).toEqual(Array.from(before.tensors.get('m.b')?.data ?? []));
    expect(Array.from(after.tensors.get('v.b')?.data ?? [])).toEqual(Array.from(before.tensors.get('v.b')?.data ?? []));
    expect(after.paramSteps).toEqual({ a: 2, b: 1 });
    // Mixed step counts: b's next step uses t = 2, a's t = 3 (checked against the reference).
    opt.step({ a: ga, b: gb }, 0.1);
    const refB = referenceSteps(
      [3, 4],
      [
        [1, 2],
        [1, 2],
      ],
      0.1,
      0.05,
    );
    const refA = referenceSteps(
      [1, 2],
      [
        [0.5, -0.5],
        [0.5, -0.5],
        [0.5, -0.5],
      ],
      0.1,
      0.05,
    );
    vec(ps.get('b') as tf.Variable).forEach((x, i) => expect(x).toBeCloseTo(refB[i] as number, 5));
    vec(ps.get('a') as tf.Variable).forEach((x, i) => expect(x).toBeCloseTo(refA[i] as number, 5));
    [ga, gb].forEach((t) => t.dispose());
    opt.dispose();
    dispose(ps);
  });

  it('does not leak tensors over 20 steps (with and without missing gradients)', () => {
    const ps = params([
      ['w', tf.randomNormal([4, 3], 0, 1, 'float32', 1)],
      ['b', tf.zeros([3])],
    ]);
    const grads = new Map([...ps].map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1, 'float32', 2)] as [string, tf.Tensor]));
    const opt = new AdamW(ps, { lr: 1e-2, impl });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) opt.step(i % 5 === 4 ? { w: grads.get('w') as tf.Tensor } : grads, 1e-2);
    opt.setState(opt.getState());
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    dispose(grads);
    dispose(ps);
  });
});

describe('AdamW implementations and state', () => {
  it('all implementations agree (to float32 rounding) on a cpu-tiny NAC, missing gradients included', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 1, skipPriorFit: true });
    const named = trainableNamedParameters(model);
    const initial = new Map([...named].map(([k, v]) => [k, v.clone()] as [string, tf.Tensor]));
    const rng = new Rng(3);
    const gradSteps = [0, 1, 2, 3].map((s) => {
      const m = new Map<string, tf.Tensor>();
      for (const [k, v] of named) if (s !== 2 || !k.includes('readOut')) m.set(k, tf.tensor(rng.normalArray(v.size, 0.01), v.shape));
      return m;
    });
    const lrs = [1e-3, 2e-3, 3e-3, 1e-3];
    const results: Float32Array[][] = [];
    for (const impl of IMPLS) {
      model.loadParameters(initial);
      const opt = new AdamW(named, { lr: 1e-3, impl });
      gradSteps.forEach((g, s) => opt.step(g, lrs[s] as number));
      results.push([...named.values()].map((v) => v.dataSync() as Float32Array));
      opt.dispose();
    }
    const moved = lrs.reduce((a, b) => a + b, 0);
    let worst = 0;
    for (const other of results.slice(1)) {
      other.forEach((arr, i) => {
        const ref = results[0]?.[i] as Float32Array;
        // Relative to the value and to how far Adam can move it (≈ Σ lr): float32 rounding only.
        for (let j = 0; j < arr.length; j++)
          worst = Math.max(worst, Math.abs((arr[j] as number) - (ref[j] as number)) / (Math.abs(ref[j] as number) + moved));
      });
    }
    expect(worst).toBeLessThan(1e-6);
    gradSteps.forEach(dispose);
    dispose(initial);
    model.dispose();
  });

  it.each([
    ['flat', 'flat', 0],
    ['js', 'js', 0],
    ['flat', 'js', 1e-7],
    ['js', 'flat-read', 1e-7],
  ] as const)('getState/setState round-trips (%s → %s): the next step is identical', (from, to, tol) => {
    const make = (): Map<string, tf.Variable> =>
      params([
        [
          'x.weight',
          tf.tensor2d([
            [0.3, -0.7],
            [1.1, 0.2],
          ]),
        ],
        ['x.bias', tf.tensor1d([0.1, -0.1])],
      ]);
    const g = {
      'x.weight': tf.tensor2d([
        [0.2, -0.1],
        [0.05, 0.4],
      ]),
      'x.bias': tf.tensor1d([-0.3, 0.6]),
    };
    const pa = make();
    const a = new AdamW(pa, { lr: 0.05, impl: from });
    a.step(g, 0.05);
    a.step({ 'x.weight': g['x.weight'] }, 0.02);
    const pb = make();
    pb.forEach((v, k) => v.assign(pa.get(k) as tf.Variable));
    const b = new AdamW(pb, { lr: 0.05, impl: to });
    b.setState(a.getState());
    expect(b.stepCount).toBe(2);
    a.step(g, 0.03);
    b.step(g, 0.03);
    for (const k of pa.keys()) {
      const want = vec(pa.get(k) as tf.Variable);
      vec(pb.get(k) as tf.Variable).forEach((x, i) => expect(Math.abs(x - (want[i] as number))).toBeLessThanOrEqual(tol));
    }
    const bad = a.getState();
    bad.tensors.set('m.x.weight', { shape: [4], data: new Float32Array(4) });
    bad.tensors.set('m.other', { shape: [1], data: new Float32Array(1) });
    bad.tensors.delete('v.x.bias');
    expect(() => b.setState(bad)).toThrow(/shape mismatch for 'm\.x\.weight': parameter \[2,2\], state \[4\]/);
    expect(() => b.setState(bad)).toThrow(/missing tensor 'v\.x\.bias'/);
    expect(() => b.setState(bad)).toThrow(/unexpected tensor 'm\.other'/);
    [a, b].forEach((o) => o.dispose());
    Object.values(g).forEach((t) => t.dispose());
    [pa, pb].forEach(dispose);
  });

  it("'auto' picks the fastest implementation measured for the backend and size", () => {
    expect(defaultAdamWImpl(57_376, 'wasm')).toBe('js');
    expect(defaultAdamWImpl(290_374, 'wasm')).toBe('flat-read');
    expect(defaultAdamWImpl(10_000_000, 'cpu')).toBe('js');
    expect(defaultAdamWImpl(1000, 'webgpu')).toBe('flat');
  });

  it("accepts tf.variableGrads' output (keyed by tfjs variable name) and rejects unknown names", () => {
    const ps = params([['w', tf.tensor1d([1, 2])]]);
    const w = ps.get('w') as tf.Variable;
    const opt = new AdamW(ps, { lr: 0.1, weightDecay: 0 });
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(w)), [w]);
    opt.step(grads, 0.1);
    vec(w).forEach((x, i) => expect(x).toBeCloseTo([0.9, 1.9][i] as number, 6));
    expect(() => opt.step({ nope: value }, 0.1)).toThrow(/gradient 'nope' matches no parameter/);
    value.dispose();
    Object.values(grads).forEach((t) => t.dispose());
    opt.dispose();
    dispose(ps);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales by maxNorm / norm above the limit, copies below it, and reports the pre-clip norm', () => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 4])],
      ['b', tf.tensor2d([[12]])],
    ]);
    expect(globalNorm(grads)).toBeCloseTo(13, 5);
    const clipped = clipByGlobalNorm(grads, 6.5);
    expect(clipped.norm).toBeCloseTo(13, 5);
    expect(vec(clipped.grads.get('a') as tf.Tensor).map((x) => +x.toFixed(5))).toEqual([1.5, 2]);
    expect(vec(clipped.grads.get('b') as tf.Tensor)[0]).toBeCloseTo(6, 5);
    const kept = clipByGlobalNorm(grads, 100);
    expect(kept.grads.get('a')).not.toBe(grads.get('a'));
    expect(vec(kept.grads.get('a') as tf.Tensor)).toEqual([3, 4]);
    [grads, clipped.grads, kept.grads].forEach(dispose);
  });

  it.each(IMPLS)('AdamW.step with gradScale = clipScale(norm) equals stepping on the clipped gradients (%s)', (impl) => {
    const make = (): Map<string, tf.Variable> =>
      params([
        [
          'w',
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
        ],
        ['b', tf.tensor1d([0.5, -0.5])],
      ]);
    const [pa, pb, pc] = [make(), make(), make()];
    const [a, b, c] = [pa, pb, pc].map((p) => new AdamW(p, { lr: 0.1, impl })) as [AdamW, AdamW, AdamW];
    for (const f of [0.05, 1, 10]) {
      // Norms ≈ 0.66 (not clipped), 13.2 and 132 (clipped to 2): the effective gradient sequence changes.
      const grads = new Map<string, tf.Tensor>([
        [
          'w',
          tf
            .tensor2d([
              [3, -4],
              [1, 0.5],
            ])
            .mul(f),
        ],
        ['b', tf.tensor1d([12, -2]).mul(f)],
      ]);
      const clipped = clipByGlobalNorm(grads, 2);
      a.step(clipped.grads, 0.1);
      b.step(grads, 0.1, clipScale(globalNorm(grads), 2));
      c.step(grads, 0.1);
      [grads, clipped.grads].forEach(dispose);
    }
    for (const k of ['w', 'b']) {
      const want = vec(pa.get(k) as tf.Variable);
      vec(pb.get(k) as tf.Variable).forEach((x, i) => expect(x).toBeCloseTo(want[i] as number, 6));
    }
    expect(Math.abs((vec(pc.get('w') as tf.Variable)[0] as number) - (vec(pa.get('w') as tf.Variable)[0] as number))).toBeGreaterThan(1e-3);
    [a, b, c].forEach((o) => o.dispose());
    [pa, pb, pc].forEach(dispose);
  });
});

describe('noDecayDefault', () => {
  it('decays only the weight matrices of a NAC', () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 1, skipPriorFit: true });
    const decayed = [...model.namedParameters()].filter(([n, v]) => noDecayDefault(n, v.shape)).map(([n]) => n);
    expect(decayed.every((n) => /\.(weight|codeProj)$/.test(n))).toBe(true);
    expect(decayed).toContain('circuit.propagators.0.attention.query.codeProj');
    expect(decayed).toContain('pooling.classifier.weight');
    for (const n of ['circuit.latents.propagator.codes', 'circuit.latents.propagator.signatures', 'tokenizer.positionalEmbedding']) {
      expect(model.namedParameters().has(n)).toBe(true);
      expect(decayed).not.toContain(n);
    }
    model.dispose();
    expect(noDecayDefault('latents', [32, 64])).toBe(false); // Perceiver IO latent array
    expect(noDecayDefault('tokenizer.positionalGrid', [7, 7, 16])).toBe(false);
    expect(noDecayDefault('tokenizer.stages.0.0.dwconv.filter', [7, 7, 16, 1])).toBe(true);
  });
});
