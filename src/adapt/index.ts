/**
 * Low-shot adaptation of pretrained classifiers (NAC and Perceiver IO) to new classes: policies,
 * n-way k-shot episodes, the adaptation source with its stage caches, the training loop and episodes
 * end to end.
 */
export { ADAPT_POLICIES, validatePolicy, policyTrains, isClassifierParam, defaultAdaptHyper } from './policy.js';
export type { AdaptPolicy, AdaptHyper, AdaptModelKind } from './policy.js';
export { sampleEpisode, evaluationPool, indicesByClass, purposeRng, SEED_PURPOSE } from './episodes.js';
export type { Episode, EpisodeSpec } from './episodes.js';
export { AdaptationSource, withNumClasses } from './source.js';
export type { Rows } from './source.js';
export { runStages, classifierOf, featureDim, modelKind } from './stages.js';
export type { Stage } from './stages.js';
export { adaptModel, stageAccuracy, policyParameters } from './train.js';
export type { BackboneMode, TrainLoopOptions } from './train.js';
export { runEpisode, resolveHyper, adaptStage, episodeSeeds, saveAdaptedModel, DEFAULT_BACKBONE_MODE } from './episode.js';
export type { EpisodeOptions, EpisodeResult, AdaptationRecord } from './episode.js';
export { loadEpisodeData, checkSourceFitsData, runEpisodes, DEFAULT_EVAL_PER_CLASS } from './experiment.js';
export type { EpisodeData, EpisodesOptions } from './experiment.js';
