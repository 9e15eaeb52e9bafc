/**
 * The results page of the pruning experiment (scripts/claims-prune.mjs): aggregates the measured runs
 * over models (seeds) with mean ± 95 % CI, finds the largest speed-up within 3 points of accuracy, and
 * renders docs/results/pruning.md and its accuracy-vs-speed-up SVG from the experiment's JSON record.
 */
import { formatMeanCI, meanCI } from '../util/stats.js';
import { lineChartSVG } from '../train/plot.js';
import { FORWARD_STAGES, type ForwardStage } from './stages.js';

/** Paired timing of the unpruned model (base) and a pruned one, per example. */
export interface PairedTiming {
  /** Median ms per example of the unpruned and the pruned model. */
  baseMs: number;
  ms: number;
  /** Median over rounds of unpruned time / pruned time (wall clock). */
  speedup: number;
  /** Fastest ms per example of each, and their ratio (robust to other jobs, which only add time). */
  baseMinMs: number;
  minMs: number;
  minSpeedup: number;
}

/** One model's measurements. */
export interface PruningModelResult {
  dir: string;
  task: string;
  numPropagators: number;
  testSize: number;
  baseline: {
    acc: number;
    ms1: number;
    ms64: number;
    minMs1: number;
    minMs64: number;
    flops: number;
    flopParts: Record<string, number>;
    propagatorFlopShare: number;
    stages1: Record<ForwardStage, number>;
    stages64: Record<ForwardStage, number>;
    propagatorTimeShare1: number;
    propagatorTimeShare64: number;
    readOutAttentionOnReadIn: number;
  };
  levels: Array<{ label: string; count: number }>;
  /** Module count → FLOPs per example and timings. */
  cost: Record<string, { flops: number; t1: PairedTiming; t64: PairedTiming }>;
  variants: Array<{ rule: string; label: string; count: number; kept: number[]; acc: number }>;
}

/** The experiment's JSON record (docs/results/data/pruning.json). */
export interface PruningRecord {
  command: string;
  machine: string;
  cores: number;
  date: string;
  wallSeconds: number;
  load1min: string;
  settings: { testSize: number; calibrationSize: number; reps1: number; reps64: number; rules: string[] };
  results: PruningModelResult[];
}

/** Per rule and keep level: values over models. */
export interface LevelAggregate {
  label: string;
  acc: number[];
  loss: number[];
  /** Wall-clock speed-ups: median of the paired per-round ratios (the headline), and the ratio of the fastest runs. */
  speed1: number[];
  speed64: number[];
  fastestSpeed1: number[];
  fastestSpeed64: number[];
}

/** The best level of a rule within the accuracy budget. */
export interface BestLevel {
  rule: string;
  label: string;
  speed1: number;
  speed64: number;
  loss: number;
  /** Forward FLOPs relative to the unpruned model. */
  flopShare: number;
}

const mean = (a: number[]): number => a.reduce((p, q) => p + q, 0) / a.length;
const ci = (vals: number[], digits = 1, scale = 1): string => formatMeanCI(meanCI(vals), digits, scale);
const pct = (x: number, d = 1): string => `${(100 * x).toFixed(d)} %`;

function costAt(r: PruningModelResult, label: string): { flops: number; t1: PairedTiming; t64: PairedTiming } {
  const level = r.levels.find((l) => l.label === label);
  const c = level ? r.cost[String(level.count)] : undefined;
  if (!c) throw new Error(`pruning record: ${r.dir} has no cost entry for keep level ${label}`);
  return c;
}

/** Aggregates every rule × keep level over the models; `maxLoss` is the accuracy budget (absolute, default 0.03). */
export function summarizePruning(
  rec: PruningRecord,
  maxLoss = 0.03,
): { agg: Record<string, LevelAggregate[]>; best: Record<string, BestLevel | null> } {
  const labels = (rec.results[0]?.levels ?? []).map((l) => l.label);
  const agg: Record<string, LevelAggregate[]> = {};
  const best: Record<string, BestLevel | null> = {};
  for (const rule of rec.settings.rules) {
    agg[rule] = labels.map((label) => {
      const rows = rec.results.flatMap((r) => r.variants.filter((v) => v.rule === rule && v.label === label).map((v) => ({ r, v })));
      return {
        label,
        acc: rows.map((x) => x.v.acc),
        loss: rows.map((x) => x.r.baseline.acc - x.v.acc),
        speed1: rows.map((x) => costAt(x.r, label).t1.speedup),
        speed64: rows.map((x) => costAt(x.r, label).t64.speedup),
        fastestSpeed1: rows.map((x) => costAt(x.r, label).t1.minSpeedup),
        fastestSpeed64: rows.map((x) => costAt(x.r, label).t64.minSpeedup),
      };
    });
    // Speed-up falls with the module count in expectation, but single timings are noisy: pick the level with the fewest
    // FLOPs (deterministic, monotone in the count) among those within the accuracy budget, and report its measured speed-ups.
    let pick: BestLevel | null = null;
    let pickFlops = Infinity;
    for (const a of agg[rule] ?? []) {
      if (a.acc.length === 0 || !(mean(a.loss) < maxLoss)) continue;
      const flops = mean(rec.results.map((r) => costAt(r, a.label).flops));
      if (flops < pickFlops) {
        pickFlops = flops;
        pick = {
          rule,
          label: a.label,
          speed1: mean(a.speed1),
          speed64: mean(a.speed64),
          loss: mean(a.loss),
          flopShare: flops / mean(rec.results.map((r) => r.baseline.flops)),
        };
      }
    }
    best[rule] = pick;
  }
  return { agg, best };
}

/** The accuracy-vs-speed-up chart: one series per rule, one point per keep level (means over models). */
export function pruningChartSVG(rec: PruningRecord): string {
  const { agg } = summarizePruning(rec);
  return lineChartSVG({
    title: 'Pruned propagators: accuracy vs speed-up (batch 1, mean over seeds)',
    xLabel: 'speed-up over the unpruned model (×, median of paired ratios)',
    yLabel: 'test top-1 (%)',
    series: rec.settings.rules.map((rule) => ({
      name: rule,
      points: (agg[rule] ?? []).map((a) => [mean(a.speed1), 100 * mean(a.acc)] as [number, number]),
    })),
  });
}

/** The sentence naming the cheapest level (by FLOPs) within the accuracy budget and its measured speed-ups. */
export function bestLine(best: Record<string, BestLevel | null>): string {
  const all = Object.values(best).filter((b): b is BestLevel => b !== null);
  const top = all.sort((a, b) => a.flopShare - b.flopShare || a.loss - b.loss)[0];
  return top
    ? `Largest speed-up with < 3 % (absolute, mean over seeds) accuracy loss: keeping ${top.label} of the propagators (rule \`${top.rule}\`, loss ${(100 * top.loss).toFixed(2)} points), **${pct(top.flopShare)} of the forward FLOPs, ${top.speed1.toFixed(2)}× at batch 1 and ${top.speed64.toFixed(2)}× at batch 64** (the level is chosen as the cheapest in FLOPs within the budget, since single timings are noisy).`
    : 'No pruned level stays within 3 % accuracy loss.';
}

/**
 * docs/results/<name>.md from the record; `notes` is the text of the '## Reading' section (null → '(analysis
 * to come)'); `name` (default 'pruning') names the page's chart (<name>.svg) and data (data/<name>.json).
 */
export function renderPruningPage(rec: PruningRecord, notes: string | null, name = 'pruning'): string {
  const { agg, best } = summarizePruning(rec);
  const { results, settings: st } = rec;
  const first = results[0];
  if (!first) throw new Error('pruning record: no results');
  const rules = st.rules;
  const md: string[] = ['# Inference pruning of NAC propagators', ''];
  md.push(
    'Removing propagator modules from a trained NAC means building a NAC with fewer modules and copying the kept rows of the',
    'codes and signatures plus every shared weight (`nac prune`, `src/prune/`): tensors shrink, nothing is masked, nothing is',
    'retrained. Each rule ranks the modules and the top ones are kept: `degree` (kernel weight sent to receivers), `centrality`',
    '(personalised PageRank towards the read-out on the kernel graph), `attention` (attention mass received as a sender, on',
    `${st.calibrationSize} training images), \`code-norm\` (norm of the code) and \`random\` (seeded control).`,
    '',
    '```sh',
    'npm run build',
    rec.command,
    '```',
    '',
    `Machine: ${rec.machine}. Wall time of the whole experiment: **${(rec.wallSeconds / 60).toFixed(1)} min**. 1-minute load average`,
    `${rec.load1min} on ${rec.cores} cores during the run: when other jobs share the machine, single timings are noisy (the`,
    'ratio of the fastest runs is given beside the median ratio as a check).',
    `Measured ${rec.date.slice(0, 10)}.`,
    '',
    `Models: ${results.map((r) => `\`${r.dir}\``).join(', ')} (${results.length} model${results.length > 1 ? 's; mean ± 95 % CI over them' : ''}).`,
    `Accuracy: top-1 on a fixed seeded subset of ${first.testSize} test images, the same for every variant. Time: \`model.forward\``,
    `per example, unpruned and pruned model timed alternately in ${st.reps1} (batch 1) or ${st.reps64} (batch 64) rounds after a`,
    'warm-up (20 forward calls, then 5 per model); speed-up = median over rounds of unpruned time / pruned time; "fastest" =',
    'fastest unpruned run / fastest pruned run. Stage times are the fastest of the same number of runs. FLOPs: analytical forward count per example at batch 1',
    '(`src/model/flops.ts`: matrix products and convolutions only).',
    '',
    '## Where the forward pass spends its work',
    '',
    '| model | propagators | test top-1 | FLOPs / example | propagator share of FLOPs | ms / example, fastest (median), b1 · b64 | propagator share of time (b1 · b64) | read-out attention on read-in modules |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const b = r.baseline;
    md.push(
      `| ${r.dir} | ${r.numPropagators} | ${pct(b.acc, 2)} | ${(b.flops / 1e6).toFixed(2)} M | ${pct(b.propagatorFlopShare)} | ${b.minMs1.toFixed(2)} (${b.ms1.toFixed(2)}) · ${b.minMs64.toFixed(3)} (${b.ms64.toFixed(3)}) | ${pct(b.propagatorTimeShare1)} · ${pct(b.propagatorTimeShare64)} | ${pct(b.readOutAttentionOnReadIn)} |`,
    );
  }
  const fb = first.baseline;
  md.push(
    '',
    `FLOPs by part (${first.dir}): ${Object.entries(fb.flopParts)
      .map(([k, v]) => `${k} ${pct(v / fb.flops)}`)
      .join(', ')}.`,
    `Time by stage (${first.dir}, staged forward, ms per call at batch 1 · batch 64): ${FORWARD_STAGES.map((s) => `${s} ${fb.stages1[s].toFixed(2)} · ${fb.stages64[s].toFixed(1)}`).join(', ')}.`,
    '',
    '## Accuracy by rule',
    '',
    `Test top-1 (%) after keeping the given share of the propagators (module count of ${first.numPropagators} in brackets).`,
    '',
    `| kept | ${rules.join(' | ')} |`,
    `|---|${rules.map(() => '---').join('|')}|`,
  );
  first.levels.forEach((level, i) =>
    md.push(`| ${level.label} (${level.count}) | ${rules.map((rule) => ci(agg[rule]?.[i]?.acc ?? [], 2, 100)).join(' | ')} |`),
  );
  md.push(
    '',
    '## Cost by kept share',
    '',
    '| kept | FLOPs / example | FLOPs vs full | speed-up b1 | speed-up b64 | fastest-run ratio b1 · b64 |',
    '|---|---|---|---|---|---|',
  );
  for (const { label } of first.levels) {
    const c = results.map((r) => costAt(r, label));
    const f = c.map((x) => x.flops);
    const speed = (pick: (x: (typeof c)[number]) => number): string => `${ci(c.map(pick), 2)}×`;
    const flopShare = pct(mean(f) / mean(results.map((r) => r.baseline.flops)));
    md.push(
      `| ${label} | ${(mean(f) / 1e6).toFixed(2)} M | ${flopShare} | ${speed((x) => x.t1.speedup)} | ${speed((x) => x.t64.speedup)} | ${speed((x) => x.t1.minSpeedup)} · ${speed((x) => x.t64.minSpeedup)} |`,
    );
  }
  md.push(
    '',
    bestLine(best),
    '',
    `Per rule (cheapest level within 3 points: kept share, speed-up b1 · b64): ${rules.map((r) => `${r} ${best[r] ? `${best[r].label}, ${best[r].speed1.toFixed(2)}× · ${best[r].speed64.toFixed(2)}×` : 'none'}`).join('; ')}.`,
    '',
    `![accuracy vs speed-up](${name}.svg)`,
    '',
    `Raw numbers: [data/${name}.json](data/${name}.json).`,
    '',
    '## Reading',
    '',
    notes?.trim() || '(analysis to come)',
    '',
  );
  return md.join('\n');
}
