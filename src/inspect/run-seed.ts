/**
 * The seed a model was trained with, read from the run.json that `nac train` writes beside its model
 * folder (Node only): the circuit report rebuilds the initial circuit from it to measure drift from the prior.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The training seed recorded in `<model-dir>/../run.json`, or null when there is none. */
export function runSeedNextTo(modelDir: string): number | null {
  const file = path.join(path.dirname(path.resolve(modelDir)), 'run.json');
  if (!fs.existsSync(file)) return null;
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as { train?: { seed?: unknown } };
  const seed = run.train?.seed;
  return typeof seed === 'number' && Number.isInteger(seed) ? seed : null;
}
