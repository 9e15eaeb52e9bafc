// envChoice (src/engine/webgpu.ts): environment switches such as NAC_WEBGPU_MATMUL take only their listed
// values; a typo fails loudly, naming the variable and the values, instead of silently doing nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { envChoice } from '../../src/engine/webgpu.js';

const NAME = 'NAC_TEST_ENV_CHOICE';

describe('envChoice', () => {
  afterEach(() => {
    delete process.env[NAME];
  });

  it('gives the fallback when unset or empty, and a listed value as set', () => {
    expect(envChoice(NAME, ['tfjs', 'tiled'], 'tfjs')).toBe('tfjs');
    process.env[NAME] = '';
    expect(envChoice(NAME, ['tfjs', 'tiled'], 'tfjs')).toBe('tfjs');
    process.env[NAME] = 'tiled';
    expect(envChoice(NAME, ['tfjs', 'tiled'], 'tfjs')).toBe('tiled');
  });

  it('rejects any other value, naming the variable and the allowed values', () => {
    process.env[NAME] = 'on';
    expect(() => envChoice(NAME, ['tfjs', 'tiled'], 'tfjs')).toThrow(/NAC_TEST_ENV_CHOICE=on .*tfjs, tiled/);
  });
});
