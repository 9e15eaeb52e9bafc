/**
 * Tokenizer registry: one discriminated-union config type, a validator that names the offending field,
 * and `createTokenizer`. Registered types: 'convnext' and 'patch' (images), 'points' (point sets),
 * 'bytes' (byte text) and 'symbols' (symbolic sequences). Adding a modality means one file implementing {@link Tokenizer} (with its own
 * config validator) plus one entry in {@link TOKENIZER_REGISTRY}.
 */
import type { Rng } from '../util/rng.js';
import { Tokenizer, type ParamImport, type ReferenceMapper } from './tokenizer.js';
import { ConvNeXtImageTokenizer, convnextReferenceMapper, validateConvNeXtConfig, type ConvNeXtTokenizerConfig } from './convnext.js';
import { PatchTokenizer, validatePatchConfig, type PatchTokenizerConfig } from './patch.js';
import { PointTokenizer, validatePointConfig, type PointTokenizerConfig } from './points.js';
import { ByteTokenizer, validateByteConfig, type ByteTokenizerConfig } from './bytes.js';
import { SymbolTokenizer, validateSymbolConfig, type SymbolTokenizerConfig } from './symbols.js';
import { describeValue, fail, requireObject } from './validate.js';

/** Config of any registered tokenizer, discriminated by `type`. */
export type TokenizerConfig =
  | ({ type: 'convnext' } & ConvNeXtTokenizerConfig)
  | ({ type: 'patch' } & PatchTokenizerConfig)
  | ({ type: 'points' } & PointTokenizerConfig)
  | ({ type: 'bytes' } & ByteTokenizerConfig)
  | ({ type: 'symbols' } & SymbolTokenizerConfig);
/** The registered tokenizer type names. */
export type TokenizerType = TokenizerConfig['type'];

/** How the registry validates and builds one tokenizer type. */
export interface TokenizerRegistryEntry<C> {
  /** Checks a raw config (errors name fields under `field`) and returns it typed with defaults. */
  validate: (raw: unknown, field: string) => C;
  /** Builds the tokenizer from a validated config. */
  create: (cfg: C, rng: Rng) => Tokenizer;
  /** Maps the reference implementation's parameter names, where the tokenizer has a reference counterpart. */
  referenceMapper?: ReferenceMapper;
}

/** One entry per tokenizer type: how to validate its config and how to build it. */
export const TOKENIZER_REGISTRY: { [T in TokenizerType]: TokenizerRegistryEntry<Extract<TokenizerConfig, { type: T }>> } = {
  convnext: {
    validate: (raw, field) => ({ type: 'convnext', ...validateConvNeXtConfig(raw, field) }),
    create: (cfg, rng) => new ConvNeXtImageTokenizer(withoutType(cfg), rng),
    referenceMapper: convnextReferenceMapper,
  },
  patch: {
    validate: (raw, field) => ({ type: 'patch', ...validatePatchConfig(raw, field) }),
    create: (cfg, rng) => new PatchTokenizer(withoutType(cfg), rng),
  },
  points: {
    validate: (raw, field) => ({ type: 'points', ...validatePointConfig(raw, field) }),
    create: (cfg, rng) => new PointTokenizer(withoutType(cfg), rng),
  },
  bytes: {
    validate: (raw, field) => ({ type: 'bytes', ...validateByteConfig(raw, field) }),
    create: (cfg, rng) => new ByteTokenizer(withoutType(cfg), rng),
  },
  symbols: {
    validate: (raw, field) => ({ type: 'symbols', ...validateSymbolConfig(raw, field) }),
    create: (cfg, rng) => new SymbolTokenizer(withoutType(cfg), rng),
  },
};

function withoutType<C extends { type: string }>(cfg: C): Omit<C, 'type'> {
  const { type: _type, ...rest } = cfg;
  return rest;
}

function isTokenizerType(t: unknown): t is TokenizerType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(TOKENIZER_REGISTRY, t);
}

/**
 * Checks a raw tokenizer config (e.g. parsed JSON) and returns it typed, with defaults filled in.
 * Throws an Error naming the offending field under `field`, e.g.
 * `tokenizer.preset must be one of tiny, mini, micro, nano, pico, femto, atto; got 'huge'`.
 */
export function validateTokenizerConfig(raw: unknown, field = 'tokenizer'): TokenizerConfig {
  const o = requireObject(raw, field);
  if (!isTokenizerType(o.type)) {
    fail(`${field}.type`, `must be one of ${Object.keys(TOKENIZER_REGISTRY).join(', ')}; got ${describeValue(o.type)}`);
  }
  const entry = TOKENIZER_REGISTRY[o.type] as TokenizerRegistryEntry<TokenizerConfig>;
  return entry.validate(o, field);
}

/** Validates `cfg` and builds the tokenizer it describes. */
export function createTokenizer(cfg: TokenizerConfig, rng: Rng): Tokenizer {
  const valid = validateTokenizerConfig(cfg);
  const entry = TOKENIZER_REGISTRY[valid.type] as TokenizerRegistryEntry<TokenizerConfig>;
  return entry.create(valid, rng);
}

/** The reference-name mapper of a tokenizer type, or null when there is no reference counterpart. */
export function tokenizerReferenceMapper(type: TokenizerType): ReferenceMapper | null {
  return TOKENIZER_REGISTRY[type].referenceMapper ?? null;
}

export { Tokenizer, ConvNeXtImageTokenizer, PatchTokenizer, PointTokenizer, ByteTokenizer, SymbolTokenizer, convnextReferenceMapper };
export type {
  ParamImport,
  ReferenceMapper,
  ConvNeXtTokenizerConfig,
  PatchTokenizerConfig,
  PointTokenizerConfig,
  ByteTokenizerConfig,
  SymbolTokenizerConfig,
};
export { POINT_ENCODINGS, type PointEncoding } from './points.js';
export { BYTE_PAD_ID, BYTE_VOCAB_SIZE } from './bytes.js';
export {
  CONVNEXT_PRESETS,
  CONVNEXT_PRESET_DEPTHS,
  DEFAULT_POSITIONAL_GRID_DIM,
  convnextFeatureSize,
  convnextStageWidths,
  type ConvNeXtPreset,
} from './convnext.js';
