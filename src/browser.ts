/**
 * neural-attentive-circuits in any JavaScript runtime: the public API without file-system or
 * process access, so that it bundles for browsers (`import … from 'neural-attentive-circuits'` resolves
 * here under a bundler's `browser` condition; `neural-attentive-circuits/browser` names it anywhere).
 * Node's entry point, ./index.ts, re-exports all of it and adds what reads or writes files: model
 * folders, dataset loaders, the reference parity check, circuit.json files, the OOD and low-shot suites.
 *
 * Call {@link initBackend} once before building or running a model: it picks the tfjs backend (webgpu
 * in a browser that has it, else wasm) and registers the kernels this package adds to it. In a bundle,
 * pass `wasmPaths` to say where tfjs' .wasm files are served.
 */

// Engine: tfjs backend selection.
export {
  initBackend,
  describeBackend,
  currentBackendReport,
  BackendUnavailableError,
  BACKEND_NAMES,
  WASM_BINARY_NAMES,
} from './engine/index.js';
export type { BackendName, BackendReport, InitBackendOptions, WasmPaths } from './engine/index.js';

// The model.
export { NAC } from './model/nac.js';
export type { NACBuildOptions, NACOutputs } from './model/nac.js';
export type { CircuitStates } from './circuits/circuit.js';

// Either classifier (NAC or Perceiver IO) from a config, as saved models hold them.
export { buildModel, validateModelConfig, MODEL_KINDS } from './model/factory.js';
export type { ClassifierModel, ModelConfig, PerceiverIOModelConfig, BuildModelOptions } from './model/factory.js';

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

// Saved models as file contents (config.json text + weights.safetensors bytes), fetched models, safetensors.
export { modelToFiles, modelFromFiles, parseModelConfigFile, loadModelFromURL, MODEL_FORMAT } from './io/model-files.js';
export type { ModelFiles, ModelMeta } from './io/model-files.js';
export { parseSafetensors, serializeSafetensors, SafetensorsError } from './io/safetensors.js';
export type { RawTensor, SafetensorsDtype } from './io/safetensors.js';

// The authors' reference implementation: config translation and weight import.
export { translateReferenceConfig, importReferenceWeights, ReferenceImportError } from './io/reference-import.js';

// Seeded randomness.
export { Rng } from './util/rng.js';

// Circuit inspection: the learned module graph, its statistics and communities, class routing, drift from the prior.
export { extractCircuitGraph, toWeightedGraph, graphNames, MODULE_GROUPS } from './inspect/circuit-graph.js';
export type { CircuitGraph, CircuitNode, KernelLayerGraph, ModuleGroup } from './inspect/circuit-graph.js';
export { graphFromMatrix, graphStatistics, modularity, degrees, strengths } from './inspect/weighted-graph.js';
export type { WeightedGraph, GraphStatistics } from './inspect/weighted-graph.js';
export { detectCommunities } from './inspect/communities.js';
export { classRouting, classMeans, routingSubset } from './inspect/class-routing.js';
export type { ClassRouting, LayerRouting, RoutingSamples } from './inspect/class-routing.js';
export { jensenShannonDistance, classDistanceMatrix, meanPairwiseDistance, classSpecificity, mantelTest } from './inspect/routing-stats.js';
export type { SpecificityTest, MantelTest } from './inspect/routing-stats.js';
export { comparePrior, initialCircuitGraph } from './inspect/prior-drift.js';
export type { PriorDrift, LayerDrift, SignatureDrift } from './inspect/prior-drift.js';
export { inspectCircuit, summarizeGraphs, CIRCUIT_FORMAT } from './inspect/report.js';
export type { CircuitReport, GraphSummary, InspectOptions } from './inspect/report.js';
export { circuitReportToJSON, parseCircuitReport } from './inspect/export.js';
export { circuitFigureSVG, routingFigureSVG } from './inspect/figures.js';
export { heatmapSVG } from './inspect/heatmap-svg.js';
export type { HeatmapPanel, HeatmapOptions } from './inspect/heatmap-svg.js';

// Out-of-distribution robustness: the corruption suite for grey images and OOD evaluation.
export {
  CORRUPTIONS,
  CORRUPTION_NAMES,
  SEVERITIES,
  corruptImage,
  corruptionSpec,
  exampleRng,
  parseCorruptionList,
  parseSeverityList,
} from './ood/corruptions.js';
export type { CorruptionSpec, CorruptionFamily } from './ood/corruptions.js';
export { CorruptedDataset } from './ood/corrupted-dataset.js';
export { evaluateCorruptionSuite, evaluateShift, relativeDrop } from './ood/evaluate.js';
export type { CorruptionSuiteResult, CorruptionCell, ShiftResult } from './ood/evaluate.js';

// Inference pruning: module scores, pruned NACs with really smaller tensors, forward FLOP counts.
export { pruneNAC, pruneNACTo, prunedConfig } from './prune/prune.js';
export type { PrunedNAC, PruneOptions, KeptModules } from './prune/prune.js';
export { SCORE_RULES, scoreModules, rulesForGroup, parseScoreRule, topIndices } from './prune/scores.js';
export type { ScoreRule, ScoreOptions } from './prune/scores.js';
export { PRUNE_GROUPS, parseKeep, resolveKeep, parseGroups } from './prune/keep.js';
export type { PruneGroup, KeepSpec } from './prune/keep.js';
export { kernelBlocks } from './prune/kernel-graph.js';
export type { KernelBlock, SenderSegment } from './prune/kernel-graph.js';
export { forwardStages, FORWARD_STAGES } from './prune/stages.js';
export type { ForwardStage } from './prune/stages.js';
export { nacForwardFlops, perceiverIOForwardFlops, modelForwardFlops, tokenizerFlops } from './model/flops.js';
export type { FlopCount, NACFlopCount } from './model/flops.js';

// Low-shot adaptation: policies (linear-probe, codes, full), n-way k-shot episodes, the adaptation loop.
export { ADAPT_POLICIES, validatePolicy, policyTrains, defaultAdaptHyper } from './adapt/policy.js';
export type { AdaptPolicy, AdaptHyper } from './adapt/policy.js';
export { sampleEpisode, evaluationPool, indicesByClass } from './adapt/episodes.js';
export type { Episode, EpisodeSpec } from './adapt/episodes.js';
export { adaptModel, stageAccuracy, policyParameters } from './adapt/train.js';
export type { BackboneMode, TrainLoopOptions } from './adapt/train.js';
