// Config validation names the offending field and the allowed values; configs round-trip through JSON.
import { describe, expect, it } from 'vitest';
import { nacConfigFromJSON, nacConfigToJSON, validateNACConfig, type NACConfig } from '../../src/config/nac-config.js';
import { NAC_PRESETS, nacPreset } from '../../src/config/presets.js';
import { NAC } from '../../src/model/nac.js';

function expectError(mutate: (c: NACConfig) => void, pattern: RegExp): void {
  const cfg = nacPreset('cpu-tiny');
  mutate(cfg);
  expect(() => validateNACConfig(cfg)).toThrow(pattern);
}

describe('NAC config', () => {
  it('every preset validates and round-trips through JSON unchanged', () => {
    for (const name of Object.keys(NAC_PRESETS)) {
      const cfg = nacPreset(name);
      validateNACConfig(cfg);
      expect(nacConfigFromJSON(nacConfigToJSON(cfg))).toEqual(cfg);
    }
  });

  it('errors name the field and the allowed range or values', () => {
    expectError((c) => (c.numPropagators = 0), /config\.numPropagators must be an integer ≥ 1, got 0/);
    expectError((c) => (c.kernel.temperature = -1), /config\.kernel\.temperature must be a number in \(0, 100\], got -1/);
    expectError((c) => (c.kernel.truncation = 3), /config\.kernel\.truncation must be a number in \(0, 2\]/);
    expectError((c) => (c.pooling = 'max' as 'gumbel'), /config\.pooling must be one of 'gumbel', 'vanilla'; got "max"/);
    expectError((c) => (c.dropPath.propagator = 1.5), /config\.dropPath\.propagator must be a number in \[0, /);
    expectError((c) => ((c as unknown as Record<string, unknown>).numLayer = 3), /config\.numLayer is not a known field/);
    expectError((c) => (c.priors.propagator = { preset: 'ring-of-cliques', numCliques: 3 }), /config\.priors\.propagator/);
    expectError((c) => ((c.tokenizer as { patchSize: number }).patchSize = 0), /config\.tokenizer\.patchSize/);
  });

  it('the model constructor rejects an invalid config before allocating anything', () => {
    const cfg = nacPreset('cpu-tiny');
    cfg.headDim = 1.5;
    expect(() => new NAC(cfg)).toThrow(/config\.headDim must be an integer/);
  });

  it('rejects malformed JSON with the source named', () => {
    expect(() => nacConfigFromJSON('{"model": "nac",', 'my.json')).toThrow(/my\.json is not valid JSON/);
  });
});
