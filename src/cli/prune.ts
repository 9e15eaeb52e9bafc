/**
 * `nac prune <model-dir>`: inference pruning of a trained NAC. Scores the modules of the chosen groups
 * (see src/prune/scores.ts), keeps the best `--keep` of each, and writes a normal model folder whose
 * config has fewer modules and whose meta records the source, the rule and the kept indices. Prints
 * parameters and analytical forward FLOPs (per example, batch 1) before and after.
 */
import * as path from 'node:path';
import { Option, type Command } from 'commander';
import { loadNACModelDir, readModelMeta, saveModelDir } from '../io/model-dir.js';
import { ConfigError } from '../config/validate.js';
import { nacForwardFlops } from '../model/flops.js';
import { PRUNE_GROUPS, groupSize, parseGroups, parseKeep } from '../prune/keep.js';
import { SCORE_RULES, parseScoreRule } from '../prune/scores.js';
import { pruneNAC } from '../prune/prune.js';
import { sampleBatch, taskTrainSplit } from '../prune/calibration.js';
import type { NAC } from '../model/nac.js';
import { backendOption, formatCount, intFlag, runCommand, startBackend } from './common.js';

interface PruneFlags {
  keep: string;
  score: string;
  groups: string;
  seed: string;
  calibration: string;
  out: string;
  json?: boolean;
  backend: string;
}

/** Parameters and per-example forward FLOPs of a NAC, with the propagators' FLOP share. */
function summary(model: NAC): { parameters: number; flops: number; propagatorFlopShare: number } {
  const f = nacForwardFlops(model.config, 1);
  const parameters = Object.values(model.parameterBreakdown()).reduce((a, b) => a + b, 0);
  return { parameters, flops: f.total, propagatorFlopShare: f.parts.propagators / f.total };
}

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('remove the least important modules of a trained NAC; writes a smaller model folder')
    .argument('<model-dir>', 'a NAC model folder (e.g. runs/claims/fashion-mnist-nac-s0/model)')
    .requiredOption('--keep <fraction|count>', "modules to keep per group: '0.5', '50%' or a count such as '8'")
    .addOption(new Option('--score <rule>', 'scoring rule').choices([...SCORE_RULES]).makeOptionMandatory())
    .option('--groups <list>', `comma-separated groups to prune, of ${PRUNE_GROUPS.join(', ')}`, 'propagator')
    .option('--seed <n>', "seed of the 'random' rule and of the calibration sample", '0')
    .option('--calibration <n>', "training examples the 'attention' rule measures on", '256')
    .requiredOption('--out <dir>', 'the model folder to write')
    .option('--json', 'print one JSON object')
    .addOption(backendOption())
    .action((dir: string, flags: PruneFlags) =>
      runCommand(async () => {
        const keep = parseKeep(flags.keep);
        const score = parseScoreRule(flags.score);
        const groups = parseGroups(flags.groups);
        const seed = intFlag('--seed', flags.seed, 0);
        const calibrationSize = intFlag('--calibration', flags.calibration, 1);
        if (path.resolve(flags.out) === path.resolve(dir)) throw new ConfigError('--out', `must differ from the source folder ${dir}`);
        await startBackend(flags.backend);
        const meta = readModelMeta(dir);
        const model = loadNACModelDir(dir).eval();
        let calibration;
        if (score === 'attention') {
          if (!meta.task) throw new ConfigError('--score', `attention needs training data, but ${dir} does not record its task`);
          calibration = sampleBatch(taskTrainSplit(meta.task, meta.data), calibrationSize, seed);
        }
        try {
          const res = pruneNAC(model, { keep, score, groups, seed, calibration });
          try {
            const pruned = {
              source: dir,
              rule: score,
              groups,
              keep: flags.keep,
              seed,
              ...(score === 'attention' ? { calibration: calibrationSize } : {}),
              kept: res.kept,
              ...(res.priorReplaced.length ? { priorReplaced: res.priorReplaced } : {}),
              ...(meta.pruned ? { previous: meta.pruned } : {}),
            };
            await saveModelDir(flags.out, res.config, res.model, { ...meta, pruned });
            const [a, b] = [summary(model), summary(res.model)];
            if (flags.json) {
              console.log(JSON.stringify({ out: flags.out, ...pruned, before: a, after: b }, null, 2));
              return;
            }
            for (const g of groups)
              console.log(`${g}: kept ${res.kept[g]?.length} of ${groupSize(model.config, g)} (${score}): [${res.kept[g]?.join(', ')}]`);
            if (res.priorReplaced.length)
              console.log(
                `graph prior set to 'none' for ${res.priorReplaced.join(', ')} (invalid for the new module count; affects fresh initialisation only)`,
              );
            const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
            console.log(`parameters     ${formatCount(a.parameters)} → ${formatCount(b.parameters)}`);
            console.log(
              `forward FLOPs  ${(a.flops / 1e6).toFixed(2)} M → ${(b.flops / 1e6).toFixed(2)} M per example (${pct(b.flops / a.flops)}); propagators ${pct(a.propagatorFlopShare)} → ${pct(b.propagatorFlopShare)} of it`,
            );
            console.log(`wrote ${flags.out}`);
          } finally {
            res.model.dispose();
          }
        } finally {
          calibration?.dispose();
          model.dispose();
        }
      }),
    );
}
