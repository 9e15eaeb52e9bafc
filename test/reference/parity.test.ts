// Parity with the authors' reference implementation: every intermediate of the fixture within 1e-4.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { referenceCheck } from '../../src/reference/check.js';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/official-nac');
const fixtures = fs.existsSync(FIXTURES)
  ? fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'config.json')))
  : [];

describe('reference parity', () => {
  it('finds at least one fixture', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
  for (const name of fixtures) {
    it(`${name}: tokens, states and logits match the reference within 1e-4`, () => {
      const report = referenceCheck(path.join(FIXTURES, name));
      for (const row of report.rows) {
        console.log(`${name} ${row.name} [${row.shape}] rel err ${row.relativeError.toExponential(2)}`);
      }
      for (const row of report.rows) expect(row.relativeError, row.name).toBeLessThanOrEqual(1e-4);
    });
  }
});
