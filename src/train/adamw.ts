/**
 * AdamW (Loshchilov & Hutter, decoupled weight decay) with the update of PyTorch's `torch.optim.AdamW`,
 * which timm's `create_optimizer_v2` uses (spec §2.1):
 *
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
 *   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
 *
 * i.e. p ← p − lr·(m̂/(√v̂ + eps') + wd·p) with wd = 0 for the parameters the decay filter excludes.
 *
 * Small models on the wasm/cpu backends are dominated by per-kernel overhead, so the update never runs
 * ~15 kernels per parameter tensor. Three implementations, equal up to float32 rounding:
 * - 'js': moments in Float32Arrays; grads and params are read with dataSync, updated in one plain loop
 *   and written back with one assign per parameter. Default on 'cpu' (whose kernels are JS loops too)
 *   and on 'wasm' up to {@link JS_UPDATE_MAX_SIZE} parameters (fixed cost lowest, ~25 ns per scalar).
 * - 'flat-read': moments as one flat tf.Variable per chunk (parameters of one decay group packed into
 *   runs of at most `chunkSize` scalars, ./adamw-chunks.ts); grads and params are concatenated, the
 *   update is ~14 kernels on the flat vector, the new parameters are read back once and assigned
 *   piecewise. Default on 'wasm' above that size (its SIMD kernels win on many scalars; its
 *   Slice/SplitV re-read the whole input per piece, hence the read-back). Chunks bound the temporaries
 *   (~16 vectors of one chunk): unchunked, a 27 M-parameter model needed ~1.7 GB of them and overflowed
 *   the wasm heap (at most 4 GiB) that the backward pass had already grown.
 * - 'flat': as 'flat-read' but split into pieces on the device (no device→CPU read). Default elsewhere
 *   ('webgpu').
 * Measured on wasm (2 shared cores), per step: cpu-tiny NAC (57 k scalars, 134 tensors) js 1.4 ms,
 * flat-read 3.1 ms, naive per-parameter 21 ms, tf.train.adam 14 ms; cpu-small (290 k) js 7.9 ms,
 * flat-read 5.5 ms; 1.34 M scalars js 43 ms, flat-read 28 ms, naive 31 ms.
 * Each parameter keeps its own step count t (a parameter without a gradient in a step is not touched).
 */
import * as tf from '@tensorflow/tfjs';
import { noDecayDefault } from './param-filter.js';
import { ADAMW_CHUNK_SIZE, planChunks, updateChunkFlat, updateChunkJs, zeroMoment, type Chunk, type Slot } from './adamw-chunks.js';

export { noDecayDefault } from './param-filter.js';
export { ADAMW_CHUNK_SIZE } from './adamw-chunks.js';

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Nominal learning rate (informational; every step gets its lr from the schedule). */
  lr: number;
  /** First-moment decay, default 0.9. */
  beta1?: number;
  /** Second-moment decay, default 0.999. */
  beta2?: number;
  /** Denominator epsilon, default 1e-8. */
  eps?: number;
  /** Decoupled weight decay, default 0.05. */
  weightDecay?: number;
  /** Which parameters get weight decay, by dotted name and shape; default: {@link noDecayDefault}. */
  decay?: (name: string, shape: readonly number[]) => boolean;
  /** Update implementation; 'auto' (default): {@link defaultAdamWImpl}. */
  impl?: 'auto' | AdamWImpl;
  /**
   * Largest run of parameters updated (and holding moments) together, in scalars; default
   * {@link ADAMW_CHUNK_SIZE}. Bounds the temporaries of the flat updates (~16 float32 vectors this long).
   */
  chunkSize?: number;
}

/** The update implementations (see the file header); all give the same result up to float32 rounding. */
export type AdamWImpl = 'js' | 'flat' | 'flat-read';

/** Below this many scalars 'js' beats 'flat-read' on wasm (measured crossover ≈ 100–200 k). */
export const JS_UPDATE_MAX_SIZE = 131072;

/**
 * The implementation 'auto' picks for `size` parameter scalars on a tfjs backend: 'js' on cpu, on
 * wasm 'js' up to {@link JS_UPDATE_MAX_SIZE} scalars and 'flat-read' above, 'flat' elsewhere.
 */
export function defaultAdamWImpl(size: number, backend: string = tf.getBackend()): AdamWImpl {
  if (backend === 'cpu') return 'js';
  if (backend === 'wasm') return size <= JS_UPDATE_MAX_SIZE ? 'js' : 'flat-read';
  return 'flat';
}

/** Serialisable optimizer state: `m.<name>` and `v.<name>` for every parameter, plus step counts. */
export interface AdamWState {
  /** Number of step() calls. */
  step: number;
  /** Per-parameter step counts t (bias correction); a name absent here has t = step. */
  paramSteps?: Record<string, number>;
  /** First and second moments, keyed `m.<dotted name>` / `v.<dotted name>`, shaped like the parameter. */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** AdamW over a fixed set of named variables. */
export class AdamW {
  /** The implementation in use. */
  readonly impl: AdamWImpl;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Parameters in chunks of at most `chunkSize` scalars, decayed ones first (./adamw-chunks.ts). */
  private readonly chunks: Chunk[];
  private readonly byName = new Map<string, Slot>();
  /** tfjs variable name → dotted name, so that tf.variableGrads' output can be passed as is. */
  private readonly byVariableName = new Map<string, string>();
  private steps = 0;

  constructor(params: ReadonlyMap<string, tf.Variable>, options: AdamWOptions) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.05;
    if (!(this.beta1 >= 0 && this.beta1 < 1)) throw new Error(`AdamW: beta1 must be in [0, 1), got ${this.beta1}`);
    if (!(this.beta2 >= 0 && this.beta2 < 1)) throw new Error(`AdamW: beta2 must be in [0, 1), got ${this.beta2}`);
    if (!(this.eps > 0)) throw new Error(`AdamW: eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`AdamW: weightDecay must be ≥ 0, got ${this.weightDecay}`);
    const impl = options.impl ?? 'auto';
    let total = 0;
    for (const v of params.values()) total += v.size;
    this.impl = impl === 'auto' ? defaultAdamWImpl(total) : impl;
    const decay = options.decay ?? noDecayDefault;
    const chunkSize = options.chunkSize ?? ADAMW_CHUNK_SIZE;
    if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) throw new Error(`AdamW: chunkSize must be an integer ≥ 1, got ${chunkSize}`);
    const groups: Slot[][] = [[], []];
    for (const [name, variable] of params) {
      if (variable.dtype !== 'float32') throw new Error(`AdamW: parameter '${name}' is ${variable.dtype}, expected float32`);
      const slot: Slot = { name, variable, shape: [...variable.shape], size: variable.size, offset: 0, t: 0 };
      (groups[decay(name, variable.shape) && this.weightDecay > 0 ? 0 : 1] as Slot[]).push(slot);
      this.byName.set(name, slot);
      this.byVariableName.set(variable.name, name);
    }
    this.chunks = [...planChunks(true, groups[0] as Slot[], chunkSize), ...planChunks(false, groups[1] as Slot[], chunkSize)];
    for (const c of this.chunks) {
      if (this.impl === 'js') {
        c.m = new Float32Array(c.size);
        c.v = new Float32Array(c.size);
      } else {
        c.mVar = zeroMoment(c.size);
        c.vVar = zeroMoment(c.size);
      }
    }
  }

  /** Number of step() calls so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Dotted names of the parameters that get weight decay. */
  decayedNames(): string[] {
    return this.chunks.filter((c) => c.decay).flatMap((c) => c.slots.map((s) => s.name));
  }

  /**
   * One AdamW update with learning rate `lr` (the schedule's value for this step). `grads` is keyed by
   * dotted name (or by tfjs variable name, as tf.variableGrads returns). A parameter without a gradient
   * is left alone and its state (moments, t) does not change. Gradients are not disposed.
   * `gradScale` multiplies every gradient first (e.g. {@link clipScale}'s factor): clipping for free.
   */
  step(grads: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>, lr: number, gradScale = 1): void {
    if (!Number.isFinite(lr) || lr < 0) throw new Error(`AdamW.step: lr must be a finite number ≥ 0, got ${lr}`);
    if (!Number.isFinite(gradScale)) throw new Error(`AdamW.step: gradScale must be finite, got ${gradScale}`);
    const byName = this.resolveGrads(grads);
    for (const c of this.chunks) {
      if (!c.slots.some((s) => byName.has(s.name))) continue;
      if (this.impl === 'js') updateChunkJs(c, byName, this, lr, gradScale);
      else updateChunkFlat(c, byName, this, lr, gradScale, this.impl === 'flat-read');
    }
    for (const name of byName.keys()) (this.byName.get(name) as Slot).t++;
    this.steps++;
  }

  private resolveGrads(grads: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>): Map<string, tf.Tensor> {
    const entries = grads instanceof Map ? [...grads.entries()] : Object.entries(grads as Record<string, tf.Tensor>);
    const out = new Map<string, tf.Tensor>();
    for (const [key, t] of entries) {
      if (t == null) continue;
      const name = this.byName.has(key) ? key : this.byVariableName.get(key);
      if (name === undefined) throw new Error(`AdamW.step: gradient '${key}' matches no parameter`);
      const slot = this.byName.get(name) as Slot;
      if (!tf.util.arraysEqual(t.shape, slot.shape)) {
        throw new Error(`AdamW.step: gradient for '${name}' has shape [${t.shape}], the parameter [${slot.shape}]`);
      }
      out.set(name, t);
    }
    return out;
  }

  /** The device tensors of the state (the flat moments; none for the 'js' implementation). */
  stateTensors(): tf.Tensor[] {
    return this.chunks.flatMap((c) => (c.mVar && c.vVar ? [c.mVar, c.vVar] : []));
  }

  /** A copy of the state, per parameter (independent of the implementation and of the group split). */
  getState(): AdamWState {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    const paramSteps: Record<string, number> = {};
    for (const c of this.chunks) {
      const m = c.m ?? ((c.mVar as tf.Variable).dataSync() as Float32Array);
      const v = c.v ?? ((c.vVar as tf.Variable).dataSync() as Float32Array);
      for (const s of c.slots) {
        tensors.set(`m.${s.name}`, { shape: [...s.shape], data: m.slice(s.offset, s.offset + s.size) });
        tensors.set(`v.${s.name}`, { shape: [...s.shape], data: v.slice(s.offset, s.offset + s.size) });
        paramSteps[s.name] = s.t;
      }
    }
    return { step: this.steps, paramSteps, tensors };
  }

  /**
   * Restores a state from {@link getState} (possibly of another implementation). Every parameter needs
   * `m.<name>` and `v.<name>` of its shape, and nothing else may be there; throws listing every problem.
   */
  setState(state: AdamWState): void {
    const problems: string[] = [];
    if (!Number.isInteger(state.step) || state.step < 0) problems.push(`step must be an integer ≥ 0, got ${state.step}`);
    for (const key of state.tensors.keys()) {
      const name = key.slice(2);
      if (!(key.startsWith('m.') || key.startsWith('v.')) || !this.byName.has(name)) problems.push(`unexpected tensor '${key}'`);
    }
    for (const [name, s] of this.byName) {
      for (const key of [`m.${name}`, `v.${name}`]) {
        const t = state.tensors.get(key);
        if (!t) problems.push(`missing tensor '${key}'`);
        else if (!tf.util.arraysEqual(t.shape, s.shape))
          problems.push(`shape mismatch for '${key}': parameter [${s.shape}], state [${t.shape}]`);
        else if (t.data.length !== s.size) problems.push(`'${key}' has ${t.data.length} values, [${t.shape}] needs ${s.size}`);
      }
      const t = state.paramSteps?.[name] ?? state.step;
      if (!Number.isInteger(t) || t < 0) problems.push(`step count of '${name}' must be an integer ≥ 0, got ${t}`);
    }
    for (const name of Object.keys(state.paramSteps ?? {})) if (!this.byName.has(name)) problems.push(`unexpected step count '${name}'`);
    if (problems.length) throw new Error(`AdamW.setState: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    for (const c of this.chunks) {
      const m = new Float32Array(c.size);
      const v = new Float32Array(c.size);
      for (const s of c.slots) {
        m.set((state.tensors.get(`m.${s.name}`) as { data: Float32Array }).data, s.offset);
        v.set((state.tensors.get(`v.${s.name}`) as { data: Float32Array }).data, s.offset);
        s.t = state.paramSteps?.[s.name] ?? state.step;
      }
      if (this.impl === 'js') {
        c.m = m;
        c.v = v;
      } else {
        tf.tidy(() => {
          (c.mVar as tf.Variable).assign(tf.tensor1d(m));
          (c.vVar as tf.Variable).assign(tf.tensor1d(v));
        });
      }
    }
    this.steps = state.step;
  }

  /** Frees the moment variables ('flat'); the parameters are not touched. */
  dispose(): void {
    for (const c of this.chunks) {
      c.mVar?.dispose();
      c.vVar?.dispose();
    }
  }
}
