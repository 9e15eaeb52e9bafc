// Shared fixtures for the inspection tests: a tiny NAC and a small labelled quadrant dataset.
import { NAC } from '../../src/model/nac.js';
import { nacPreset } from '../../src/config/presets.js';
import { ArrayDataset } from '../../src/data/array-dataset.js';
import { quadrantBatch } from '../helpers/synthetic.js';

/** An untrained cpu-tiny NAC (4 read-in, 8 propagator, 2 read-out modules, 2 layers) in eval mode. */
export function tinyNAC(seed = 3): NAC {
  return new NAC(nacPreset('cpu-tiny'), { seed }).eval();
}

/** n quadrant images (8×8×1, 4 classes) as a Dataset. */
export function quadrantDataset(n: number, seed = 0): ArrayDataset {
  const { x, y, labels } = quadrantBatch(n, seed);
  const data = x.dataSync() as Float32Array;
  x.dispose();
  y.dispose();
  return new ArrayDataset({
    name: 'quadrants/test',
    kind: 'image',
    exampleShape: [8, 8, 1],
    dtype: 'float32',
    classNames: ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
    data: Float32Array.from(data),
    labels: Int32Array.from(labels),
  });
}
