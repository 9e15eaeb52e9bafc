// safetensors: round trip, and clear named errors for truncated or corrupted files; model folders save and load.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors, serializeSafetensors, SafetensorsError } from '../../src/io/safetensors.js';
import { readSafetensors } from '../../src/io/safetensors-file.js';
import { loadModelDir, saveModelDir } from '../../src/io/model-dir.js';
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { quadrantBatch } from '../helpers/synthetic.js';

const sample = () =>
  serializeSafetensors(
    new Map([
      ['a', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
      ['b', { shape: [], data: new Float32Array([7]) }],
      ['c', { shape: [2], data: new Int32Array([-1, 9]) }],
    ]),
    { note: 'x' },
  );

function withHeader(header: object, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const buf = new Uint8Array(8 + json.length + dataBytes);
  new DataView(buf.buffer).setBigUint64(0, BigInt(json.length), true);
  buf.set(json, 8);
  return buf;
}

describe('safetensors', () => {
  it('round-trips names, shapes, dtypes, values and metadata', () => {
    const { tensors, metadata } = parseSafetensors(sample());
    expect(metadata).toEqual({ note: 'x' });
    expect(tensors.get('a')?.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get('a')?.data ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensors.get('b')?.shape).toEqual([]);
    expect(tensors.get('c')?.dtype).toBe('I32');
    expect(Array.from(tensors.get('c')?.data ?? [])).toEqual([-1, 9]);
  });

  it('parses a Node Buffer that is a view into a larger pool (offset, Buffer.slice semantics)', () => {
    const inPool = Buffer.concat([Buffer.alloc(5), Buffer.from(sample()), Buffer.alloc(7)]).subarray(5, 5 + sample().length);
    const { tensors } = parseSafetensors(inPool);
    expect(Array.from(tensors.get('a')?.data ?? [])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensors.get('a')?.data.length).toBe(6);
    expect(Array.from(tensors.get('c')?.data ?? [])).toEqual([-1, 9]);
  });

  it('names the problem in truncated and corrupted files', () => {
    const good = sample();
    expect(() => parseSafetensors(good.slice(0, 5), 'f')).toThrow(/too short.*truncated/);
    expect(() => parseSafetensors(good.slice(0, 20), 'f')).toThrow(/header length \d+ exceeds the file size/);
    expect(() => parseSafetensors(good.slice(0, good.length - 4), 'f')).toThrow(
      /tensor '.' ends at byte \d+ but the data section has \d+ bytes \(truncated file\)/,
    );
    const badJson = good.slice();
    badJson[10] = 0x7b; // '{' in the middle of the header
    expect(() => parseSafetensors(badJson, 'f')).toThrow(SafetensorsError);
    expect(() => parseSafetensors(withHeader({ x: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, 1))).toThrow(
      /dtype "Q8"; allowed: F32/,
    );
    expect(() => parseSafetensors(withHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4))).toThrow(
      /spans 4 bytes but F32\[2\] needs 8/,
    );
    expect(() =>
      parseSafetensors(
        withHeader({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8),
      ),
    ).toThrow(/overlap/);
    expect(() => readSafetensors('/nonexistent/file.safetensors')).toThrow(/cannot read file \(ENOENT\)/);
  });

  it('a saved model folder loads back with identical outputs; a truncated weights file is a clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nac-dir-'));
    const model = new NAC(nacPreset('cpu-tiny'), { seed: 9 }).eval();
    await saveModelDir(dir, model.config, model);
    const loaded = loadModelDir(dir).eval();
    const { x } = quadrantBatch(3, 4);
    const diff = tf.tidy(
      () =>
        tf
          .abs(model.forward(x).sub(loaded.forward(x)))
          .max()
          .dataSync()[0],
    );
    expect(diff).toBe(0);
    const file = path.join(dir, 'weights.safetensors');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expect(() => loadModelDir(dir)).toThrow(/truncated file/);
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ format: 'neural-attentive-circuits/model@1', config: { ...model.config, numLayers: 3 } }),
    );
    fs.writeFileSync(file, bytes);
    expect(() => loadModelDir(dir)).toThrow(/missing parameter 'circuit\.propagators\.2\./);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
    fs.rmSync(dir, { recursive: true });
  });
});
