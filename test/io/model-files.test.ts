// Saved models without a file system (src/io/model-files.ts): the two files' contents round-trip to the same
// outputs, building and loading leave no tensors behind, bad contents are errors that say what is wrong, and
// loadModelFromURL fetches both files (a stub fetch here; a real browser in test/browser/).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadModelFromURL, modelFromFiles, modelToFiles, parseModelConfigFile, MODEL_FORMAT } from '../../src/io/model-files.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { quadrantBatch } from '../helpers/synthetic.js';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.abs(a.sub(b)).max().dataSync()[0] as number);
}

describe('model files', () => {
  it('round-trips to identical outputs and keeps the metadata', async () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 9 }).eval();
    const files = await modelToFiles(model.config, model, { task: 'quadrants', classNames: ['a', 'b', 'c', 'd'] });
    expect(parseModelConfigFile(files.config).meta).toEqual({ task: 'quadrants', classNames: ['a', 'b', 'c', 'd'] });
    const loaded = modelFromFiles({ config: files.config, weights: files.weights.slice().buffer }).eval();
    const { x, y } = quadrantBatch(3, 4);
    const [a, b] = [model.forward(x), loaded.forward(x)];
    expect(maxDiff(a, b)).toBe(0);
    tf.dispose([x, y, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('building, saving, loading and disposing leave the tensor count where it was', async () => {
    const before = tf.memory().numTensors;
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 2 });
    const files = await modelToFiles(model.config, model);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 3; i++) modelFromFiles(files).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names what is wrong with a config file', () => {
    expect(() => parseModelConfigFile('{', 'm/config.json')).toThrow(/^m\/config\.json: not JSON/);
    expect(() => parseModelConfigFile('null', 'm/config.json')).toThrow(/expected an object/);
    expect(() => parseModelConfigFile(JSON.stringify({ format: 'other@1', config: {} }))).toThrow(
      /unknown format "other@1"; expected 'neural-attentive-circuits\/model@1'/,
    );
    const config = { ...nacPreset('cpu-tiny'), numLayers: -1 };
    expect(() => parseModelConfigFile(JSON.stringify({ format: MODEL_FORMAT, config }), 'c.json')).toThrow(/^c\.json: .*numLayers/);
  });

  it('loadModelFromURL fetches config.json and weights.safetensors under the URL; a failed fetch names the URL and status', async () => {
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 4 });
    const files = await modelToFiles(model.config, model);
    const asked: string[] = [];
    const served: Record<string, BodyInit> = { 'https://x/m/config.json': files.config, 'https://x/m/weights.safetensors': files.weights };
    const fetchStub = (async (url: string) => {
      asked.push(url);
      const body = served[url];
      return body == null ? new Response('no', { status: 404, statusText: 'Not Found' }) : new Response(body);
    }) as unknown as typeof fetch;
    const loaded = await loadModelFromURL('https://x/m/', fetchStub);
    expect(asked.sort()).toEqual(['https://x/m/config.json', 'https://x/m/weights.safetensors']);
    const { x, y } = quadrantBatch(2, 1);
    const [a, b] = [model.eval().forward(x), loaded.eval().forward(x)];
    expect(maxDiff(a, b)).toBe(0);
    await expect(loadModelFromURL('https://x/other', fetchStub)).rejects.toThrow(
      'cannot fetch https://x/other/config.json: HTTP 404 Not Found',
    );
    tf.dispose([x, y, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
