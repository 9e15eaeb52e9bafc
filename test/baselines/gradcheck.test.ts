// Finite-difference gradient check of one Perceiver IO cross-attention block (and a GEGLU FF block) on cpu:
// analytic directional derivatives ⟨∇f, v⟩ vs central differences (f(θ+εv) − f(θ−εv)) / 2ε in float32.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { PreNormCrossAttention, PreNormFeedForward } from '../../src/baselines/blocks.js';
import type { Module } from '../../src/nn/module.js';
import { Rng } from '../../src/util/rng.js';
import { useBackend } from '../tokenizers/helpers.js';

const EPS = 1e-2;

/** Perturbs every parameter away from its init (LN γ = 1, β = 0 would hide bugs) deterministically. */
function jitter(module: Module, seed: number): void {
  let s = seed;
  for (const v of module.namedParameters().values()) {
    const t = tf.tidy(() => v.add(tf.randomNormal(v.shape, 0, 0.3, 'float32', s++)));
    v.assign(t);
    t.dispose();
  }
}

/** Checks ⟨∇f, v⟩ for random unit directions in each input and each parameter; returns the worst relative error. */
function gradCheck(module: Module, inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Scalar): number {
  const params = [...module.namedParameters().entries()];
  const { value: v0, grads: inGrads } = tf.valueAndGrads(f)(inputs);
  const { value, grads: pGrads } = tf.variableGrads(
    () => f(...inputs),
    params.map(([, v]) => v),
  );
  tf.dispose([v0, value]);
  let worst = 0;
  const check = (label: string, analytic: tf.Tensor, plus: () => number, minus: () => number, dir: tf.Tensor): void => {
    const a = tf.tidy(() => analytic.mul(dir).sum().dataSync()[0] as number);
    const numeric = (plus() - minus()) / (2 * EPS);
    const scale = Math.max(Math.abs(a), Math.abs(numeric), 1e-3);
    const rel = Math.abs(a - numeric) / scale;
    worst = Math.max(worst, rel);
    expect(rel, `${label}: analytic ${a} vs numeric ${numeric}`).toBeLessThan(2e-2);
  };
  inputs.forEach((x, i) => {
    const dir = tf.tidy(() => {
      const d = tf.randomNormal(x.shape, 0, 1, 'float32', 100 + i);
      return d.div(d.norm());
    });
    const at = (sign: number) => (): number =>
      tf.tidy(() => {
        const xs = inputs.map((y, j) => (j === i ? y.add(dir.mul(sign * EPS)) : y));
        return f(...xs).dataSync()[0] as number;
      });
    check(`input ${i}`, inGrads[i] as tf.Tensor, at(1), at(-1), dir);
    dir.dispose();
  });
  params.forEach(([name, v], i) => {
    const dir = tf.tidy(() => {
      const d = tf.randomNormal(v.shape, 0, 1, 'float32', 200 + i);
      return d.div(d.norm());
    });
    const saved = v.clone();
    const at = (sign: number) => (): number => {
      const moved = tf.tidy(() => saved.add(dir.mul(sign * EPS)));
      v.assign(moved); // assign keeps `moved` alive as a separate tensor: dispose it
      moved.dispose();
      const out = tf.tidy(() => f(...inputs).dataSync()[0] as number);
      v.assign(saved);
      return out;
    };
    check(name, pGrads[v.name] as tf.Tensor, at(1), at(-1), dir);
    tf.dispose([dir, saved]);
  });
  tf.dispose([...inGrads, ...Object.values(pGrads)]);
  return worst;
}

describe('gradient checks (cpu)', () => {
  beforeAll(() => useBackend('cpu'));

  it('PreNormCrossAttention: all inputs and parameters, 2 heads', () => {
    const block = new PreNormCrossAttention(6, 5, 2, 4, new Rng(11));
    jitter(block, 1);
    const x = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 3);
    const ctx = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 4);
    const r = tf.randomNormal([2, 3, 6], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const worst = gradCheck(
      block,
      [x, ctx],
      (a, b) =>
        block
          .forward(a as tf.Tensor, b as tf.Tensor)
          .mul(r)
          .sum() as tf.Scalar,
    );
    console.log(`cross-attention gradient check: worst relative error ${worst.toExponential(2)}`);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, ctx, r]);
    block.dispose();
  });

  it('PreNormFeedForward (GEGLU): input and parameters', () => {
    const block = new PreNormFeedForward(4, 2, new Rng(12));
    jitter(block, 50);
    const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 6);
    const r = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 7);
    const worst = gradCheck(
      block,
      [x],
      (a) =>
        block
          .forward(a as tf.Tensor)
          .mul(r)
          .sum() as tf.Scalar,
    );
    console.log(`GEGLU feed-forward gradient check: worst relative error ${worst.toExponential(2)}`);
    tf.dispose([x, r]);
    block.dispose();
  });
});
