/**
 * `kicad-points`: KiCad's 3D component models (Debian kicad-packages3d, VRML, CC-BY-SA 4.0) as 3-D point
 * clouds. Class = library family (`<Library>.3dshapes`), keeping libraries with ≥ 40 models. Each model is
 * parsed (vrml.ts), sampled by triangle area with a generator seeded from (seed, file path) and scaled
 * into the unit sphere (mesh-sample.ts). Splits are per class and seeded: 70 % train, 10 % val, 20 % test.
 * Many models in a family are near-duplicates (pin headers 1×2…2×40), so accuracy here is optimistic.
 * All clouds are cached in `<data>/cache/kicad-points-n<numPoints>-s<seed>.bin` (never commit it: the
 * licence is share-alike); with `limit` only the needed files are parsed and nothing is cached.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../util/rng.js';
import { ArrayDataset } from './array-dataset.js';
import { readBundle, writeBundle } from './cache.js';
import type { DatasetSplits } from './dataset.js';
import { DataMissingError, fetchCommand } from './errors.js';
import { sampleMeshSurface } from './mesh-sample.js';
import { cacheDir, dataDir } from './paths.js';
import { mixSeed, perClassSplit, seededSplit } from './splits.js';
import { parseVrml } from './vrml.js';
import { vrmlTriangles } from './vrml-geometry.js';

/** Libraries with fewer models are left out. */
export const KICAD_MIN_MODELS = 40;
/** Where Debian's kicad-packages3d installs the models. */
export const KICAD_SYSTEM_DIR = '/usr/share/kicad/3dmodels';
const CACHE_VERSION = 1;

/** `<data>/kicad/3dmodels` (what fetch-data extracts), else the system folder. */
export function locateKicad(dataDirOverride?: string): string {
  const candidates = [path.join(dataDir(dataDirOverride), 'kicad', '3dmodels'), KICAD_SYSTEM_DIR];
  const found = candidates.find((d) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.3dshapes')));
  if (!found) throw new DataMissingError('KiCad 3D models', candidates.join(' or '), fetchCommand('kicad-points'));
  return found;
}

/** The model files of every library with ≥ KICAD_MIN_MODELS models: paths relative to `root`, labels, class names. */
export function listKicadModels(root: string): { files: string[]; labels: Int32Array; classNames: string[] } {
  const classNames: string[] = [];
  const files: string[] = [];
  const labels: number[] = [];
  for (const lib of fs.readdirSync(root).sort()) {
    if (!lib.endsWith('.3dshapes')) continue;
    const models = fs
      .readdirSync(path.join(root, lib))
      .filter((f) => f.toLowerCase().endsWith('.wrl'))
      .sort();
    if (models.length < KICAD_MIN_MODELS) continue;
    for (const m of models) {
      files.push(`${lib}/${m}`);
      labels.push(classNames.length);
    }
    classNames.push(lib.slice(0, -'.3dshapes'.length));
  }
  return { files, labels: Int32Array.from(labels), classNames };
}

/** The [numPoints, 3] cloud of one VRML file, or null when it has no faces or does not parse. */
export function kicadCloud(file: string, numPoints: number, rng: Rng): Float32Array | null {
  try {
    const triangles = vrmlTriangles(parseVrml(fs.readFileSync(file, 'latin1')));
    return triangles.length ? sampleMeshSurface(triangles, numPoints, rng) : null;
  } catch (_e) {
    return null;
  }
}

function fileListHash(files: string[]): number {
  return mixSeed(files.length, files.join('\n'));
}

/** Options of {@link loadKicadPoints}. */
export interface KicadOptions {
  seed: number;
  numPoints: number;
  limit?: number;
  dataDir?: string;
  /** Called with (done, total) while clouds are sampled. */
  onProgress?: (done: number, total: number) => void;
}

/** Loads kicad-points (see the file header). */
export function loadKicadPoints(opts: KicadOptions): DatasetSplits {
  const root = locateKicad(opts.dataDir);
  const { files, labels, classNames } = listKicadModels(root);
  const split = perClassSplit(labels, classNames.length, 0.1, 0.2, mixSeed(opts.seed, 'kicad-split'));
  const wanted = { train: split.train, val: split.val, test: split.test };
  if (opts.limit !== undefined) {
    for (const k of ['train', 'val', 'test'] as const) {
      const s = wanted[k];
      if (s.length > opts.limit)
        wanted[k] = seededSplit(s.length, opts.limit, mixSeed(opts.seed, 'limit', k)).first.map((j) => s[j] as number);
    }
  }
  const n = opts.numPoints;
  const file = path.join(cacheDir(opts.dataDir), `kicad-points-n${n}-s${opts.seed}.bin`);
  const meta = { kind: 'kicad-points', numPoints: n, seed: opts.seed, files: fileListHash(files), version: CACHE_VERSION };
  let points: Float32Array;
  let ok: Uint8Array;
  const cached = readBundle(file, meta);
  if (cached) {
    points = cached.points as Float32Array;
    ok = cached.ok as Uint8Array;
  } else {
    points = new Float32Array(files.length * n * 3);
    ok = new Uint8Array(files.length);
    const todo = opts.limit === undefined ? files.map((_, i) => i) : [...wanted.train, ...wanted.val, ...wanted.test];
    todo.forEach((i, done) => {
      const rel = files[i] as string;
      const cloud = kicadCloud(path.join(root, rel), n, new Rng(mixSeed(opts.seed, 'kicad', rel)));
      if (cloud) {
        points.set(cloud, i * n * 3);
        ok[i] = 1;
      }
      opts.onProgress?.(done + 1, todo.length);
    });
    if (opts.limit === undefined) writeBundle(file, { points, ok }, meta);
  }
  const all = new ArrayDataset({
    name: 'kicad-points/all',
    kind: 'points',
    exampleShape: [n, 3],
    dtype: 'float32',
    classNames,
    data: points,
    labels,
  });
  const usable = (idx: Int32Array): Int32Array => idx.filter((i) => ok[i] === 1);
  const failed = files.length - ok.reduce((a, b) => a + b, 0);
  const note = opts.limit === undefined ? `; ${failed} of ${files.length} models without faces left out` : '';
  return {
    train: all.subset(usable(wanted.train), 'kicad-points/train'),
    val: all.subset(usable(wanted.val), 'kicad-points/val'),
    test: all.subset(usable(wanted.test), 'kicad-points/test'),
    source: `KiCad 3D models (kicad-packages3d, ${root}), ${classNames.length} libraries with ≥ ${KICAD_MIN_MODELS} models, ${n} points per model${note}`,
    license: 'CC-BY-SA 4.0 with the KiCad libraries exception (never commit derived caches)',
  };
}
