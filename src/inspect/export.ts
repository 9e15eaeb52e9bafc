/**
 * circuit.json as text: a {@link CircuitReport} to JSON and back, with a check of the format tag and of
 * the graph's shape, so a round trip gives the same report. No file system here (browsers fetch the
 * text); the file reads and atomic writes are in ./report-file.ts.
 */
import { CIRCUIT_FORMAT, type CircuitReport } from './report.js';
import { MODULE_GROUPS } from './circuit-graph.js';

/** The report as JSON text. */
export function circuitReportToJSON(report: CircuitReport): string {
  return `${JSON.stringify(report, null, 1)}\n`;
}

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

/** Parses circuit.json text; throws naming the field when the format tag or the graph's shape is wrong. */
export function parseCircuitReport(text: string, where = 'circuit.json'): CircuitReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail(where, `not JSON (${(e as Error).message})`);
  }
  const o = raw as Partial<CircuitReport> | null;
  if (!o || typeof o !== 'object') fail(where, 'expected an object');
  if (o.format !== CIRCUIT_FORMAT) fail(where, `format is ${JSON.stringify(o.format)}; expected '${CIRCUIT_FORMAT}'`);
  const g = o.graph;
  if (!g || !Array.isArray(g.nodes) || !Array.isArray(g.layers)) fail(where, 'graph.nodes and graph.layers must be arrays');
  g.nodes.forEach((n, i) => {
    if (n.id !== i || !MODULE_GROUPS.includes(n.group))
      fail(where, `graph.nodes[${i}] must have id ${i} and a group in ${MODULE_GROUPS.join(', ')}`);
  });
  g.layers.forEach((l, i) => {
    if (!Array.isArray(l.weights) || l.weights.length !== l.receivers?.length || l.weights.some((r) => r.length !== l.senders?.length))
      fail(where, `graph.layers[${i}].weights must be receivers × senders`);
  });
  if (!g.signatures || MODULE_GROUPS.some((grp) => !Array.isArray(g.signatures[grp])))
    fail(where, 'graph.signatures must hold every group');
  if (!Array.isArray(o.statistics)) fail(where, 'statistics must be an array');
  return { ...o, routing: o.routing ?? null, specificity: o.specificity ?? null, prior: o.prior ?? null } as CircuitReport;
}
