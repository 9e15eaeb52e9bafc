/**
 * `nac reference-check <fixture-dir>`: imports a reference fixture, runs our model in eval mode and
 * prints the largest relative error per intermediate; exits 0 only if every error ≤ tolerance.
 */
import type { Command } from 'commander';
import { referenceCheck } from '../reference/check.js';
import { backendOption, numberFlag, runCommand, startBackend } from './common.js';

export function registerReferenceCheck(program: Command): void {
  program
    .command('reference-check')
    .description("compare our model with the authors' reference implementation on a parity fixture")
    .argument('<fixture-dir>', 'folder with config.json, weights/inputs/expected.safetensors')
    .addOption(backendOption())
    .option('--tolerance <x>', 'largest allowed relative error', '1e-4')
    .action((dir: string, opts: { backend: string; tolerance: string }) =>
      runCommand(async () => {
        const tol = numberFlag('--tolerance', opts.tolerance, '> 0');
        await startBackend(opts.backend);
        const report = referenceCheck(dir);
        for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
        const w = Math.max(...report.rows.map((r) => r.name.length), 6);
        console.log(`${'output'.padEnd(w)}  ${'shape'.padEnd(14)}  ${'max|ref|'.padStart(10)}  ${'rel. error'.padStart(10)}  ok`);
        for (const r of report.rows) {
          const ok = r.relativeError <= tol ? 'yes' : 'NO';
          console.log(
            `${r.name.padEnd(w)}  ${`[${r.shape}]`.padEnd(14)}  ${r.maxAbsReference.toExponential(3).padStart(10)}  ${r.relativeError.toExponential(3).padStart(10)}  ${ok}`,
          );
        }
        console.log(`max relative error: ${report.maxRelativeError.toExponential(3)}`);
        return report.rows.every((r) => r.relativeError <= tol) ? 0 : 1;
      }),
    );
}
