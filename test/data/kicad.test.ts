// KiCad point clouds: the VRML parser and scene walker on a hand-written scene (Transform, DEF/USE,
// Switch, a quad face, a line set to ignore), the area-weighted surface sampler, and the real models
// when they are installed.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { loadDataset } from '../../src/data/index.js';
import { parseVrml, VrmlError } from '../../src/data/vrml.js';
import { vrmlTriangles } from '../../src/data/vrml-geometry.js';
import { sampleMeshSurface } from '../../src/data/mesh-sample.js';
import { realData } from './gate.js';

const SCENE = `#VRML V2.0 utf8
# a comment with { braces [
Shape { appearance Appearance { material DEF MAT Material { diffuseColor 0.1 0.2 0.3 transparency 0.0 } }
  geometry IndexedFaceSet { creaseAngle 0.50 coordIndex [0,1,2,3,-1]
    coord DEF C Coordinate { point [0 0 0, 1 0 0, 1 1 0, 0 1 0] } } }
Transform { translation 10 0 0 scale 2 2 2 children [
  Shape { appearance Appearance { material USE MAT } geometry IndexedFaceSet { coord USE C coordIndex [0 1 2 -1] } }
  Switch { whichChoice 1 choice [
    Shape { geometry IndexedFaceSet { coord USE C coordIndex [0,1,3] } }
    Shape { geometry IndexedFaceSet { coord Coordinate { point [0 0 1e0, 1 0 +1, 0 1.0 1] } coordIndex [0,1,2] } } ] }
  Shape { geometry IndexedLineSet { coord USE C coordIndex [0,1,-1] } }
] }
Transform { rotation 0 0 1 1.5707963267948966 children Shape { geometry IndexedFaceSet { coord USE C coordIndex [0,1,2] } } }
`;

describe('VRML reader', () => {
  it('collects fan-triangulated faces in world coordinates', () => {
    const tris = Array.from(vrmlTriangles(parseVrml(SCENE)), (v) => Math.round(v * 1e5) / 1e5 + 0);
    const expected = [
      [0, 0, 0, 1, 0, 0, 1, 1, 0], // quad, first fan triangle
      [0, 0, 0, 1, 1, 0, 0, 1, 0], // quad, second fan triangle
      [10, 0, 0, 12, 0, 0, 12, 2, 0], // scaled by 2, moved by 10 along x
      [10, 0, 2, 12, 0, 2, 10, 2, 2], // the Switch's chosen child only
      [0, 0, 0, 0, 1, 0, -1, 1, 0], // rotated 90° about z
    ];
    expect(tris).toEqual(expected.flat());
  });

  it('reports malformed input with an offset', () => {
    expect(() => parseVrml('Shape { geometry IndexedFaceSet { coordIndex [0 1 2')).toThrow(VrmlError);
    expect(() => parseVrml('Shape { geometry IndexedFaceSet { coordIndex [0 1 2')).toThrow(/unterminated '\['/);
    expect(() => parseVrml('Shape geometry')).toThrow(/expected '\{'/);
    expect(() => parseVrml('Coordinate { point [1 - 2] }')).toThrow(/malformed number/);
  });
});

describe('mesh surface sampling', () => {
  // Two triangles: area 0.5 at z = 0 and area 1.5 at z = 10.
  const mesh = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 10, 3, 0, 10, 0, 1, 10]);

  it('samples by area, centres and scales into the unit sphere, deterministically', () => {
    const pts = sampleMeshSurface(mesh, 4000, new Rng(1));
    expect(pts.length).toBe(12000);
    let top = 0;
    let maxNorm = 0;
    const mean = [0, 0, 0];
    for (let k = 0; k < 4000; k++) {
      const [x, y, z] = [pts[3 * k] as number, pts[3 * k + 1] as number, pts[3 * k + 2] as number];
      maxNorm = Math.max(maxNorm, Math.hypot(x, y, z));
      if (z > 0) top++;
      mean[0] += x / 4000;
      mean[1] += y / 4000;
      mean[2] += z / 4000;
    }
    expect(top / 4000).toBeGreaterThan(0.72);
    expect(top / 4000).toBeLessThan(0.78);
    expect(maxNorm).toBeCloseTo(1, 5);
    for (const m of mean) expect(Math.abs(m)).toBeLessThan(1e-5);
    expect(Array.from(sampleMeshSurface(mesh, 50, new Rng(1)))).toEqual(Array.from(sampleMeshSurface(mesh, 50, new Rng(1))));
    expect(Array.from(sampleMeshSurface(mesh, 50, new Rng(2)))).not.toEqual(Array.from(sampleMeshSurface(mesh, 50, new Rng(1))));
  });

  it('keeps points inside their triangle, falls back to vertices for zero area, and refuses an empty mesh', () => {
    const square = Float32Array.from([0, 0, 0, 2, 0, 0, 2, 2, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0]);
    const pts = sampleMeshSurface(square, 200, new Rng(3));
    for (let k = 0; k < 200; k++) expect(pts[3 * k + 2]).toBe(0);
    const flat = sampleMeshSurface(Float32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]), 30, new Rng(4));
    expect(new Set(Array.from({ length: 30 }, (_, k) => (flat[3 * k] as number).toFixed(4))).size).toBeLessThanOrEqual(3);
    expect(() => sampleMeshSurface(new Float32Array(0), 4, new Rng(5))).toThrow(/no triangles/);
  });
});

const kicad = realData('kicad-points');
describe.skipIf(kicad.skip)(kicad.title, () => {
  it('samples real models into unit-sphere clouds, one class per library', () => {
    expect(kicad.missing).toBeNull();
    const s = loadDataset('kicad-points', { limit: 4, numPoints: 64, seed: 1 });
    expect(s.train.classNames.length).toBeGreaterThanOrEqual(30);
    expect(s.train.classNames).toContain('Capacitor_THT');
    for (const d of [s.train, s.val, s.test]) {
      expect(d.size).toBeGreaterThan(0);
      expect(d.size).toBeLessThanOrEqual(4);
      const b = d.getBatch(Array.from({ length: d.size }, (_, i) => i));
      expect(b.shape).toEqual([d.size, 64, 3]);
      for (let k = 0; k < b.x.length / 3; k++)
        expect(Math.hypot(b.x[3 * k] as number, b.x[3 * k + 1] as number, b.x[3 * k + 2] as number)).toBeLessThanOrEqual(1 + 1e-5);
    }
    const again = loadDataset('kicad-points', { limit: 4, numPoints: 64, seed: 1 });
    expect(Array.from(again.test.getBatch([0]).x)).toEqual(Array.from(s.test.getBatch([0]).x));
  });
});
