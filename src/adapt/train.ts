/**
 * The adaptation loop: a fixed number of AdamW steps on the parameters a policy names, from any
 * stage of the forward pass (raw inputs, cached tokens or cached features), with cross-entropy on
 * one-hot targets and global-norm gradient clipping. The new classifier has its own learning rate
 * (`headLr`); the policy's other parameters use `lr`. Plus the accuracy of the adapted model.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierModel } from '../model/factory.js';
import { NAC } from '../model/nac.js';
import { AdamW } from '../train/adamw.js';
import { clipScale, globalNormTensor } from '../train/grad-clip.js';
import { smoothedTargets, softCrossEntropy } from '../train/loss.js';
import { Rng } from '../util/rng.js';
import { isClassifierParam, policyTrains, type AdaptPolicy } from './policy.js';
import { classifierOf, modelKind, runStages, type Stage } from './stages.js';
import type { Rows } from './source.js';
import { purposeRng, SEED_PURPOSE } from './episodes.js';

/** Whether the backbone runs with NAC's training-time noise while adapting. */
export type BackboneMode = 'train' | 'eval';

/** Options of {@link adaptModel}. */
export interface TrainLoopOptions {
  policy: AdaptPolicy;
  steps: number;
  /** Learning rate of the policy's non-classifier parameters. */
  lr: number;
  /** Learning rate of the classifier. */
  headLr: number;
  /** Examples per step; default min(64, N). */
  batchSize?: number;
  /** Seed of the batch order and of NAC's training noise. */
  seed: number;
  /** 'eval' (deterministic backbone) or 'train' (NAC code noise, kernel sampling, Gumbel pooling). */
  mode: BackboneMode;
  /** Decoupled weight decay of AdamW (default 0.05, the training recipe's). */
  weightDecay?: number;
  /** Global gradient-norm clip (default 1, as in training; 0 = none). */
  gradClip?: number;
}

/** The trainable parameters `policy` adapts, by dotted name. */
export function policyParameters(model: ClassifierModel, policy: AdaptPolicy): Map<string, tf.Variable> {
  const kind = modelKind(model);
  const out = new Map<string, tf.Variable>();
  for (const [name, v] of model.namedParameters()) if (v.trainable && policyTrains(kind, policy, name)) out.set(name, v);
  return out;
}

/** The rows of `rows` at `idx`, as a tensor (caller disposes). */
function gather(rows: Rows, idx: ArrayLike<number>): tf.Tensor {
  const size = rows.x.length / (rows.shape[0] as number);
  const int = rows.x instanceof Int32Array;
  const out = int ? new Int32Array(idx.length * size) : new Float32Array(idx.length * size);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r] as number;
    out.set(rows.x.subarray(i * size, (i + 1) * size), r * size);
  }
  return tf.tensor(out, [idx.length, ...rows.shape.slice(1)], int ? 'int32' : 'float32');
}

/** Batch index lists: the whole set each step when it fits, else seeded shuffled epochs (last partial batch dropped). */
function batchPlan(n: number, batchSize: number, steps: number, seed: number): Int32Array[] {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (n <= batchSize) return Array.from({ length: steps }, () => all);
  const plan: Int32Array[] = [];
  for (let epoch = 0; plan.length < steps; epoch++) {
    const order = purposeRng(seed, SEED_PURPOSE.order, epoch).shuffle(Array.from(all));
    for (let s = 0; s + batchSize <= n && plan.length < steps; s += batchSize) plan.push(Int32Array.from(order.slice(s, s + batchSize)));
  }
  return plan;
}

/**
 * Adapts `model` in place: `steps` AdamW steps on the parameters of `policy`, with inputs `rows`
 * entering the forward pass at `stage` and labels `labels` (0…C−1). Returns the loss of every step
 * (before its update). The model is left in eval mode.
 */
export async function adaptModel(
  model: ClassifierModel,
  rows: Rows,
  labels: Int32Array,
  stage: Stage,
  o: TrainLoopOptions,
): Promise<number[]> {
  const n = rows.shape[0] as number;
  if (labels.length !== n) throw new Error(`adaptModel: ${n} input rows but ${labels.length} labels`);
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`adaptModel: steps must be an integer ≥ 0, got ${o.steps}`);
  const kind = modelKind(model);
  const numClasses = classifierOf(model).outDim;
  const params = policyParameters(model, o.policy);
  if (stage !== 'input') {
    // The stages before `stage` must be frozen by the policy, or the cached rows would be stale.
    const prefix = stage === 'tokens' ? /^tokenizer\./ : /^(?!pooling\.classifier\.|toLogits\.)/;
    const trainedPrefix = [...params.keys()].filter((p) => prefix.test(p) && !isClassifierParam(kind, p));
    if (trainedPrefix.length)
      throw new Error(`adaptModel: policy '${o.policy}' trains ${trainedPrefix[0]}, which is before stage '${stage}'`);
    if (stage === 'features' && o.mode === 'train' && kind === 'nac') throw new Error("adaptModel: cached features need mode 'eval'");
  }
  const head = new Map([...params].filter(([name]) => isClassifierParam(kind, name)));
  const body = new Map([...params].filter(([name]) => !isClassifierParam(kind, name)));
  const wd = o.weightDecay ?? 0.05;
  const headOpt = new AdamW(head, { lr: o.headLr, weightDecay: wd });
  const bodyOpt = body.size ? new AdamW(body, { lr: o.lr, weightDecay: wd }) : null;
  const byVar = new Map([...params].map(([name, v]) => [v.name, name]));
  const vars = [...params.values()];
  const clip = o.gradClip ?? 1;
  const plan = batchPlan(n, o.batchSize ?? Math.min(64, n), o.steps, o.seed);
  const losses: number[] = [];
  model.train(o.mode === 'train');
  try {
    for (const [step, idx] of plan.entries()) {
      if (model instanceof NAC) model.reseedNoise(purposeRng(o.seed, SEED_PURPOSE.noise, step).seed());
      const rng = model instanceof NAC ? model.noiseRng : new Rng(0);
      const { value, grads } = tf.tidy(() => {
        const x = gather(rows, idx);
        const targets = smoothedTargets(
          Int32Array.from(idx, (i) => labels[i] as number),
          numClasses,
          0,
        );
        return tf.variableGrads(() => softCrossEntropy(runStages(model, x, stage, 'logits', rng) as tf.Tensor2D, targets), vars);
      });
      const headGrads = new Map<string, tf.Tensor>();
      const bodyGrads = new Map<string, tf.Tensor>();
      for (const [varName, g] of Object.entries(grads)) {
        const name = byVar.get(varName) as string;
        (head.has(name) ? headGrads : bodyGrads).set(name, g);
      }
      try {
        // One asynchronous read per step (WebGPU in Node cannot read synchronously): loss and gradient norm.
        const all = new Map([...headGrads, ...bodyGrads]);
        const read = tf.tidy(() => tf.stack([value, clip > 0 ? globalNormTensor(all) : tf.scalar(0)]));
        value.dispose();
        const [loss, norm] = Array.from((await read.data()) as Float32Array) as [number, number];
        read.dispose();
        losses.push(loss);
        if (!Number.isFinite(loss)) throw new Error(`adaptModel: the loss became ${loss} at step ${step}; lower the learning rate`);
        const scale = clip > 0 ? clipScale(norm, clip) : 1;
        headOpt.step(headGrads, o.headLr, scale);
        if (bodyOpt && bodyGrads.size) bodyOpt.step(bodyGrads, o.lr, scale);
      } finally {
        for (const g of Object.values(grads)) g.dispose();
      }
    }
  } finally {
    headOpt.dispose();
    bodyOpt?.dispose();
    model.eval();
  }
  return losses;
}

/** Top-1 accuracy of `model` (eval mode) on `rows` entering at `stage`, in batches of `batchSize`. */
export async function stageAccuracy(
  model: ClassifierModel,
  rows: Rows,
  labels: Int32Array,
  stage: Stage,
  batchSize = 256,
): Promise<number> {
  const n = rows.shape[0] as number;
  if (n === 0) throw new Error('stageAccuracy: no examples');
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const idx = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
      const pred = tf.tidy(() => runStages(model, gather(rows, idx), stage, 'logits', new Rng(0)).argMax(1));
      const p = await pred.data();
      pred.dispose();
      idx.forEach((i, r) => {
        if (p[r] === labels[i]) correct++;
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return correct / n;
}
