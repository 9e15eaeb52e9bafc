/**
 * Adaptation policies: which parameters of a pretrained classifier train when it is adapted to new
 * classes, and the k-shot defaults that go with each policy.
 *
 * - `linear-probe`: only the (re-initialised) classifier — NAC `pooling.classifier.*`, Perceiver IO
 *   `toLogits.*`.
 * - `codes`: the classifier plus the module codes and signatures of every module group
 *   (`circuit.latents.<g>.{codes,signatures}`). The Perceiver IO has no module codes; its analogue is
 *   the classifier plus the two learned "latent" inputs of its computation: the latent array `latents`
 *   and the classification query `classificationQuery` (the shared weights stay frozen, as NAC's do).
 * - `full`: every trainable parameter.
 */
import type { ModelConfig } from '../model/factory.js';
import { ConfigError } from '../config/validate.js';

/** The adaptation policies. */
export const ADAPT_POLICIES = ['linear-probe', 'codes', 'full'] as const;

/** An adaptation policy name. */
export type AdaptPolicy = (typeof ADAPT_POLICIES)[number];

/** The model kinds that can be adapted (the `model` field of a model config). */
export type AdaptModelKind = ModelConfig['model'];

/** Dotted names of the classifier (the head that is re-initialised for the new classes). */
const CLASSIFIER: Record<AdaptModelKind, RegExp> = {
  nac: /^pooling\.classifier\.(weight|bias)$/,
  'perceiver-io': /^toLogits\.(weight|bias)$/,
};

/** Dotted names the `codes` policy adds to the classifier. */
const CODES: Record<AdaptModelKind, RegExp> = {
  nac: /^circuit\.latents\.[^.]+\.(codes|signatures)$/,
  'perceiver-io': /^(latents|classificationQuery)$/,
};

/** Throws a ConfigError naming the allowed policies unless `name` is one. */
export function validatePolicy(name: string, field = 'policy'): AdaptPolicy {
  if (!(ADAPT_POLICIES as readonly string[]).includes(name)) {
    throw new ConfigError(field, `must be one of ${ADAPT_POLICIES.join(', ')}; got '${name}'`);
  }
  return name as AdaptPolicy;
}

/** True when `name` is a parameter of the classifier head of a model of `kind`. */
export function isClassifierParam(kind: AdaptModelKind, name: string): boolean {
  return CLASSIFIER[kind].test(name);
}

/**
 * True when `policy` trains parameter `name` of a model of `kind`. Only trainable parameters are
 * candidates (the caller filters on `variable.trainable`); `full` accepts every name.
 */
export function policyTrains(kind: AdaptModelKind, policy: AdaptPolicy, name: string): boolean {
  if (isClassifierParam(kind, name)) return true;
  if (policy === 'linear-probe') return false;
  if (policy === 'codes') return CODES[kind].test(name);
  return true;
}

/** The k-shot defaults of a policy (see {@link defaultAdaptHyper}). */
export interface AdaptHyper {
  /** AdamW steps. */
  steps: number;
  /** Learning rate of the policy's parameters other than the classifier (unused by linear-probe). */
  lr: number;
  /** Learning rate of the new classifier. */
  headLr: number;
}

/**
 * Defaults per policy, chosen for 8-way k-shot MNIST from Fashion-MNIST models within a CPU budget
 * (docs/results/adaptation.md): the linear probe runs on cached features, so it gets many steps; codes
 * and full backpropagate through the circuit, so they get few (20), after a linear-probe warm start of
 * the classifier (see `EpisodeOptions.warmStart`), with a higher rate for the codes (N(0, 1)-scaled
 * inputs) than for the shared weights. With the warm start, 20 steps gave the same accuracy as 40
 * without it (NAC, full, k = 25: 68.6 vs 70.4 %, 2–3 episodes).
 */
export function defaultAdaptHyper(policy: AdaptPolicy): AdaptHyper {
  switch (policy) {
    case 'linear-probe':
      return { steps: 200, lr: 1e-2, headLr: 1e-2 };
    case 'codes':
      return { steps: 20, lr: 1e-2, headLr: 1e-2 };
    case 'full':
      return { steps: 20, lr: 1e-3, headLr: 1e-2 };
  }
}
