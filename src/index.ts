/**
 * neural-attentive-circuits: the curated public API for Node.
 *
 * Everything a user of the package needs is re-exported here; deeper paths (`dist/circuits/*`, …) are
 * implementation details and may change without notice. Call {@link initBackend} once before building
 * or running a model: it picks the tfjs backend (wasm by default in Node) and registers the kernels
 * this package adds to it.
 *
 * The runtime-neutral part lives in ./browser.ts (what bundlers pick for browsers); this file adds what
 * touches the file system.
 */
export * from './browser.js';

// The NAC_* environment variables (what each takes and does) and the check initBackend runs on them.
export { ENVIRONMENT, checkEnvironment } from './engine/index.js';
export type { EnvScope, EnvVariable } from './engine/index.js';

// Model folders on disk and safetensors files.
export { saveModelDir, loadModelDir, readModelConfig, readModelMeta } from './io/model-dir.js';
export { readSafetensors } from './io/safetensors-file.js';

// The parity check against the authors' reference implementation (reads a fixture folder).
export { referenceCheck } from './reference/check.js';
export type { ParityReport, ParityRow } from './reference/check.js';

// circuit.json files.
export { writeCircuitReport, readCircuitReport } from './inspect/report-file.js';

// Out-of-distribution suites on real data, and the corruption grid as a PNG.
export { OOD_SUITES, loadSuiteData, seededSubset } from './ood/suite-data.js';
export type { OodSuite } from './ood/suite-data.js';
export { corruptionGridPNG } from './ood/grid-png.js';

// Low-shot adaptation episodes on real data.
export { AdaptationSource } from './adapt/source.js';
export { runEpisode, saveAdaptedModel, DEFAULT_BACKBONE_MODE } from './adapt/episode.js';
export type { EpisodeOptions, EpisodeResult, AdaptationRecord } from './adapt/episode.js';
export { loadEpisodeData, runEpisodes } from './adapt/experiment.js';
export type { EpisodeData, EpisodesOptions } from './adapt/experiment.js';
