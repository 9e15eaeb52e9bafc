/**
 * The NAC model configuration: typed fields with the spec's defaults (§1–§2), validation that names
 * the offending field and its allowed range, and JSON round-trip. Presets live in `presets.ts`.
 */
import type { TokenizerConfig } from '../tokenizers/index.js';
import { validateTokenizerConfig } from '../tokenizers/index.js';
import type { GraphPriorConfig } from '../circuits/graph-priors.js';
import { validateGraphPrior } from '../circuits/graph-priors.js';
import { ConfigError, checkBool, checkInt, checkKeys, checkNullableNumber, checkNumber, checkOneOf } from './validate.js';

/** The signature kernel of one SKMDPA (spec §1.5). */
export interface KernelConfig {
  /** Truncation τ on the cosine distance (pairs with d > τ get weight 0); null = no truncation. */
  truncation: number | null;
  /** Initial bandwidth ε of K = exp(−d/ε). */
  bandwidth: number;
  /** Whether ε is learnable. */
  learnableBandwidth: boolean;
  /** Sample K̃ ~ RelaxedBernoulli(K, T) per example during training (eval always uses K). */
  stochastic: boolean;
  /** Relaxed-Bernoulli temperature T. */
  temperature: number;
}

/** Which module groups the graph priors apply to, and how signatures are fitted (spec §1.4). */
export interface PriorConfig {
  readIn: GraphPriorConfig;
  propagator: GraphPriorConfig;
  readOut: GraphPriorConfig;
  /** τ₀ of the hinge loss used to fit signatures to the prior graph. */
  fitTruncation: number;
  /** Adam steps of the fit (lr 1e-3). */
  fitSteps: number;
}

export interface NACConfig {
  model: 'nac';
  /** Number of output classes. */
  numClasses: number;
  /** d: width of every module state. */
  stateDim: number;
  /** d_code: width of the code c_u. */
  codeDim: number;
  /** d_sig: width of the signature s_u. */
  signatureDim: number;
  /** The input tokenizer (shared seam with Perceiver IO). */
  tokenizer: TokenizerConfig;
  /** U_in, U_p, U_out: numbers of read-in, propagator and read-out modules. */
  numReadIn: number;
  numPropagators: number;
  numReadOut: number;
  /** L: number of propagator layers (unshared weights). */
  numLayers: number;
  /** Heads of the read-in attention, and of propagators/read-out. */
  readInHeads: number;
  numHeads: number;
  /** Head dimension d_h (the attention's inner width is heads × d_h). */
  headDim: number;
  /** FFN hidden width h = round(ffnCapacity · d). */
  ffnCapacity: number;
  /** GEGLU FFN (true) or GELU FFN (false). */
  geglu: boolean;
  /** Bias on the q/k/v ModFCs. */
  qkvBias: boolean;
  /** LayerScale initial value γ on residual branches (null: none). */
  layerScale: number | null;
  /** LayerScale initial value on the read-in attention branch (null: none). */
  readInLayerScale: number | null;
  /** DropPath probabilities per layer type. */
  dropPath: { readIn: number; propagator: number; readOut: number };
  /** σ of the multiplicative code noise c ← c + U(−σ|c|, σ|c|) in training (0: off). */
  codeNoise: number;
  /** Apply code noise in the latent seeder too. */
  seederCodeNoise: boolean;
  /** ModFC modulation settings (spec §1.2). */
  modfc: { scaleGain: number; learnableScaleGain: boolean; addOneToScale: boolean };
  /** Propagator kernel and read-out kernel. */
  kernel: KernelConfig;
  readOutKernel: KernelConfig;
  /** Residual around read-in attention (true in all configs) and read-out attention (false). */
  readInResidual: boolean;
  readOutResidual: boolean;
  /** Read-in states stay senders in every propagator layer (true) or only the first (false). */
  persistentReadIn: boolean;
  /** Graph priors for the signatures. */
  priors: PriorConfig;
  learnableSignatures: boolean;
  learnableCodes: boolean;
  /** Output pooling: Gumbel softmax in training ('gumbel') or plain softmax ('vanilla'); eval is always plain. */
  pooling: 'gumbel' | 'vanilla';
}

const KERNEL_KEYS = ['truncation', 'bandwidth', 'learnableBandwidth', 'stochastic', 'temperature'] as const;
const TOP_KEYS = [
  'model',
  'numClasses',
  'stateDim',
  'codeDim',
  'signatureDim',
  'tokenizer',
  'numReadIn',
  'numPropagators',
  'numReadOut',
  'numLayers',
  'readInHeads',
  'numHeads',
  'headDim',
  'ffnCapacity',
  'geglu',
  'qkvBias',
  'layerScale',
  'readInLayerScale',
  'dropPath',
  'codeNoise',
  'seederCodeNoise',
  'modfc',
  'kernel',
  'readOutKernel',
  'readInResidual',
  'readOutResidual',
  'persistentReadIn',
  'priors',
  'learnableSignatures',
  'learnableCodes',
  'pooling',
] as const;

function validateKernel(k: KernelConfig, field: string): void {
  checkKeys(k, field, KERNEL_KEYS);
  checkNullableNumber(k.truncation, `${field}.truncation`, 0, 2, true);
  checkNumber(k.bandwidth, `${field}.bandwidth`, 0, 1e6, true);
  checkBool(k.learnableBandwidth, `${field}.learnableBandwidth`);
  checkBool(k.stochastic, `${field}.stochastic`);
  checkNumber(k.temperature, `${field}.temperature`, 0, 100, true);
}

/** Throws a ConfigError naming the first invalid field. */
export function validateNACConfig(cfg: NACConfig, field = 'config'): void {
  const f = (k: string) => `${field}.${k}`;
  checkKeys(cfg, field, TOP_KEYS);
  if (cfg.model !== 'nac') throw new ConfigError(f('model'), `must be 'nac', got ${JSON.stringify(cfg.model)}`);
  checkInt(cfg.numClasses, f('numClasses'), 1);
  checkInt(cfg.stateDim, f('stateDim'), 1);
  checkInt(cfg.codeDim, f('codeDim'), 1);
  checkInt(cfg.signatureDim, f('signatureDim'), 1);
  validateTokenizerConfig(cfg.tokenizer, f('tokenizer'));
  checkInt(cfg.numReadIn, f('numReadIn'), 1);
  checkInt(cfg.numPropagators, f('numPropagators'), 1);
  checkInt(cfg.numReadOut, f('numReadOut'), 1);
  checkInt(cfg.numLayers, f('numLayers'), 0);
  checkInt(cfg.readInHeads, f('readInHeads'), 1);
  checkInt(cfg.numHeads, f('numHeads'), 1);
  checkInt(cfg.headDim, f('headDim'), 1);
  checkNumber(cfg.ffnCapacity, f('ffnCapacity'), 0, 64, true);
  checkBool(cfg.geglu, f('geglu'));
  checkBool(cfg.qkvBias, f('qkvBias'));
  checkNullableNumber(cfg.layerScale, f('layerScale'), 0, 1e3);
  checkNullableNumber(cfg.readInLayerScale, f('readInLayerScale'), 0, 1e3);
  checkKeys(cfg.dropPath, f('dropPath'), ['readIn', 'propagator', 'readOut']);
  for (const k of ['readIn', 'propagator', 'readOut'] as const) checkNumber(cfg.dropPath[k], f(`dropPath.${k}`), 0, 1 - 1e-6);
  checkNumber(cfg.codeNoise, f('codeNoise'), 0, 1);
  checkBool(cfg.seederCodeNoise, f('seederCodeNoise'));
  checkKeys(cfg.modfc, f('modfc'), ['scaleGain', 'learnableScaleGain', 'addOneToScale']);
  checkNumber(cfg.modfc.scaleGain, f('modfc.scaleGain'), -1e3, 1e3);
  checkBool(cfg.modfc.learnableScaleGain, f('modfc.learnableScaleGain'));
  checkBool(cfg.modfc.addOneToScale, f('modfc.addOneToScale'));
  validateKernel(cfg.kernel, f('kernel'));
  validateKernel(cfg.readOutKernel, f('readOutKernel'));
  checkBool(cfg.readInResidual, f('readInResidual'));
  checkBool(cfg.readOutResidual, f('readOutResidual'));
  checkBool(cfg.persistentReadIn, f('persistentReadIn'));
  checkKeys(cfg.priors, f('priors'), ['readIn', 'propagator', 'readOut', 'fitTruncation', 'fitSteps']);
  validateGraphPrior(cfg.priors.readIn, cfg.numReadIn, f('priors.readIn'));
  validateGraphPrior(cfg.priors.propagator, cfg.numPropagators, f('priors.propagator'));
  validateGraphPrior(cfg.priors.readOut, cfg.numReadOut, f('priors.readOut'));
  checkNumber(cfg.priors.fitTruncation, f('priors.fitTruncation'), 0, 2, true);
  checkInt(cfg.priors.fitSteps, f('priors.fitSteps'), 0, 1_000_000);
  checkBool(cfg.learnableSignatures, f('learnableSignatures'));
  checkBool(cfg.learnableCodes, f('learnableCodes'));
  checkOneOf(cfg.pooling, f('pooling'), ['gumbel', 'vanilla'] as const);
}

/** FFN hidden width h = round(capacity · d). */
export function ffnHidden(cfg: Pick<NACConfig, 'ffnCapacity' | 'stateDim'>): number {
  return Math.round(cfg.ffnCapacity * cfg.stateDim);
}

/** Serialises a config (stable key order) for config.json. */
export function nacConfigToJSON(cfg: NACConfig): string {
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

/** Parses and validates a config from JSON text. */
export function nacConfigFromJSON(text: string, source = 'config'): NACConfig {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(source, `is not valid JSON (${(e as Error).message})`);
  }
  const cfg = obj as NACConfig;
  validateNACConfig(cfg, source);
  return cfg;
}
