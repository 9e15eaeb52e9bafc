/**
 * The update kernels of {@link AdamW} (./adamw.ts), one chunk of parameters at a time.
 *
 * Parameters are packed, in order, into chunks of at most `chunkSize` scalars per decay group (a parameter
 * larger than that gets a chunk of its own). Every chunk owns its moments, so one update touches one
 * chunk's flat vectors and a 'flat' / 'flat-read' update's temporaries (concatenated gradients and
 * parameters, ~14 elementwise results, all held by the tidy until it ends) are bounded by ~16 × the
 * largest chunk instead of 16 × the whole model: a 27 M-parameter model would otherwise need ~1.7 GB of
 * temporaries in a wasm heap of at most 4 GiB that the backward pass has already grown and fragmented.
 */
import * as tf from '@tensorflow/tfjs';
import { adamMoment, adamParam, fusedAdamWActive } from '../engine/kernels/adamw-webgpu.js';

/**
 * Default chunk size in scalars (1 MiB per float32 vector). Measured on wasm (2 shared cores), one step
 * over 26.7 M scalars in [384, 384] tensors: 2^18 ≈ 0.3–0.45 s, 2^19 ≈ 0.6–0.7 s, 2^20 ≈ 0.6 s,
 * unchunked 0.7–1.2 s (and 2.4 GB of wasm heap instead of 0.6 GB), 'js' 1.05 s; 1.34 M scalars:
 * 2^18 14–43 ms, unchunked 33–74 ms. Small chunks stay in cache; per-kernel costs do not show yet.
 */
export const ADAMW_CHUNK_SIZE = 1 << 18;

/** One parameter inside a chunk. */
export interface Slot {
  name: string;
  variable: tf.Variable;
  shape: number[];
  size: number;
  /** Offset in the chunk's flat moment vectors. */
  offset: number;
  /** This parameter's own step count. */
  t: number;
}

/** A run of parameters of one decay group with its own moments. */
export interface Chunk {
  decay: boolean;
  slots: Slot[];
  size: number;
  /** 'js' moments. */
  m?: Float32Array;
  v?: Float32Array;
  /** 'flat' / 'flat-read' moments. */
  mVar?: tf.Variable;
  vVar?: tf.Variable;
}

/** The hyper-parameters an update needs. */
export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** Packs parameters (in order) into chunks of at most `chunkSize` scalars; offsets are set here. */
export function planChunks(decay: boolean, slots: readonly Slot[], chunkSize: number): Chunk[] {
  const chunks: Chunk[] = [];
  let cur: Chunk | null = null;
  for (const s of slots) {
    if (cur === null || (cur.size > 0 && cur.size + s.size > chunkSize)) {
      cur = { decay, slots: [], size: 0 };
      chunks.push(cur);
    }
    s.offset = cur.size;
    cur.slots.push(s);
    cur.size += s.size;
  }
  return chunks;
}

/** A zero-filled flat moment variable (the initial zeros tensor is freed, not leaked). */
export function zeroMoment(size: number): tf.Variable {
  const z = tf.zeros([size]);
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}

/** 'js' update of one chunk: plain loops over Float32Arrays, one assign per parameter. */
export function updateChunkJs(c: Chunk, grads: Map<string, tf.Tensor>, h: AdamWHyper, lr: number, scale: number): void {
  const { beta1: b1, beta2: b2, eps } = h;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const m = c.m as Float32Array;
  const v = c.v as Float32Array;
  const keep = c.decay ? 1 - lr * h.weightDecay : 1;
  for (const s of c.slots) {
    const grad = grads.get(s.name);
    if (!grad) continue;
    const gd = grad.dataSync() as Float32Array;
    const pd = s.variable.dataSync() as Float32Array;
    const t = s.t + 1;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const out = new Float32Array(s.size);
    for (let i = 0, j = s.offset; i < s.size; i++, j++) {
      const gi = (gd[i] as number) * scale;
      m[j] = b1 * (m[j] as number) + c1 * gi;
      v[j] = b2 * (v[j] as number) + c2 * gi * gi;
      out[i] = (pd[i] as number) * keep - (stepSize * (m[j] as number)) / (Math.sqrt(v[j] as number) / bc2Sqrt + eps);
    }
    const fresh = tf.tensor(out, s.shape, 'float32');
    s.variable.assign(fresh); // the variable keeps the data; the tensor handle itself is freed
    fresh.dispose();
  }
}

/**
 * 'flat' / 'flat-read' update of one chunk: gradients and parameters concatenated, ~14 kernels on the
 * flat vector; the new parameters are read back and uploaded piecewise ('flat-read', `read`) or split
 * on the device ('flat').
 */
export function updateChunkFlat(c: Chunk, grads: Map<string, tf.Tensor>, h: AdamWHyper, lr: number, scale: number, read: boolean): void {
  const { beta1: b1, beta2: b2, eps } = h;
  const present = c.slots.map((s) => grads.has(s.name));
  const all = present.every((x) => x);
  const ts = new Set(c.slots.filter((_, i) => present[i]).map((s) => s.t + 1));
  if (all && ts.size === 1 && !read && fusedAdamWActive()) {
    updateChunkFused(c, grads, h, lr, scale, [...ts][0] as number);
    return;
  }
  tf.tidy(() => {
    const flat = (parts: tf.Tensor[]): tf.Tensor => (parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts));
    const perSlot = (f: (s: Slot) => number): tf.Tensor => {
      const a = new Float32Array(c.size);
      for (const s of c.slots) a.fill(f(s), s.offset, s.offset + s.size);
      return tf.tensor1d(a);
    };
    const gRaw = flat(c.slots.map((s) => (grads.get(s.name) ?? tf.zeros([s.size])).reshape([-1])));
    const gFlat = scale === 1 ? gRaw : gRaw.mul(scale);
    const mVar = c.mVar as tf.Variable;
    const vVar = c.vVar as tf.Variable;
    let m = mVar.mul(b1).add(gFlat.mul(1 - b1));
    let v = vVar.mul(b2).add(gFlat.square().mul(1 - b2));
    if (!all) {
      const mask = perSlot((s) => (grads.has(s.name) ? 1 : 0)).cast('bool');
      m = tf.where(mask, m, mVar);
      v = tf.where(mask, v, vVar);
    }
    let stepSize: number | tf.Tensor;
    let bc2Sqrt: number | tf.Tensor;
    if (ts.size === 1) {
      const t = [...ts][0] as number;
      stepSize = lr / (1 - b1 ** t);
      bc2Sqrt = Math.sqrt(1 - b2 ** t);
    } else {
      stepSize = perSlot((s) => lr / (1 - b1 ** (s.t + 1)));
      bc2Sqrt = perSlot((s) => Math.sqrt(1 - b2 ** (s.t + 1)));
    }
    const pFlat = flat(c.slots.map((s) => s.variable.reshape([-1])));
    const kept = c.decay ? pFlat.mul(1 - lr * h.weightDecay) : pFlat;
    const newP = kept.sub(m.mul(stepSize).div(v.sqrt().div(bc2Sqrt).add(eps)));
    if (read) {
      const d = newP.dataSync() as Float32Array;
      const wasm = tf.getBackend() === 'wasm'; // wasm copies on upload; others may keep the array
      c.slots.forEach((s, i) => {
        const part = wasm ? d.subarray(s.offset, s.offset + s.size) : d.slice(s.offset, s.offset + s.size);
        if (present[i]) s.variable.assign(tf.tensor(part, s.shape, 'float32'));
      });
    } else {
      const pieces =
        c.slots.length === 1
          ? [newP]
          : tf.split(
              newP,
              c.slots.map((s) => s.size),
            );
      c.slots.forEach((s, i) => {
        if (present[i]) s.variable.assign((pieces[i] as tf.Tensor).reshape(s.shape));
      });
    }
    mVar.assign(m);
    vVar.assign(v);
  });
}

/**
 * The 'flat' update with the engine's fused kernels (webgpu): one kernel per moment and one per
 * parameter instead of ~16 per chunk, a slice per parameter and an upload per scalar constant. Needs
 * every slot to have a gradient and one step count (the caller checks).
 */
function updateChunkFused(c: Chunk, grads: Map<string, tf.Tensor>, h: AdamWHyper, lr: number, scale: number, t: number): void {
  const { beta1: b1, beta2: b2, eps } = h;
  const mVar = c.mVar as tf.Variable;
  const vVar = c.vVar as tf.Variable;
  tf.tidy(() => {
    const parts = c.slots.map((s) => (grads.get(s.name) as tf.Tensor).reshape([-1]));
    const g = parts.length === 1 ? (parts[0] as tf.Tensor) : tf.concat(parts);
    const m = adamMoment(mVar, g, { decay: b1, oneMinusDecay: 1 - b1, scale, square: false });
    const v = adamMoment(vVar, g, { decay: b2, oneMinusDecay: 1 - b2, scale, square: true });
    const keep = c.decay ? 1 - lr * h.weightDecay : 1;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    for (const s of c.slots) s.variable.assign(adamParam(s.variable, m, v, { offset: s.offset, keep, stepSize, bc2Sqrt, eps }));
    mVar.assign(m);
    vVar.assign(v);
  });
}
