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

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print a model\'s config, parameter counts per part and circuit graph density')
    .argument('<model>', `a model folder, or a preset name (${Object.keys(NAC_PRESETS).join(', ')})`)
    .addOption(backendOption())
    .option('--json', 'print one JSON object instead of text')
    .action((target: string, opts: { backend: string; json?: boolean }) =>
      runCommand(async () => {
        await startBackend(opts.backend);
        const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
        if (!isDir && !(target in NAC_PRESETS)) {
          throw new Error(`'${target}' is neither a model folder nor a preset; presets: ${Object.keys(NAC_PRESETS).join(', ')}`);
        }
        const model = isDir ? loadModelDir(target) : new NAC(nacPreset(target), { seed: 0 });
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
          console.log(`graph: ${graph.modules} propagator modules, τ = ${tau}, density ${graph.density.toFixed(3)}, mean degree ${graph.meanDegree.toFixed(1)}`);
        } finally {
          model.dispose();
        }
      }),
    );
}
