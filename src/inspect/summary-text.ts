/**
 * A circuit inspection as plain text for the terminal: graph statistics per layer and for the union,
 * drift from the prior, and class routing's specificity against its label-permutation control.
 */
import type { CircuitReport } from './report.js';
import { groupShares } from './class-routing.js';

const f3 = (v: number) => v.toFixed(3);

/** The report's statistics as printable lines. */
export function formatCircuitReport(report: CircuitReport): string {
  const lines: string[] = [];
  const count = (g: string) => report.graph.nodes.filter((n) => n.group === g).length;
  lines.push(
    `circuit of ${report.model}: ${count('readIn')} read-in, ${count('propagator')} propagator, ${count('readOut')} read-out modules`,
  );
  lines.push('');
  lines.push('graph             ε       nodes  edges/pairs   density  weighted  degree mean (min–max)  communities  modularity');
  for (const s of report.statistics) {
    const eps = report.graph.layers.find((l) => l.name === s.name)?.bandwidth;
    lines.push(
      `${s.name.padEnd(16)}  ${(eps === undefined ? '–' : eps.toFixed(3)).padEnd(6)}  ${String(s.nodes).padStart(5)}  ${`${s.edges}/${s.possiblePairs}`.padStart(11)}   ${f3(
        s.density,
      )}    ${f3(s.weightedDensity)}     ${`${s.meanDegree.toFixed(1)} (${s.minDegree}–${s.maxDegree})`.padEnd(18)}  ${String(s.communities).padStart(11)}  ${f3(s.modularity).padStart(10)}`,
    );
  }
  if (report.prior) {
    lines.push('');
    lines.push(`drift from the prior (initial circuit rebuilt with seed ${report.prior.initSeed}):`);
    for (const l of report.prior.layers) {
      lines.push(
        `  ${l.name.padEnd(14)} edge Jaccard ${f3(l.edgeJaccard)}  edges ${l.edgesInit} → ${l.edgesLearned}  mean |ΔK| ${f3(l.meanAbsDeltaK)}  ε ${f3(
          l.bandwidthInit,
        )} → ${f3(l.bandwidthLearned)}`,
      );
    }
    for (const s of report.prior.signatures)
      lines.push(`  signatures ${s.group.padEnd(10)} cosine drift mean ${f3(s.mean)}  max ${f3(s.max)}`);
  }
  if (report.routing && report.specificity) {
    lines.push('');
    lines.push(`class routing on ${report.routing.examples} examples (top-1 ${(100 * report.routing.top1).toFixed(2)} %):`);
    const shares = groupShares(report.routing, report.graph.nodes);
    for (const { layer, shares: sh } of shares)
      lines.push(
        `  ${layer.padEnd(14)} attention mass on ${Object.entries(sh)
          .map(([g, v]) => `${g} ${(100 * v).toFixed(1)} %`)
          .join(', ')}`,
      );
    for (const s of report.specificity) {
      lines.push(
        `  ${s.layer.padEnd(14)} mean pairwise JS distance ${f3(s.observed)}  vs permuted labels ${f3(s.controlMean)} ± ${f3(s.controlStd)}  (p = ${s.pValue.toPrecision(2)}, ${s.permutations} permutations)`,
      );
    }
  }
  return lines.join('\n');
}
