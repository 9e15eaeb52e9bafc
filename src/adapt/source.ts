/**
 * The starting point of adaptation: a pretrained model (from a model folder) or a freshly initialised
 * one ("from scratch"), kept untouched as a reference. It hands out models for n new classes — the
 * reference's weights with a re-initialised, seeded classifier — and caches the frozen stages of the
 * reference's forward pass (tokens, features) per dataset example, so that many episodes share them.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import { loadModelDir, readModelConfig } from '../io/model-dir.js';
import { buildModel, type ClassifierModel, type ModelConfig } from '../model/factory.js';
import { linearWeight } from '../nn/init.js';
import { batchTensor } from '../train/evaluate.js';
import { Rng } from '../util/rng.js';
import { classifierOf, modelKind, runStages, type Stage } from './stages.js';
import { isClassifierParam, type AdaptModelKind } from './policy.js';

/** A model config with `numClasses` classes. */
export function withNumClasses(config: ModelConfig, numClasses: number): ModelConfig {
  if (config.model === 'nac') return { ...config, numClasses };
  return { ...config, perceiver: { ...config.perceiver, numClasses } };
}

/** Input rows: row-major values with shape [N, ...]. */
export interface Rows {
  x: Float32Array | Int32Array;
  shape: number[];
}

/** Examples a stage is computed for per forward pass while filling a cache. */
const CACHE_BATCH = 128;

/** A pretrained (or random) classifier to adapt, with caches of its frozen stages. */
export class AdaptationSource {
  /** NAC or Perceiver IO. */
  readonly kind: AdaptModelKind;
  private readonly models = new Map<number, ClassifierModel>();
  /** `<stage>:<dataset name>` → example index → row. */
  private readonly caches = new Map<string, Map<number, Float32Array>>();
  /** `<stage>:<dataset name>` → shape of one row. */
  private readonly rowShapes = new Map<string, number[]>();

  /** Takes ownership of `reference` (put in eval mode and never trained). */
  constructor(
    readonly config: ModelConfig,
    readonly reference: ClassifierModel,
    /** Where it came from, for reports (a model folder, or "scratch (seed s)"). */
    readonly origin: string,
  ) {
    this.kind = modelKind(reference);
    reference.eval();
  }

  /** The model of a model folder (NAC or Perceiver IO). */
  static fromDir(dir: string): AdaptationSource {
    return new AdaptationSource(readModelConfig(dir), loadModelDir(dir), dir);
  }

  /** A randomly initialised model of `config` (weights from `seed`), for the from-scratch reference. */
  static fromScratch(config: ModelConfig, seed: number): AdaptationSource {
    return new AdaptationSource(config, buildModel(config, { seed }), `scratch (seed ${seed})`);
  }

  /**
   * A model for `numClasses` classes with the reference's weights and a classifier drawn from
   * `headSeed` (PyTorch's nn.Linear init, U(±1/√d), weight then bias). The same object is returned for
   * the same class count, reset on every call: save or evaluate it before the next call.
   */
  model(numClasses: number, headSeed: number): ClassifierModel {
    let model = this.models.get(numClasses);
    if (!model) {
      model = buildModel(withNumClasses(this.config, numClasses), { skipPriorFit: true });
      this.models.set(numClasses, model);
    }
    const ref = this.reference.namedParameters();
    for (const [name, v] of model.namedParameters()) {
      if (isClassifierParam(this.kind, name)) continue;
      const r = ref.get(name);
      if (!r) throw new Error(`AdaptationSource: the reference has no parameter '${name}'`);
      v.assign(r);
    }
    const head = classifierOf(model);
    const rng = new Rng(headSeed);
    tf.tidy(() => {
      head.weight.assign(linearWeight(rng, head.inDim, [head.inDim, head.outDim]));
      head.bias?.assign(linearWeight(rng, head.inDim, [head.outDim]));
    });
    return model.eval();
  }

  /**
   * The reference's `stage` values (tokens or features, eval mode) of examples `indices` of `data`,
   * stacked [N, ...]; computed once per example and cached. Reads the device asynchronously (WebGPU in
   * Node has no synchronous read-back).
   */
  async rows(stage: Exclude<Stage, 'input'>, data: Dataset, indices: ArrayLike<number>): Promise<Rows> {
    if (indices.length === 0) throw new Error('AdaptationSource.rows: no indices given');
    const key = `${stage}:${data.name}`;
    let cache = this.caches.get(key);
    if (!cache) this.caches.set(key, (cache = new Map()));
    const missing = [...new Set(Array.from(indices))].filter((i) => !cache.has(i));
    for (let start = 0; start < missing.length; start += CACHE_BATCH) {
      const part = missing.slice(start, start + CACHE_BATCH);
      const out = tf.tidy(() => runStages(this.reference, batchTensor(data.getBatch(part)), 'input', stage, new Rng(0)));
      const values = (await out.data()) as Float32Array;
      this.rowShapes.set(key, out.shape.slice(1));
      out.dispose();
      const size = values.length / part.length;
      part.forEach((i, r) => cache.set(i, values.slice(r * size, (r + 1) * size)));
    }
    const rowShape = this.rowShapes.get(key) as number[];
    const size = rowShape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(indices.length * size);
    for (let r = 0; r < indices.length; r++) x.set(cache.get(indices[r] as number) as Float32Array, r * size);
    return { x, shape: [indices.length, ...rowShape] };
  }

  /** Number of cached rows of `stage` for `data` (for reports and tests). */
  cachedCount(stage: Exclude<Stage, 'input'>, data: Dataset): number {
    return this.caches.get(`${stage}:${data.name}`)?.size ?? 0;
  }

  /** Frees every model and cache. */
  dispose(): void {
    this.reference.dispose();
    for (const m of this.models.values()) m.dispose();
    this.models.clear();
    this.caches.clear();
  }
}
