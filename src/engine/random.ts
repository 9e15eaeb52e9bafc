/**
 * Training noise from a counter-based hash, the same numbers on every backend: element i of a draw
 * with seed s is a function of (s, i) alone, computed in JavaScript on cpu, in the SIMD module on wasm
 * (./kernels/hash-noise-wasm.ts: uniforms bit for bit the JavaScript's, normals within a few float32
 * ulp) and by a WGSL kernel on webgpu (./kernels/hash-noise-webgpu.ts), so a GPU draws its noise where it uses it instead of
 * receiving megabytes from the host each step (tf.randomUniform fills its tensor in JavaScript: on an
 * H200 that was about 1.6 of the 7 host seconds of a paper-size NAC train step), and wasm and webgpu
 * train alike.
 *
 * Hash: lowbias32 (Wellons). key = h(seed ⊕ 0x9E3779B9); bits_i = h(h(i ⊕ key) + key); uniform
 * u_i = (bits_i >>> 8)·2⁻²⁴ ∈ [0, 1), exact in float32; value lo + (hi − lo)·u. Normal: Box–Muller on
 * two streams (keys of seed and seed ⊕ 0x85EBCA6B) with u₁ shifted into (0, 1).
 */
import * as tf from '@tensorflow/tfjs';
import { HASH_NOISE_KERNEL, registerHashNoiseWebGpu, type HashNoiseAttrs } from './kernels/hash-noise-webgpu.js';

/** lowbias32: a 32-bit integer hash with good avalanche (Chris Wellons' hash-prospector). */
export function hash32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The per-draw key of a seed (any integer; only its low 32 bits count). */
export function noiseKey(seed: number, stream = 0): number {
  return hash32((seed ^ 0x9e3779b9 ^ (stream === 0 ? 0 : 0x85ebca6b)) >>> 0);
}

/** uniform bits of element i under `key`, as a float in [0, 1). */
function unit(i: number, key: number): number {
  return (hash32((hash32((i ^ key) >>> 0) + key) >>> 0) >>> 8) * 2 ** -24;
}

/** The noise values on the host (what the webgpu kernel computes, up to float32 rounding of log/cos). */
export function hashNoiseArray(size: number, attrs: HashNoiseAttrs): Float32Array {
  const out = new Float32Array(size);
  const { key1, key2 } = attrs;
  if (attrs.normal) {
    for (let i = 0; i < size; i++) {
      const u1 = Math.fround(unit(i, key1) + 2 ** -25);
      const u2 = unit(i, key2);
      out[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
  } else {
    const lo = Math.fround(attrs.lo);
    const range = Math.fround(attrs.hi - attrs.lo);
    for (let i = 0; i < size; i++) out[i] = lo + Math.fround(range * unit(i, key1));
  }
  return out;
}

function draw(shape: number[], attrs: HashNoiseAttrs): tf.Tensor {
  const backend = tf.getBackend();
  if (backend === 'webgpu') registerHashNoiseWebGpu();
  if (backend === 'webgpu' || (backend === 'wasm' && tf.getKernel(HASH_NOISE_KERNEL, 'wasm') != null)) {
    return tf.engine().runKernel(HASH_NOISE_KERNEL, {}, { ...attrs, shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.tensor(
    hashNoiseArray(
      shape.reduce((a, b) => a * b, 1),
      attrs,
    ),
    shape,
    'float32',
  );
}

/** Uniform noise in [lo, hi) of `shape` for `seed`; equal on every backend up to float32 rounding. */
export function uniformNoise(shape: number[], lo: number, hi: number, seed: number): tf.Tensor {
  if (!(hi > lo)) throw new Error(`uniformNoise: hi must exceed lo, got [${lo}, ${hi})`);
  return draw(shape, { normal: false, lo, hi, key1: noiseKey(seed), key2: 0 });
}

/** Standard normal noise of `shape` for `seed` (Box–Muller); equal on every backend up to float32 rounding. */
export function normalNoise(shape: number[], seed: number): tf.Tensor {
  return draw(shape, { normal: true, lo: 0, hi: 1, key1: noiseKey(seed), key2: noiseKey(seed, 1) });
}
