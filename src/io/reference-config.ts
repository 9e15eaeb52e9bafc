/**
 * The first step of importing the authors' reference checkpoints (PyTorch `NeuralCompiler`): translate
 * its constructor arguments (`model_kwargs`), refined by which optional parameters its `state_dict`
 * holds, into a {@link NACConfig}. A reference option we do not implement is reported by name. The
 * weights themselves: ./reference-import.ts.
 */
import type { NACConfig, KernelConfig } from '../config/nac-config.js';
import { validateGraphPrior, type GraphPriorConfig, type GraphPreset } from '../circuits/graph-priors.js';

/** Raised when a reference checkpoint cannot be imported faithfully; `problems` lists every issue. */
export class ReferenceImportError extends Error {
  constructor(readonly problems: string[]) {
    super(`reference import failed with ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    this.name = 'ReferenceImportError';
  }
}

type Kw = Record<string, unknown>;
const obj = (v: unknown): Kw => (v && typeof v === 'object' ? (v as Kw) : {});

/** Reference graph presets and their generator kwargs → our prior config. */
function translatePrior(latentKwargs: unknown, problems: string[], where: string): GraphPriorConfig {
  const kw = obj(latentKwargs);
  const preset = kw.graph_preset ?? null;
  const g = obj(kw.graph_generator_kwargs);
  const num = (k: string) => (typeof g[k] === 'number' ? (g[k] as number) : undefined);
  switch (preset) {
    case null:
      return { preset: 'none' };
    case 'barabasi-albert':
    case 'scale-free':
      return { preset: 'barabasi-albert', m: num('m') };
    case 'planted-partition':
      return { preset: 'planted-partition', numClusters: num('l'), pIn: num('p_in'), pOut: num('p_out') };
    case 'ring-of-cliques':
      return { preset: 'ring-of-cliques', numCliques: num('num_cliques') };
    case 'erdos-renyi':
      return { preset: 'erdos-renyi', p: num('p') };
    case 'watts-strogatz':
      return { preset: 'watts-strogatz', k: num('k'), rewire: num('p') };
    case 'complete':
      return { preset: 'complete' as GraphPreset };
    default:
      problems.push(`${where}.graph_preset: unsupported reference graph preset ${JSON.stringify(preset)}`);
      return { preset: 'none' };
  }
}

function translateKernel(kernelKwargs: unknown, defaults: KernelConfig): KernelConfig {
  const k = obj(kernelKwargs);
  return {
    truncation: k.truncation === undefined ? defaults.truncation : (k.truncation as number | null),
    bandwidth:
      typeof k.initial_bandwidth === 'number' ? k.initial_bandwidth : typeof k.bandwidth === 'number' ? k.bandwidth : defaults.bandwidth,
    learnableBandwidth: typeof k.learnable_bandwidth === 'boolean' ? k.learnable_bandwidth : defaults.learnableBandwidth,
    stochastic: typeof k.stochastic_kernel === 'boolean' ? k.stochastic_kernel : defaults.stochastic,
    temperature: typeof k.stochastic_sampling_temperature === 'number' ? k.stochastic_sampling_temperature : defaults.temperature,
  };
}

/** Reference options whose non-default values we do not implement, with the value we require. */
const UNSUPPORTED: [path: string, ok: (v: unknown) => boolean, why: string][] = [
  ['input_tokenizer_type', (v) => v === 'ConvNeXtImageTokenizer', 'only ConvNeXtImageTokenizer is importable'],
  ['output_tokenizer_type', (v) => v === 'OutputLatentPooling', 'only OutputLatentPooling is importable'],
  ['latent_graph_type', (v) => v === undefined || v === 'LatentGraph', 'only LatentGraph is importable'],
  ['latent_graph_kwargs.share_propagator_weights', (v) => v === undefined || v === false, 'shared propagator weights are unsupported here'],
  [
    'latent_graph_kwargs.disable_input_mediator_communication',
    (v) => v === undefined || v === false,
    'propagators always hear the read-in modules here',
  ],
  ['latent_graph_kwargs.read_out_kwargs.use_head', (v) => v === undefined || v === false, 'per-module heads are unsupported here'],
  [
    'latent_graph_kwargs.read_out_kwargs.pre_output_layernorm',
    (v) => v === undefined || v === false,
    'a pre-output LayerNorm is unsupported here',
  ],
  [
    'latent_graph_kwargs.propagator_kwargs.latent_attention_kwargs.kernel_type',
    (v) => v === undefined || v === 'DotProductKernel',
    'only DotProductKernel is implemented',
  ],
  [
    'latent_graph_kwargs.propagator_kwargs.latent_attention_kwargs.share_layernorm',
    (v) => v === undefined || v === true,
    'separate propagator LayerNorms are not implemented',
  ],
  ['latent_graph_kwargs.mod_fc_cls', (v) => v === undefined || v === 'ModFC', 'only ModFC is implemented'],
  ['latent_graph_kwargs.share_codes_between_iterations', (v) => v === undefined || v === true, 'per-layer codes are not implemented'],
];

/** Options checked wherever they appear in the kwargs (their nesting varies between reference versions). */
const UNSUPPORTED_ANYWHERE: [key: string, ok: (v: unknown) => boolean, why: string][] = [
  ['use_code_as_mean_state', (v) => v === false, 'seeder mode (b), state = code, is not implemented'],
  ['use_input_states_as_mediator_states', (v) => v === false, 'propagator states are always seeded from their own codes here'],
  ['enable_input_output_communication', (v) => v === true, 'read-out always reads read-in and propagator states here'],
  ['share_key_value_projectors', (v) => v === false, 'Perceiver-style shared read-in K/V is not implemented'],
  ['scale_normalization_type', (v) => v === 'ln', "only the 'ln' ModFC modulation is implemented"],
  ['scale_times_input_normalization_type', (v) => v === 'none' || v === null, "only 'none' is supported here"],
  ['stochastic_eval_behaviour', (v) => v === 'no_sample', "only 'no_sample' (expected kernel in eval) is implemented"],
  ['scale_attention_by_affinities_after_softmax', (v) => v === false, 'only pre-softmax kernel modulation is implemented'],
  ['mask_attn_scores_with_affinities', (v) => v === true, 'only kernel-masked attention is implemented'],
  ['eliminate_diagonal', (v) => v === false, 'self-connections are always kept here'],
  ['use_state_noise', (v) => v === true, 'the seeder always has state noise in training here'],
];

/** Every value stored under `key` anywhere in a nested kwargs object. */
function findAll(root: unknown, key: string, out: unknown[] = []): unknown[] {
  if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root as Kw)) {
      if (k === key) out.push(v);
      findAll(v, key, out);
    }
  }
  return out;
}

function at(root: Kw, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => obj(o)[k], root);
}

/**
 * Translates reference `model_kwargs` into our config. `imageSize` [H, W] is the input resolution
 * (the reference derives nothing from it; its positional grid fixes the feature-map size).
 */
export function translateReferenceConfig(
  modelKwargs: Kw,
  imageSize: [number, number],
  stateDictNames?: ReadonlySet<string>,
): { config: NACConfig; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [path, ok, why] of UNSUPPORTED) {
    const v = at(modelKwargs, path);
    if (!ok(v)) problems.push(`model_kwargs.${path} = ${JSON.stringify(v)}: ${why}`);
  }
  for (const [key, ok, why] of UNSUPPORTED_ANYWHERE) {
    for (const v of findAll(modelKwargs, key)) if (!ok(v)) problems.push(`model_kwargs…${key} = ${JSON.stringify(v)}: ${why}`);
  }
  const lg = obj(modelKwargs.latent_graph_kwargs);
  const tk = obj(modelKwargs.input_tokenizer_kwargs);
  const ri = obj(lg.read_in_kwargs);
  const ro = obj(lg.read_out_kwargs);
  const propAttn = obj(obj(lg.propagator_kwargs).latent_attention_kwargs);
  const roAttn = obj(ro.latent_attention_kwargs);
  const modfc = obj(lg.mod_fc_kwargs);
  const grid = obj(tk.positional_grid_kwargs);
  const numOr = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const boolOr = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const pathDrop = numOr(lg.path_drop_prob, 0);
  const layerScale = lg.layer_scale_initial_value === undefined ? 1e-6 : (lg.layer_scale_initial_value as number | null);
  const cfg: NACConfig = {
    model: 'nac',
    numClasses: modelKwargs.output_dim as number,
    stateDim: modelKwargs.state_dim as number,
    codeDim: numOr(lg.code_dim, modelKwargs.state_dim as number),
    signatureDim: numOr(lg.signature_dim, 64),
    tokenizer: {
      type: 'convnext',
      imageSize,
      inChannels: modelKwargs.input_dim as number,
      stateDim: modelKwargs.state_dim as number,
      preset: (tk.capacity_preset ?? 'tiny') as 'tiny',
      numStages: numOr(tk.num_stages, 3),
      positionalGridDim: numOr(grid.dim, 64),
    },
    numReadIn: lg.num_input_latents as number,
    numPropagators: lg.num_mediator_latents as number,
    numReadOut: lg.num_output_latents as number,
    numLayers: numOr(lg.num_iterations, 8),
    readInHeads: numOr(ri.num_heads, numOr(lg.num_heads, 1)),
    numHeads: numOr(lg.num_heads, 1),
    headDim: numOr(lg.head_dim, 64),
    ffnCapacity: numOr(lg.ffn_capacity_factor, 1),
    geglu: boolOr(lg.use_geglu, false),
    qkvBias: boolOr(lg.qkv_bias_in_attention, true),
    layerScale,
    readInLayerScale: ri.read_in_layer_scale_initial_value === undefined ? 1.0 : (ri.read_in_layer_scale_initial_value as number | null),
    dropPath: { readIn: numOr(ri.path_drop_prob, pathDrop), propagator: pathDrop, readOut: numOr(ro.path_drop_prob, pathDrop) },
    codeNoise: numOr(lg.code_noise_scale, 0),
    seederCodeNoise: boolOr(lg.use_code_noise_in_latent_seeder, false),
    modfc: {
      scaleGain: numOr(modfc.scale_gain, 1),
      learnableScaleGain: boolOr(modfc.learnable_scale_gain, false),
      addOneToScale: boolOr(modfc.add_one_to_scale, false),
    },
    kernel: translateKernel(obj(propAttn.kernel_kwargs), {
      truncation: null,
      bandwidth: 1,
      learnableBandwidth: true,
      stochastic: false,
      temperature: 0.5,
    }),
    readOutKernel: translateKernel(obj(roAttn.kernel_kwargs), {
      truncation: null,
      bandwidth: 1,
      learnableBandwidth: true,
      stochastic: false,
      temperature: 0.5,
    }),
    readInResidual: boolOr(ri.include_residual_in_read_in_attention, true),
    readOutResidual: boolOr(ro.include_residual_in_latent_attention, true),
    persistentReadIn: boolOr(lg.enable_persistent_input_mediator_communication, true),
    priors: {
      readIn: translatePrior(lg.input_latent_kwargs, problems, 'latent_graph_kwargs.input_latent_kwargs'),
      propagator: translatePrior(lg.mediator_latent_kwargs, problems, 'latent_graph_kwargs.mediator_latent_kwargs'),
      readOut: translatePrior(lg.output_latent_kwargs, problems, 'latent_graph_kwargs.output_latent_kwargs'),
      fitTruncation: 0.8,
      fitSteps: 1000,
    },
    learnableSignatures: boolOr(obj(lg.mediator_latent_kwargs).learnable_signatures, true),
    learnableCodes: boolOr(obj(lg.mediator_latent_kwargs).learnable_codes, true),
    pooling: obj(modelKwargs.output_tokenizer_kwargs).softmax_type === 'vanilla' ? 'vanilla' : 'gumbel',
  };
  if (problems.length) throw new ReferenceImportError(problems);
  // The priors only matter for fresh initialisation; an imported model takes its signatures from the
  // weights. A prior whose reference kwargs we cannot express is recorded as 'none', with a warning.
  for (const [group, n] of [
    ['readIn', cfg.numReadIn],
    ['propagator', cfg.numPropagators],
    ['readOut', cfg.numReadOut],
  ] as const) {
    try {
      validateGraphPrior(cfg.priors[group], n, `priors.${group}`);
    } catch (e) {
      warnings.push(`graph prior of ${group} modules not expressible (${(e as Error).message}); recorded as 'none'`);
      cfg.priors[group] = { preset: 'none' };
    }
  }
  if (stateDictNames) refineFromStateDict(cfg, stateDictNames);
  return { config: cfg, warnings };
}

/** Optional parameters whose presence in the state_dict decides the setting (robust to kwargs defaults). */
function refineFromStateDict(cfg: NACConfig, names: ReadonlySet<string>): void {
  const p = 'latent_graphs.0.read_in.';
  cfg.readInLayerScale = names.has(`${p}read_in_attention.layer_scale.gamma`) ? (cfg.readInLayerScale ?? 1) : null;
  cfg.layerScale = names.has(`${p}ffn.layer_scale.gamma`) ? (cfg.layerScale ?? 0.1) : null;
  cfg.qkvBias = names.has(`${p}read_in_attention.query_compiler.native_bias`);
  cfg.modfc.learnableScaleGain = names.has(`${p}ffn.ffn.0.scale_gain`);
  cfg.kernel.learnableBandwidth = names.has('latent_graphs.0.propagators.0.latent_attention.kernel.bandwidth');
  cfg.readOutKernel.learnableBandwidth = names.has('latent_graphs.0.read_out.latent_attention.kernel.bandwidth');
}
