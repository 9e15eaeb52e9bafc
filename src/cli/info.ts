/**
 * `nac info <model-dir | preset>`: prints a model's config, its parameter count per part and the
 * density of its propagator graph. With a preset name, the model is built from the preset (seed 0).
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { loadModelDir } from '../io/model-dir.js';
import { NAC } from '../model/nac.js';
import { NAC_PRESETS, nacPreset } from '../config/presets.js';
import { propagatorGraphStats } from '../circuits/graph-stats.js';
import { backendOption, formatCount, runCommand, startBackend } from './common.js';
import { readModelConfig } from '../io/model-dir.js';
import {
  PerceiverIO,
  createPerceiverIO,
  PERCEIVER_IO_SMALL_CPU,
  PERCEIVER_IO_TINY_IMAGENET,
  type PerceiverIOPreset,
} from '../baselines/perceiver-io.js';
import { Rng } from '../util/rng.js';
import type { Module } from '../nn/module.js';

/** Perceiver IO baseline presets, for `nac info` (same tokenizer seam as NAC). */
export const PIO_PRESETS: Record<string, PerceiverIOPreset> = {
  'pio-tiny-imagenet': PERCEIVER_IO_TINY_IMAGENET,
  'pio-cpu-small': PERCEIVER_IO_SMALL_CPU,
};

/** Parameter counts grouped by the first segment of each parameter name. */
function breakdown(model: Module): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const [name, v] of model.namedParameters()) {
    const key = name.split('.')[0] as string;
    parts[key] = (parts[key] ?? 0) + v.size;
  }
  return parts;
}

function printPerceiverIO(name: string, json: boolean, loaded?: PerceiverIO): void {
  const preset: PerceiverIOPreset = loaded
    ? { model: loaded.config, tokenizer: tokenizerConfigOf(name) }
    : (PIO_PRESETS[name] as PerceiverIOPreset);
  const model = loaded ?? createPerceiverIO(preset, new Rng(0));
  try {
    const parts = breakdown(model);
    const total = model.parameterCount();
    if (json) {
      console.log(JSON.stringify({ source: name, config: preset, parameters: { total, ...parts } }, null, 2));
      return;
    }
    console.log(`model: ${name} (Perceiver IO baseline)`);
    console.log(JSON.stringify(preset, null, 2).replace(/^/gm, '  '));
    console.log('parameters:');
    for (const [k, v] of Object.entries(parts)) console.log(`  ${k.padEnd(14)} ${formatCount(v)}`);
    console.log(`  ${'total'.padEnd(14)} ${formatCount(total)}`);
  } finally {
    model.dispose();
  }
}

/** The tokenizer config stored in a Perceiver IO model folder. */
function tokenizerConfigOf(dir: string): PerceiverIOPreset['tokenizer'] {
  const config = readModelConfig(dir);
  return config.tokenizer;
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description("print a model's config, parameter counts per part and circuit graph density")
    .argument('<model>', `a model folder, or a preset name (${[...Object.keys(NAC_PRESETS), ...Object.keys(PIO_PRESETS)].join(', ')})`)
    .addOption(backendOption())
    .option('--json', 'print one JSON object instead of text')
    .action((target: string, opts: { backend: string; json?: boolean }) =>
      runCommand(async () => {
        await startBackend(opts.backend);
        const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
        if (!isDir && target in PIO_PRESETS) return printPerceiverIO(target, !!opts.json);
        if (!isDir && !(target in NAC_PRESETS)) {
          const all = [...Object.keys(NAC_PRESETS), ...Object.keys(PIO_PRESETS)].join(', ');
          throw new Error(`'${target}' is neither a model folder nor a preset; presets: ${all}`);
        }
        const loaded = isDir ? loadModelDir(target) : null;
        if (loaded instanceof PerceiverIO) return printPerceiverIO(target, !!opts.json, loaded);
        const model = (loaded as NAC | null) ?? new NAC(nacPreset(target), { seed: 0 });
        try {
          const parts = model.parameterBreakdown();
          const total = model.parameterCount();
          const graph = propagatorGraphStats(model.circuit);
          if (opts.json) {
            console.log(JSON.stringify({ source: target, config: model.config, parameters: { total, ...parts }, graph }, null, 2));
            return;
          }
          console.log(`model: ${target}`);
          console.log('config:');
          console.log(JSON.stringify(model.config, null, 2).replace(/^/gm, '  '));
          console.log('parameters:');
          for (const [k, v] of Object.entries(parts)) console.log(`  ${k.padEnd(12)} ${formatCount(v)}`);
          console.log(`  ${'total'.padEnd(12)} ${formatCount(total)}`);
          const tau = graph.truncation === null ? 'none' : graph.truncation;
          console.log(
            `graph: ${graph.modules} propagator modules, τ = ${tau}, density ${graph.density.toFixed(3)}, mean degree ${graph.meanDegree.toFixed(1)}`,
          );
        } finally {
          model.dispose();
        }
      }),
    );
}
