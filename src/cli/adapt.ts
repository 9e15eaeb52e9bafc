/**
 * `nac adapt <model-dir>`: low-shot adaptation of a pretrained model folder (NAC or Perceiver IO) to
 * n new classes of a dataset, over seeded n-way k-shot episodes. Prints each episode's accuracy and
 * the mean ± 95 % CI; `--out` saves the first episode's adapted model as a model folder.
 */
import { Option, type Command } from 'commander';
import { ConfigError } from '../config/validate.js';
import { DATASET_NAMES } from '../data/index.js';
import { ADAPT_POLICIES, validatePolicy } from '../adapt/policy.js';
import { AdaptationSource } from '../adapt/source.js';
import { DEFAULT_BACKBONE_MODE, resolveHyper, saveAdaptedModel } from '../adapt/episode.js';
import { checkSourceFitsData, DEFAULT_EVAL_PER_CLASS, loadEpisodeData, runEpisodes } from '../adapt/experiment.js';
import type { BackboneMode } from '../adapt/train.js';
import { formatMeanCI, meanCI } from '../util/stats.js';
import { backendOption, intFlag, numberFlag, runCommand, startBackend } from './common.js';

interface AdaptFlags {
  data: string;
  ways: string;
  shots: string;
  episodes: string;
  policy: string;
  steps?: string;
  lr?: string;
  headLr?: string;
  mode: BackboneMode;
  warmStart: boolean;
  evalPerClass: string;
  seed: string;
  out?: string;
  json?: boolean;
  backend: string;
}

export function registerAdapt(program: Command): void {
  program
    .command('adapt')
    .description('adapt a pretrained model folder to n new classes over seeded n-way k-shot episodes')
    .argument('<model-dir>', 'a pretrained model folder (e.g. runs/claims/fashion-mnist-nac-s0/model)')
    .addOption(new Option('--data <name>', 'dataset whose classes to adapt to').choices([...DATASET_NAMES]).default('mnist'))
    .option('--ways <n>', 'classes per episode (n)', '8')
    .option('--shots <k>', 'training examples per class (k)', '5')
    .option('--episodes <n>', 'number of episodes', '10')
    .addOption(new Option('--policy <name>', 'which parameters train').choices([...ADAPT_POLICIES]).default('linear-probe'))
    .option('--steps <n>', 'AdamW steps (default per policy: linear-probe 200, codes 20, full 20)')
    .option('--lr <x>', "learning rate of the policy's parameters (linear-probe: of the classifier)")
    .option('--head-lr <x>', 'learning rate of the new classifier (codes, full; default 1e-2)')
    .addOption(
      new Option('--mode <mode>', 'backbone mode while adapting: eval (deterministic) or train (NAC training noise)')
        .choices(['eval', 'train'])
        .default(DEFAULT_BACKBONE_MODE),
    )
    .option('--no-warm-start', 'codes/full: do not fit the classifier by a linear probe first')
    .option('--eval-per-class <n>', 'test examples per class in the evaluation pool (0 = all)', String(DEFAULT_EVAL_PER_CLASS))
    .option('--seed <n>', 'seed of the episodes, classifier init, batch order and noise', '0')
    .option('--out <dir>', "save the first episode's adapted model folder here")
    .option('--json', 'print one JSON object')
    .addOption(backendOption())
    .action((dir: string, flags: AdaptFlags) =>
      runCommand(async () => {
        const policy = validatePolicy(flags.policy, '--policy');
        const ways = intFlag('--ways', flags.ways, 2);
        const shots = intFlag('--shots', flags.shots, 1);
        const episodes = intFlag('--episodes', flags.episodes, 1);
        const seed = intFlag('--seed', flags.seed, 0);
        const evalPerClass = intFlag('--eval-per-class', flags.evalPerClass, 0);
        const steps = flags.steps === undefined ? undefined : intFlag('--steps', flags.steps, 0);
        const lr = flags.lr === undefined ? undefined : numberFlag('--lr', flags.lr, '> 0');
        let headLr = flags.headLr === undefined ? undefined : numberFlag('--head-lr', flags.headLr, '> 0');
        if (policy === 'linear-probe') {
          if (headLr !== undefined) throw new ConfigError('--head-lr', 'does not apply to --policy linear-probe (use --lr)');
          headLr = lr;
        }
        const hyper = resolveHyper(policy, { steps, lr, headLr });
        await startBackend(flags.backend);
        const data = loadEpisodeData(flags.data, evalPerClass);
        const source = AdaptationSource.fromDir(dir);
        try {
          checkSourceFitsData(source, data);
          const log = flags.json ? () => undefined : (line: string) => console.log(line);
          log(
            `${dir} → ${flags.data}: ${ways}-way ${shots}-shot, policy ${policy}, ${hyper.steps} steps, mode ${flags.mode}, seed ${seed}`,
          );
          const perEpisode: Array<{ episode: number; classes: number[]; accuracy: number; seconds: number }> = [];
          const { accuracies, seconds } = await runEpisodes(source, data, {
            policy,
            ...hyper,
            mode: flags.mode,
            warmStart: flags.warmStart,
            seed,
            ways,
            shots,
            episodes,
            onEpisode: async (i, r, ep) => {
              perEpisode.push({ episode: i, classes: ep.classes, accuracy: r.accuracy, seconds: r.seconds });
              log(
                `episode ${i}: classes [${ep.classes.join(', ')}]  top-1 ${(100 * r.accuracy).toFixed(2)} %  (${ep.testIndices.length} test, ${r.seconds.toFixed(1)} s)`,
              );
              if (i === 0 && flags.out) {
                await saveAdaptedModel(flags.out, source, r.model, data.train.classNames, {
                  from: dir,
                  policy,
                  dataset: flags.data,
                  ways,
                  shots,
                  seed,
                  episode: 0,
                  classes: ep.classes,
                  hyper,
                  mode: flags.mode,
                  warmStart: policy !== 'linear-probe' && flags.warmStart,
                  accuracy: r.accuracy,
                });
                log(`saved the adapted model of episode 0 to ${flags.out}`);
              }
            },
          });
          const m = meanCI(accuracies);
          if (flags.json) {
            console.log(
              JSON.stringify(
                {
                  model: dir,
                  data: flags.data,
                  policy,
                  ways,
                  shots,
                  seed,
                  hyper,
                  mode: flags.mode,
                  mean: m.mean,
                  ci95: m.ci95,
                  episodes: perEpisode,
                  seconds,
                },
                null,
                2,
              ),
            );
          } else {
            console.log(`mean top-1 over ${episodes} episodes: ${formatMeanCI(m, 2, 100)} %  (95 % CI; ${seconds.toFixed(1)} s)`);
          }
        } finally {
          source.dispose();
        }
      }),
    );
}
