/**
 * `nac init <preset> --out <dir>`: builds a freshly initialised model from a preset (or a JSON config
 * file) with a seed and saves it as a model folder.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { NAC } from '../model/nac.js';
import { NAC_PRESETS, nacPreset } from '../config/presets.js';
import { nacConfigFromJSON } from '../config/nac-config.js';
import { saveModelDir } from '../io/model-dir.js';
import { backendOption, formatCount, intFlag, runCommand, startBackend } from './common.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create an initialised model folder from a preset or a JSON config file')
    .argument('<preset-or-config>', `preset (${Object.keys(NAC_PRESETS).join(', ')}) or path to a config .json`)
    .requiredOption('--out <dir>', 'output model folder')
    .option('--seed <n>', 'initialisation seed', '0')
    .addOption(backendOption())
    .action((source: string, opts: { out: string; seed: string; backend: string }) =>
      runCommand(async () => {
        const seed = intFlag('--seed', opts.seed, 0);
        await startBackend(opts.backend);
        const config = fs.existsSync(source) ? nacConfigFromJSON(fs.readFileSync(source, 'utf8'), source) : nacPreset(source);
        const model = new NAC(config, { seed });
        try {
          await saveModelDir(opts.out, config, model);
          console.log(`saved ${opts.out}: ${formatCount(model.parameterCount())} parameters`);
        } finally {
          model.dispose();
        }
      }),
    );
}
