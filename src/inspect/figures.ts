/**
 * The two figures of a circuit inspection, made from a {@link CircuitReport}: the module graph
 * (circuit.svg) and the class-routing heat map, one panel per kernel layer (routing.svg).
 */
import { toWeightedGraph } from './circuit-graph.js';
import { circuitGraphSVG } from './graph-svg.js';
import { heatmapSVG } from './heatmap-svg.js';
import type { CircuitReport } from './report.js';

/** The graph `name` (default 'union') drawn with its Louvain communities. */
export function circuitFigureSVG(report: CircuitReport, name = 'union', title?: string): string {
  const stats = report.statistics.find((s) => s.name === name);
  if (!stats)
    throw new Error(`circuitFigureSVG: no statistics for graph '${name}'; have ${report.statistics.map((s) => s.name).join(', ')}`);
  return circuitGraphSVG({
    title: title ?? `Circuit graph (${name}) of ${report.model}`,
    subtitle: `density ${stats.density.toFixed(3)} · weighted ${stats.weightedDensity.toFixed(3)} · mean degree ${stats.meanDegree.toFixed(1)} · ${stats.communities} communities, modularity ${stats.modularity.toFixed(3)}`,
    nodes: report.graph.nodes,
    graph: toWeightedGraph(report.graph, name),
    communities: stats.labels,
  });
}

/**
 * Heat map of mean attention mass per sender module and class, two panels per layer: the mass itself,
 * and log2 of its ratio to the mean over classes (which classes use a module more or less than
 * average). Throws without routing.
 */
export function routingFigureSVG(report: CircuitReport, title?: string): string {
  const routing = report.routing;
  if (!routing) throw new Error('routingFigureSVG: the report has no class routing');
  const labels = report.graph.nodes.map((n) => n.label);
  return heatmapSVG({
    title: title ?? `Class routing of ${report.model} (${routing.examples} examples)`,
    scaleLabel: 'mass 0…max (rows sum to 1); log2 ratio blue < 0 < red',
    panels: routing.layers.flatMap((l) => {
      const rowLabels = routing.classNames.map((c, i) => `${c} (${routing.counts[i]})`);
      const colLabels = l.senders.map((s) => labels[s] as string);
      const present = l.perClass.filter((_, c) => (routing.counts[c] ?? 0) > 0);
      const colMean = colLabels.map((_, s) => present.reduce((a, row) => a + (row[s] as number), 0) / Math.max(1, present.length));
      const ratio = l.perClass.map((row, c) =>
        row.map((v, s) => (routing.counts[c] && (colMean[s] as number) > 0 && v > 0 ? Math.log2(v / (colMean[s] as number)) : Number.NaN)),
      );
      return [
        { title: `${l.name}: receivers' mean attention per sender`, rowLabels, colLabels, values: l.perClass },
        { title: `${l.name}: log2(class / mean over classes)`, rowLabels, colLabels, values: ratio, scale: 'diverging' as const },
      ];
    }),
  });
}
