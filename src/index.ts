/**
 * neural-attentive-circuits: the curated public API.
 *
 * Everything a user of the package needs is re-exported here; deeper paths (`dist/circuits/*`, …) are
 * implementation details and may change without notice. Call {@link initBackend} once before building
 * or running a model: it picks the tfjs backend (wasm by default in Node) and registers the kernels
 * this package adds to it.
 */

// Engine: tfjs backend selection.
export { initBackend, describeBackend, currentBackendReport, BackendUnavailableError, BACKEND_NAMES } from './engine/index.js';
export type { BackendName, BackendReport, InitBackendOptions } from './engine/index.js';

// The model.
export { NAC } from './model/nac.js';
export type { NACBuildOptions, NACOutputs } from './model/nac.js';
export type { CircuitStates } from './circuits/circuit.js';

// Configuration and presets.
export { validateNACConfig, nacConfigToJSON, nacConfigFromJSON, ffnHidden } from './config/nac-config.js';
export type { NACConfig, KernelConfig, PriorConfig } from './config/nac-config.js';
export { ConfigError } from './config/validate.js';
export { defaultNACConfig, NAC_PRESETS, nacPreset } from './config/presets.js';

// Graph priors and signature fitting.
export { sampleGraph, graphDensity, GRAPH_PRESETS } from './circuits/graph-priors.js';
export type { GraphPreset, GraphPriorConfig } from './circuits/graph-priors.js';
export { signaturesForPrior, fitSignatures, edgeRecovery } from './circuits/signature-fit.js';
export type { SignatureFitOptions } from './circuits/signature-fit.js';
export { propagatorGraphStats } from './circuits/graph-stats.js';
export type { GraphStats } from './circuits/graph-stats.js';

// Building blocks.
export { Module } from './nn/module.js';
export { Linear } from './nn/linear.js';
export type { LinearOptions } from './nn/linear.js';
export { LayerNorm } from './nn/layer-norm.js';
export { ModFC } from './nn/modfc.js';
export type { ModFCOptions } from './nn/modfc.js';
export { ModAttention } from './nn/mod-attention.js';
export type { ModAttentionOptions } from './nn/mod-attention.js';
export { ModFFN } from './nn/mod-ffn.js';
export type { ModFFNOptions } from './nn/mod-ffn.js';
export { SignatureKernel, cosineDistance } from './circuits/kernel.js';

// Tokenizers (the input seam shared by NAC and Perceiver IO).
export { Tokenizer, createTokenizer, validateTokenizerConfig, ConvNeXtImageTokenizer, PatchTokenizer } from './tokenizers/index.js';
export type { TokenizerConfig, TokenizerType, ConvNeXtTokenizerConfig, PatchTokenizerConfig, ConvNeXtPreset } from './tokenizers/index.js';

// The Perceiver IO baseline.
export {
  PerceiverIO,
  createPerceiverIO,
  validatePerceiverIOConfig,
  validatePerceiverIOPreset,
  PERCEIVER_IO_DEFAULTS,
  PERCEIVER_IO_TINY_IMAGENET,
  PERCEIVER_IO_SMALL_CPU,
} from './baselines/perceiver-io.js';
export type { PerceiverIOConfig, PerceiverIOPreset } from './baselines/perceiver-io.js';

// Model folders and safetensors.
export { saveModelDir, loadModelDir, readModelConfig, MODEL_FORMAT } from './io/model-dir.js';
export { readSafetensors, parseSafetensors, serializeSafetensors, SafetensorsError } from './io/safetensors.js';
export type { RawTensor, SafetensorsDtype } from './io/safetensors.js';

// The authors' reference implementation: config translation, weight import, parity check.
export { translateReferenceConfig, importReferenceWeights, ReferenceImportError } from './io/reference-import.js';
export { referenceCheck } from './reference/check.js';
export type { ParityReport, ParityRow } from './reference/check.js';

// Seeded randomness.
export { Rng } from './util/rng.js';
