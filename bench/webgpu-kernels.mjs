#!/usr/bin/env node
/**
 * This package's webgpu kernels against tfjs' own, on the paper-tiny NAC's shapes (from the H200 profile in
 * docs/performance.md):
 * - matmul: the tiled matrix product (src/engine/kernels/matmul-webgpu.ts) on the forward's and the gradients'
 *   products, with scalar or vec4 loads, 8- or 16-deep contraction steps, and 'auto' (the default: per product,
 *   one of those or tfjs');
 * - filter: the batch-split filter gradients (filter-grad-webgpu.ts) on the ConvNeXt tokenizer's convolutions;
 * - attention: the fused eval attention (attention-webgpu.ts; 'ours' stages the bias in workgroup memory,
 *   'unstaged' reads it per pair as the program timed on 2026-11-27 did) and its opt-in blocked program
 *   (attention-webgpu-blocked.ts) on a propagator layer;
 * - gelu: the fused GELU (gelu-webgpu.ts) on a GEGLU gate, forward and with its gradient;
 * - linear: the fused eval linear maps (linear-webgpu.ts) of a propagator layer against the composed ops (whose
 *   products run in the default 'auto' matmul);
 * - layernorm: the eval LayerNorm with γ and β in one kernel (layer-norm-webgpu.ts) against the norm, a
 *   Multiply and an Add.
 * Alternating per round so that clock changes hit every side; prints each side's time (and TFLOP/s for the
 * products), its ratio to tfjs' time and its largest difference from tfjs' result relative to the largest
 * value. Each timing is `--reps` calls queued back to back, then one 1-element read (the GPU runs them in order).
 *
 * --shrink N divides the long dimensions (rows, contraction, batch) by N, for a quick run on software
 * Vulkan (bench/gpu/lavapipe.sh), where the timings mean nothing but the differences do.
 *
 *   npm run build && node bench/webgpu-kernels.mjs [--reps 20] [--rounds 5] [--shrink 1]
 *     [--only matmul,filter,attention,gelu,linear,layernorm]
 */
import './errors.mjs';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend } from '../dist/engine/index.js';
import { setTiledMatMulLoads, setTiledMatMulStep, setWebGpuTiledMatMul, tiledMatMulPlan } from '../dist/engine/kernels/matmul-webgpu.js';
import { setWebGpuSplitFilterGrads } from '../dist/engine/kernels/filter-grad-webgpu.js';
import { setWebGpuFusedAttention } from '../dist/engine/kernels/attention-webgpu.js';
import { setWebGpuGelu } from '../dist/engine/kernels/gelu-webgpu.js';
import { gelu, gegluAffine } from '../dist/nn/activations.js';
import { fusedLinear } from '../dist/engine/kernels/linear-simd.js';
import { setWebGpuFusedLinear } from '../dist/engine/kernels/linear-webgpu.js';
import { fusedLayerNormAffine } from '../dist/engine/kernels/layer-norm-affine-simd.js';
import { layerNorm } from '../dist/nn/layer-norm.js';
import { fusedAttention } from '../dist/engine/kernels/attention-simd.js';
import { median } from './measure.mjs';
import { integer } from './options.mjs';

const KINDS = ['matmul', 'filter', 'attention', 'gelu', 'linear', 'layernorm'];
const opts = new Command('webgpu-kernels')
  .option('--reps <n>', 'calls per timing', integer(1), 20)
  .option('--rounds <n>', 'timings per kernel (alternating)', integer(1), 5)
  .option('--shrink <n>', 'divide the long dimensions by this', integer(1), 1)
  .option('--only <kinds>', `comma-separated subset of ${KINDS.join(',')}`, KINDS.join(','))
  .parse(process.argv)
  .opts();
const only = opts.only.split(',');
for (const k of only) if (!KINDS.includes(k)) throw new Error(`--only: '${k}' is not one of ${KINDS.join(', ')}`);
const cut = (d) => Math.ceil(d / opts.shrink);
const shrink = (shape) => shape.map((d, i) => (d >= 4096 || (i === 0 && shape.length === 3) ? cut(d) : d));

const report = await initBackend({ backend: 'webgpu', quiet: true });
console.log(describeBackend(report));

/** A case: what it is, its inputs, the call, the FLOPs (0: time only) and the switch between tfjs' kernel and ours. */
const cases = [];
const PRODUCTS = [
  [[40960, 384], [384, 384], false, false, 'forward, 320 modules × 128'],
  [[32768, 384], [384, 768], false, false, 'forward, GEGLU in'],
  [[32768, 768], [768, 384], false, false, 'forward, GEGLU out'],
  [[32768, 384], [768, 384], false, true, 'dX = dY·Wᵀ'],
  [[40960, 384], [40960, 384], true, false, 'dW = Xᵀ·dY (split K)'],
  [[32768, 768], [32768, 384], true, false, 'dW of GEGLU out (split K)'],
  [[768, 256, 64], [768, 320, 64], false, true, 'attention scores, 128 × 6 heads'],
];
if (only.includes('matmul')) {
  for (const [fullA, fullB, ta, tb, what] of PRODUCTS) {
    const [sa, sb] = [shrink(fullA), shrink(fullB)];
    const plan = tiledMatMulPlan(sa, sb, ta, tb);
    cases.push({
      label: `[${sa}]${ta ? 'ᵀ' : ''}·[${sb}]${tb ? 'ᵀ' : ''} (${plan?.splits ?? '-'} part(s))`,
      what,
      inputs: () => [tf.randomNormal(sa, 0, 1, 'float32', 1), tf.randomNormal(sb, 0, 1, 'float32', 2)],
      call: ([a, b]) => tf.matMul(a, b, ta, tb),
      flops: plan == null ? 0 : 2 * plan.m * plan.n * plan.k * Math.max(plan.batchA, plan.batchB),
      sides: ['tfjs', 'ours', 'ours, step 16', 'vec4', 'vec4, step 16', 'auto'],
      use: (side) => {
        setWebGpuTiledMatMul(side === 'auto' ? 'auto' : side !== 'tfjs');
        setTiledMatMulStep(side.endsWith('step 16') ? 16 : 8);
        setTiledMatMulLoads(side.startsWith('vec4') ? 'vec4' : 'scalar');
      },
    });
  }
}
if (only.includes('filter')) {
  // The tokenizer's filter gradients: depthwise 7×7 over [128, 16, 16, 96] and [128, 8, 8, 192], the 4×4 stride-4 stem.
  for (const [xs, fs, stride, depthwise, what] of [
    [[128, 16, 16, 96], [7, 7, 96, 1], 1, true, 'depthwise 7×7, stage 1'],
    [[128, 8, 8, 192], [7, 7, 192, 1], 1, true, 'depthwise 7×7, stage 2'],
    [[128, 64, 64, 3], [4, 4, 3, 96], 4, false, 'patchify stem 4×4 / 4'],
  ]) {
    const x = [cut(xs[0]), ...xs.slice(1)];
    cases.push({
      label: `${depthwise ? 'depthwise' : 'conv2d'} filter grad x [${x}] → [${fs}]`,
      what,
      inputs: () => {
        const input = tf.randomNormal(x, 0, 1, 'float32', 3);
        const filter = tf.randomNormal(fs, 0, 1, 'float32', 4);
        const y = depthwise ? tf.depthwiseConv2d(input, filter, stride, 'same') : tf.conv2d(input, filter, stride, 'same');
        return [input, y, filter];
      },
      call: ([input, dy]) =>
        depthwise
          ? tf
              .engine()
              .runKernel(
                'DepthwiseConv2dNativeBackpropFilter',
                { x: input, dy },
                { strides: stride, pad: 'same', dilations: 1, filterShape: fs },
              )
          : tf
              .engine()
              .runKernel('Conv2DBackpropFilter', { x: input, dy }, { strides: stride, pad: 'same', dataFormat: 'NHWC', filterShape: fs }),
      flops: 0,
      use: (side) => setWebGpuSplitFilterGrads(side === 'ours'),
    });
  }
}
if (only.includes('attention')) {
  const [B, nq, nk, H, dh] = [cut(128), 256, 320, 6, 64];
  cases.push({
    label: `attention [${B}, ${nq}, ${H}×${dh}] over ${nk}, ~69 % masked`,
    what: 'eval, one propagator layer',
    inputs: () => {
      const bias = tf.tidy(() =>
        tf.where(tf.randomUniform([nq, nk], 0, 1, 'float32', 5).less(0.69), tf.fill([nq, nk], -Infinity), tf.zeros([nq, nk])),
      );
      return [0, 1, 2].map((s) => tf.randomNormal([B, s === 0 ? nq : nk, H * dh], 0, 1, 'float32', 6 + s)).concat([bias]);
    },
    call: ([q, k, v, bias]) =>
      fusedAttention(q, k, v, bias, H, 1 / Math.sqrt(dh)) ?? composedAttention(q, k, v, bias, H, 1 / Math.sqrt(dh)),
    flops: 4 * B * H * nq * nk * dh,
    sides: ['tfjs', 'unstaged', 'ours', 'blocked'],
    use: (side) => setWebGpuFusedAttention(side === 'tfjs' ? false : side === 'ours' ? true : side),
  });
}

if (only.includes('gelu')) {
  // GELU on a propagator layer's GEGLU gate, [128, 256, 768]: the forward, and the forward with its gradient.
  const shape = [cut(128), 256, 768];
  for (const [label, call] of [
    ['gelu forward', ([x]) => gelu(x)],
    ['gelu forward + gradient', ([x, w]) => tf.grad((t) => gelu(t).mul(w).sum())(x)],
  ]) {
    cases.push({
      label: `${label} [${shape}]`,
      what: 'GEGLU gate, one propagator layer',
      inputs: () => [tf.randomNormal(shape, 0, 2, 'float32', 9), tf.randomNormal(shape, 0, 1, 'float32', 10)],
      call,
      flops: 0,
      use: (side) => setWebGpuGelu(side === 'ours'),
    });
  }
}

if (only.includes('linear')) {
  // A propagator layer's ModFC maps, paper-tiny at batch 128: [batch, modules, in]·[in, out] with the modules'
  // modulation, and what follows each (bias; LayerScale gain and residual; GEGLU).
  const B = cut(128);
  for (const [rows, k, n, extras, what] of [
    [256, 384, 384, ['bias'], 'query map'],
    [320, 384, 384, [], 'key or value map (no bias)'],
    [256, 384, 384, ['bias', 'gain', 'residual'], 'attention output map + LayerScale + residual'],
    [256, 384, 1536, ['bias', 'geglu'], 'feed-forward in, GEGLU'],
    [256, 768, 384, ['bias', 'gain', 'residual'], 'feed-forward out + LayerScale + residual'],
  ]) {
    const geglu = extras.includes('geglu');
    cases.push({
      label: `linear [${B}, ${rows}, ${k}]·[${k}, ${n}] ${extras.join('+') || 'scale only'}`,
      what,
      inputs: () => [
        tf.randomNormal([B, rows, k], 0, 1, 'float32', 11),
        tf.randomNormal([k, n], 0, 0.05, 'float32', 12),
        tf.randomNormal([rows, k], 1, 0.1, 'float32', 13),
        tf.randomNormal([n], 0, 1, 'float32', 14),
        tf.randomNormal([n], 0, 0.1, 'float32', 15),
        tf.randomNormal([B, rows, n], 0, 1, 'float32', 16),
      ],
      call: ([x, w, scale, b, gain, residual]) => {
        const bias = extras.includes('bias') ? b : null;
        if (geglu) return fusedLinear(x, w, { scale, bias, activation: 'geglu' }) ?? gegluAffine(x.mul(scale), w, bias);
        const after = extras.includes('gain') ? { gain, residual } : {};
        return fusedLinear(x, w, { scale, bias, ...after }) ?? composedLinear(x, w, { scale, bias, ...after });
      },
      flops: 2 * B * rows * k * n,
      use: (side) => setWebGpuFusedLinear(side === 'ours' ? 'auto' : false),
    });
  }
}
if (only.includes('layernorm')) {
  const shape = [cut(128), 256, 384];
  let fused = true;
  cases.push({
    label: `LayerNorm with γ, β [${shape}]`,
    what: 'eval, a propagator layer state norm',
    inputs: () => [
      tf.randomNormal(shape, 0, 2, 'float32', 17),
      tf.randomNormal([384], 1, 0.1, 'float32', 18),
      tf.randomNormal([384], 0, 0.1, 'float32', 19),
    ],
    call: ([x, g, b]) => (fused ? fusedLayerNormAffine(x, g, b, 1e-5) : null) ?? tf.tidy(() => layerNorm(x).mul(g).add(b)),
    flops: 0,
    use: (side) => (fused = side === 'ours'),
  });
}

/** residual + gain ⊙ ((x ⊙ scale)·W + bias) with tfjs ops (what ModFC composes). */
function composedLinear(x, w, { scale, bias, gain, residual }) {
  return tf.tidy(() => {
    let y = tf.matMul(x.mul(scale).reshape([-1, w.shape[0]]), w);
    if (bias != null) y = y.add(bias);
    y = y.reshape([...x.shape.slice(0, -1), w.shape[1]]);
    if (gain != null) y = y.mul(gain);
    return residual != null ? residual.add(y) : y;
  });
}

/** softmax(q_h·k_hᵀ·scale + bias)·v_h merged over heads, with tfjs ops (what ModAttention composes). */
function composedAttention(q, k, v, bias, heads, scale) {
  return tf.tidy(() => {
    const split = (x) => x.reshape([x.shape[0], x.shape[1], heads, -1]).transpose([0, 2, 1, 3]);
    const s = tf.matMul(split(q), split(k), false, true).mul(scale).add(bias);
    return tf.matMul(tf.softmax(s, -1), split(v)).transpose([0, 2, 1, 3]).reshape(q.shape);
  });
}

async function timeCalls(call, inputs) {
  let y = call(inputs);
  const probe = () => tf.slice(y, new Array(y.rank).fill(0), new Array(y.rank).fill(1));
  const p0 = probe();
  await p0.data();
  p0.dispose();
  const t0 = performance.now();
  for (let r = 0; r < opts.reps; r++) {
    y.dispose();
    y = call(inputs);
  }
  const p = probe();
  await p.data();
  const ms = (performance.now() - t0) / opts.reps;
  p.dispose();
  return { ms, y };
}

for (const c of cases) {
  const inputs = c.inputs();
  const sides = c.sides ?? ['tfjs', 'ours'];
  const times = Object.fromEntries(sides.map((side) => [side, []]));
  const outs = {};
  for (let round = 0; round < opts.rounds; round++) {
    for (const side of sides) {
      c.use(side);
      const { ms, y } = await timeCalls(c.call, inputs);
      times[side].push(ms);
      if (round === 0) outs[side] = await y.data();
      y.dispose();
    }
  }
  c.use('tfjs');
  const rate = (ms) => (c.flops > 0 ? ` ${(c.flops / ms / 1e9).toFixed(1).padStart(5)} TFLOP/s` : '');
  const base = median(times.tfjs);
  const columns = sides.map((side) => {
    const ms = median(times[side]);
    if (side === 'tfjs') return `tfjs ${ms.toFixed(3).padStart(8)} ms${rate(ms)}`;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < outs.tfjs.length; i++) {
      if (!Number.isFinite(outs.tfjs[i])) continue;
      scale = Math.max(scale, Math.abs(outs.tfjs[i]));
      diff = Math.max(diff, Math.abs(outs.tfjs[i] - outs[side][i]));
    }
    return `${side} ${ms.toFixed(3).padStart(8)} ms${rate(ms)} (${(ms / base).toFixed(2)}x tfjs' time, max diff ${(diff / (scale || 1)).toExponential(1)})`;
  });
  console.log(`${c.label.padEnd(58)} ${columns.join(' | ')} | ${c.what}`);
  tf.dispose(inputs);
}
