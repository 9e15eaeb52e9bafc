/**
 * Module: the parameter container every layer, circuit part and model derives from.
 *
 * A module owns named tf.Variables and named child modules; `namedParameters()` walks the tree and
 * returns dotted names (`circuit.propagators.0.attention.query.weight`). Those names are what
 * checkpoints store and what the reference importer maps onto. `train()`/`eval()` switch the mode of
 * the whole subtree: training enables code noise, DropPath, kernel sampling and Gumbel pooling.
 */
import * as tf from '@tensorflow/tfjs';
import { EvalCache, evalCacheEnabled, recordingGradients } from './eval-cache.js';

export abstract class Module {
  private readonly ownParams = new Map<string, tf.Variable>();
  private readonly childModules = new Map<string, Module>();
  private trainingMode = true;
  private cache: EvalCache | null = null;

  /** True while the module is in training mode (the default after construction). */
  get training(): boolean {
    return this.trainingMode;
  }

  /** Registers a trainable (or frozen) parameter initialised from `value` (which it takes over). */
  protected addParam(name: string, value: tf.Tensor, trainable = true): tf.Variable {
    if (this.ownParams.has(name) || this.childModules.has(name)) {
      throw new Error(`${this.constructor.name}: duplicate parameter name '${name}'`);
    }
    const v = tf.variable(value, trainable);
    value.dispose();
    this.ownParams.set(name, v);
    return v;
  }

  /** Registers a child module under `name` and returns it. */
  protected addChild<M extends Module>(name: string, child: M): M {
    if (this.ownParams.has(name) || this.childModules.has(name)) {
      throw new Error(`${this.constructor.name}: duplicate child name '${name}'`);
    }
    this.childModules.set(name, child);
    return child;
  }

  /** Every parameter of the subtree, keyed by dotted path, in registration order. */
  namedParameters(prefix = ''): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [n, v] of this.ownParams) out.set(prefix + n, v);
    for (const [n, c] of this.childModules) {
      for (const [cn, v] of c.namedParameters(`${prefix}${n}.`)) out.set(cn, v);
    }
    return out;
  }

  /** The trainable parameters of the subtree. */
  trainableParameters(): tf.Variable[] {
    return [...this.namedParameters().values()].filter((v) => v.trainable);
  }

  /** Total number of scalar parameters in the subtree. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.namedParameters().values()) n += v.size;
    return n;
  }

  /** Child modules, by name. */
  children(): ReadonlyMap<string, Module> {
    return this.childModules;
  }

  /** Sets training mode on the whole subtree (and frees its eval caches). Returns this. */
  train(on = true): this {
    this.trainingMode = on;
    this.cache?.clear();
    for (const c of this.childModules.values()) c.train(on);
    return this;
  }

  /**
   * A parameter-only value: in eval mode, outside gradient recording, computed once per distinct set
   * of `inputs` (every parameter the computation reads must be among them) and then reused
   * (./eval-cache.ts); otherwise computed each call. The result must not be disposed by the caller.
   */
  protected evalCached(site: string, inputs: readonly tf.Tensor[], compute: () => tf.Tensor): tf.Tensor {
    if (this.trainingMode || !evalCacheEnabled || recordingGradients()) return compute();
    this.cache ??= new EvalCache();
    return this.cache.get(site, inputs, compute);
  }

  /** Values held by the eval caches of the subtree, and their hit/miss counts. */
  evalCacheStats(): { size: number; hits: number; misses: number } {
    const out = { size: this.cache?.size ?? 0, hits: this.cache?.hits ?? 0, misses: this.cache?.misses ?? 0 };
    for (const c of this.childModules.values()) {
      const s = c.evalCacheStats();
      out.size += s.size;
      out.hits += s.hits;
      out.misses += s.misses;
    }
    return out;
  }

  /** Frees the eval-cached values of the subtree (they are recomputed on the next eval forward). */
  clearEvalCaches(): void {
    this.cache?.clear();
    for (const c of this.childModules.values()) c.clearEvalCaches();
  }

  /** Sets evaluation mode on the whole subtree. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Copies values into parameters by name. Every name must exist with the same shape;
   * throws listing every mismatch otherwise. Tensors passed in are not disposed.
   */
  loadParameters(values: ReadonlyMap<string, tf.Tensor>, opts: { strict?: boolean } = {}): void {
    const params = this.namedParameters();
    const problems: string[] = [];
    for (const [name, t] of values) {
      const p = params.get(name);
      if (!p) problems.push(`unexpected parameter '${name}'`);
      else if (!tf.util.arraysEqual(p.shape, t.shape)) {
        problems.push(`shape mismatch for '${name}': model [${p.shape}] vs given [${t.shape}]`);
      }
    }
    if (opts.strict !== false) {
      for (const name of params.keys()) if (!values.has(name)) problems.push(`missing parameter '${name}'`);
    }
    if (problems.length) throw new Error(`loadParameters: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    // In a tidy: the cast (a new handle even for float32) must not outlive the assignment, or it keeps the old data alive.
    tf.tidy(() => {
      for (const [name, t] of values) (params.get(name) as tf.Variable).assign(t.toFloat());
    });
  }

  /** Disposes every parameter and eval-cached value of the subtree. */
  dispose(): void {
    this.clearEvalCaches();
    for (const v of this.namedParameters().values()) v.dispose();
  }
}
