// The reference importer reports every name or shape that does not map, and options it cannot honour.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { readSafetensors } from '../../src/io/safetensors-file.js';
import { importReferenceWeights, mapReferenceName, translateReferenceConfig } from '../../src/io/reference-import.js';
import { NAC } from '../../src/model/nac.js';

const FIXTURE = path.resolve(__dirname, '../../../shared/fixtures/official-nac/small-scale-free');
const have = fs.existsSync(FIXTURE);

describe.runIf(have)('reference import errors', () => {
  const kwargs = () => JSON.parse(fs.readFileSync(path.join(FIXTURE, 'config.json'), 'utf8')).model_kwargs;

  it('maps every reference name of the fixture', () => {
    const sd = readSafetensors(path.join(FIXTURE, 'weights.safetensors')).tensors;
    const unmapped = [...sd.keys()].filter((n) => mapReferenceName(n) === null);
    expect(unmapped).toEqual([]);
  });

  it('names unknown reference parameters, shape mismatches and our parameters left without a value', () => {
    const sd = readSafetensors(path.join(FIXTURE, 'weights.safetensors')).tensors;
    const { config } = translateReferenceConfig(kwargs(), [32, 32], new Set(sd.keys()));
    const model = new NAC(config, { skipPriorFit: true });
    const ours = new Map([...model.namedParameters()].map(([n, v]) => [n, { shape: v.shape, trainable: v.trainable }] as const));
    const broken = new Map(sd);
    broken.set('latent_graphs.0.mystery.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    broken.set('output_tokenizer.to_logits.bias', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
    broken.delete('latent_graphs.0.read_out.ffn.layernorm.weight');
    let message = '';
    try {
      importReferenceWeights(broken, ours);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/'latent_graphs\.0\.mystery\.weight' \[1\] has no counterpart/);
    expect(message).toMatch(/'output_tokenizer\.to_logits\.bias' → 'pooling\.classifier\.bias': shape \[3\] but ours is \[10\]/);
    expect(message).toMatch(/our parameter 'circuit\.readOut\.ffn\.norm\.weight' received no value/);
    model.dispose();
  });

  it('refuses reference options it does not implement, naming them', () => {
    const kw = kwargs();
    kw.latent_graph_kwargs.share_propagator_weights = true;
    kw.input_tokenizer_type = 'PointCloudTokenizer';
    expect(() => translateReferenceConfig(kw, [32, 32])).toThrow(
      /share_propagator_weights = true.*\n.*|input_tokenizer_type = "PointCloudTokenizer"/s,
    );
  });
});
