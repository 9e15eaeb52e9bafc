// `nac train`'s run assembly (task defaults ← --config ← flags ← --set), the errors a wrong value
// gives (they name the flag or field and the allowed values), and the input-file reader of
// `nac predict` on hand-made PGM, PNG, byte, point and ListOps files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { intFlag, numberFlag } from '../../src/cli/common.js';
import { runFromFlags } from '../../src/cli/train.js';
import { readInputFile } from '../../src/io/input-files.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const base = { task: 'fashion-mnist', model: 'nac' as const, set: [] as string[] };

describe('nac train run assembly', () => {
  it('applies the config file, flags and --set overrides in order', () => {
    const file = path.join(tmp, 'run.json');
    fs.writeFileSync(file, JSON.stringify({ train: { lr: 0.01, batchSize: 16 } }));
    const run = runFromFlags({
      ...base,
      config: file,
      seed: '7',
      epochs: '3',
      set: ['train.batchSize=8', 'model.numLayers=3', 'train.mix=null'],
    });
    expect(run.train).toMatchObject({ lr: 0.01, batchSize: 8, seed: 7, epochs: 3, mix: null, task: 'fashion-mnist' });
    expect(run.model.model === 'nac' && run.model.numLayers).toBe(3);
  });

  it('builds the Perceiver IO baseline with the same tokenizer', () => {
    const nac = runFromFlags(base);
    const pio = runFromFlags({ ...base, model: 'perceiver-io' });
    expect(pio.model.model).toBe('perceiver-io');
    expect(pio.model.tokenizer).toEqual(nac.model.tokenizer);
  });

  it('names the field and the allowed values on bad input', () => {
    expect(() => runFromFlags({ ...base, set: ['train.lr=-1'] })).toThrow(/train\.lr must be a number in \(0, 10\]/);
    expect(() => runFromFlags({ ...base, set: ['train.lrr=1'] })).toThrow(/unknown field 'train\.lrr'; allowed here: .*lr/);
    expect(() => runFromFlags({ ...base, set: ['lr=1'] })).toThrow(/must start with 'model\.' or 'train\.'/);
    expect(() => runFromFlags({ ...base, set: ['train.lr'] })).toThrow(/expects path=value/);
    expect(() => runFromFlags({ ...base, seed: '-3' })).toThrow(/--seed must be an integer ≥ 0/);
    expect(() => runFromFlags({ ...base, set: ['train.decayFilter="some"'] })).toThrow(
      /train\.decayFilter must be one of 'default', 'all'/,
    );
    expect(() => runFromFlags({ ...base, task: 'cifar' })).toThrow(/unknown task 'cifar'; allowed: fashion-mnist/);
    expect(() => runFromFlags({ ...base, set: ['model.stateDim=0'] })).toThrow(/stateDim/);
    expect(() => runFromFlags({ ...base, config: path.join(tmp, 'missing.json') })).toThrow(/--config file not found/);
    expect(() => runFromFlags({ ...base, epochs: 'abc' })).toThrow(/--epochs must be a number ≥ 0, got 'abc'/);
  });
});

describe('numeric flags of every command', () => {
  it('takes whole numbers only for an integer flag, naming the flag and the text otherwise', () => {
    expect(intFlag('--seed', '42', 0)).toBe(42);
    expect(intFlag('--seed', ' 7 ', 0)).toBe(7);
    for (const bad of ['abc', '1.5', '1e3', '0x10', '', '-1', '99999999999999999999'])
      expect(() => intFlag('--seed', bad, 0), bad).toThrow(new RegExp(`^--seed must be an integer ≥ 0, got '${bad}'$`));
    expect(() => intFlag('--jobs', '0', 1)).toThrow(/--jobs must be an integer ≥ 1, got '0'/);
  });

  it('takes a finite number in range for a numeric flag', () => {
    expect(numberFlag('--epochs', '0.5', '≥ 0')).toBe(0.5);
    expect(numberFlag('--epochs', '0', '≥ 0')).toBe(0);
    expect(numberFlag('--lr', '1e-3', '> 0')).toBe(1e-3);
    for (const bad of ['0', '-1', 'abc', '', 'Infinity'])
      expect(() => numberFlag('--lr', bad, '> 0'), bad).toThrow(/^--lr must be a number > 0/);
    expect(() => numberFlag('--epochs', '-0.5', '≥ 0')).toThrow(/--epochs must be a number ≥ 0, got '-0.5'/);
  });
});

describe('nac predict input files', () => {
  const imageTok = { type: 'patch', imageSize: [4, 4], inChannels: 1, patchSize: 2, tokenDim: 8 } as const;

  it('reads a binary PGM and a PNG as [H, W, C] in [0, 1], resizing to the model size', () => {
    const pgm = path.join(tmp, 'a.pgm');
    fs.writeFileSync(pgm, Buffer.concat([Buffer.from('P5\n4 4\n255\n'), Buffer.from(Array.from({ length: 16 }, (_, i) => i * 17))]));
    const a = readInputFile(pgm, imageTok);
    expect(a.shape).toEqual([4, 4, 1]);
    expect(a.x[15]).toBeCloseTo(1, 6);
    expect(a.x[1]).toBeCloseTo(17 / 255, 6);
    const png = new PNG({ width: 8, height: 8 });
    png.data.fill(255);
    const file = path.join(tmp, 'b.png');
    fs.writeFileSync(file, PNG.sync.write(png));
    const b = readInputFile(file, imageTok);
    expect(b.shape).toEqual([4, 4, 1]);
    expect(Math.min(...b.x)).toBeCloseTo(1, 5);
  });

  it('reads raw bytes (headers stripped), points and ListOps text', () => {
    const mail = path.join(tmp, 'mail.txt');
    fs.writeFileSync(mail, 'Subject: hi\nFrom: x\n\nAB');
    const bytes = readInputFile(
      mail,
      { type: 'bytes', maxLength: 4, tokenDim: 8, embedDim: 4, groupSize: 1, vocabSize: 257, padId: 256 },
      { stripHeaders: true },
    );
    expect(Array.from(bytes.x)).toEqual([65, 66, 256, 256]);
    const pts = path.join(tmp, 'p.txt');
    fs.writeFileSync(pts, '0 0\n1 1\n');
    const p = readInputFile(pts, {
      type: 'points',
      numPoints: 4,
      pointDim: 2,
      tokenDim: 8,
      encoding: 'fourier',
      fourierBands: 4,
      fourierScale: 1,
    });
    expect(Array.from(p.x)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    const lo = path.join(tmp, 'l.txt');
    fs.writeFileSync(lo, '[MAX 2 9 ]');
    const s = readInputFile(lo, { type: 'symbols', vocabSize: 16, maxLength: 6, tokenDim: 8, padId: 0 });
    expect(Array.from(s.x)).toEqual([12, 3, 10, 15, 0, 0]);
    fs.writeFileSync(lo, '[MAX 2 x ]');
    expect(() => readInputFile(lo, { type: 'symbols', vocabSize: 16, maxLength: 6, tokenDim: 8, padId: 0 })).toThrow(/unknown symbol 'x'/);
  });
});
