/**
 * `nac predict <model-dir> <files…>`: classifies input files (images, raw bytes, point lists or
 * ListOps text, by the model's tokenizer) and prints JSON: per file the predicted class and the top-k
 * class probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { loadModelDir, readModelConfig, readModelMeta } from '../io/model-dir.js';
import { readInputFile } from '../io/input-files.js';
import { backendOption, intFlag, runCommand, startBackend } from './common.js';

interface PredictFlags {
  top: string;
  batchSize: string;
  backend: string;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify files with a model folder; prints JSON predictions')
    .argument('<model-dir>', 'a model folder (e.g. runs/fashion-mnist-nac-s0/model)')
    .argument('<files...>', 'inputs: PNG/PGM images, raw byte files, point lists (.json or text lines), ListOps text')
    .option('--top <k>', 'class probabilities to list per file', '3')
    .option('--batch-size <n>', 'files per forward pass', '64')
    .addOption(backendOption())
    .action((dir: string, files: string[], flags: PredictFlags) =>
      runCommand(async () => {
        const top = intFlag('--top', flags.top, 1);
        const batchSize = intFlag('--batch-size', flags.batchSize, 1);
        await startBackend(flags.backend);
        const config = readModelConfig(dir);
        const meta = readModelMeta(dir);
        const stripHeaders = (meta.data as { stripHeaders?: boolean } | undefined)?.stripHeaders ?? true;
        const inputs = files.map((f) => readInputFile(f, config.tokenizer, { stripHeaders }));
        const model = loadModelDir(dir).eval();
        const out: unknown[] = [];
        try {
          for (let start = 0; start < inputs.length; start += batchSize) {
            const chunk = inputs.slice(start, start + batchSize);
            const shape = [chunk.length, ...(chunk[0]?.shape ?? [])];
            const int = chunk[0]?.x instanceof Int32Array;
            const flat = int
              ? new Int32Array(chunk.length * (chunk[0]?.x.length ?? 0))
              : new Float32Array(chunk.length * (chunk[0]?.x.length ?? 0));
            chunk.forEach((c, i) => flat.set(c.x, i * c.x.length));
            const probs = tf.tidy(
              () => tf.softmax(model.forward(tf.tensor(flat, shape, int ? 'int32' : 'float32'))).arraySync() as number[][],
            );
            probs.forEach((p, i) => {
              const ranked = p.map((v, c) => [c, v] as const).sort((a, b) => b[1] - a[1]);
              const name = (c: number) => meta.classNames?.[c] ?? String(c);
              out.push({
                file: files[start + i],
                classId: ranked[0]?.[0],
                label: name(ranked[0]?.[0] ?? 0),
                top: ranked.slice(0, top).map(([c, v]) => ({ classId: c, label: name(c), probability: Number(v.toFixed(6)) })),
              });
            });
          }
        } finally {
          model.dispose();
        }
        console.log(JSON.stringify(out, null, 2));
      }),
    );
}
