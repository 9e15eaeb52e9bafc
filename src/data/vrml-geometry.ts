/**
 * Triangles of a parsed VRML scene in world coordinates: every IndexedFaceSet, with Transform nodes
 * applied (T·C·R·SR·S·SR⁻¹·C⁻¹), following Group/Transform/Anchor/Collision/Billboard children, Switch's
 * chosen child and LOD's first level. Faces (coordIndex runs ended by −1) are fan-triangulated. Other
 * geometry (IndexedLineSet, primitives) is ignored.
 */
import { VrmlError, type VrmlNode, type VrmlValue } from './vrml.js';

type Mat = Float64Array; // 4×4, row-major
const identity = (): Mat => Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
function mul(a: Mat, b: Mat): Mat {
  const o = new Float64Array(16);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += (a[r * 4 + k] as number) * (b[k * 4 + c] as number);
      o[r * 4 + c] = v;
    }
  return o;
}
function translate(x: number, y: number, z: number): Mat {
  const m = identity();
  [m[3], m[7], m[11]] = [x, y, z];
  return m;
}
function scaling(x: number, y: number, z: number): Mat {
  const m = identity();
  [m[0], m[5], m[10]] = [x, y, z];
  return m;
}
/** Rotation by `angle` about the axis (x, y, z) (Rodrigues); identity for a zero axis. */
function rotation(x: number, y: number, z: number, angle: number): Mat {
  const len = Math.hypot(x, y, z);
  if (len === 0 || angle === 0) return identity();
  [x, y, z] = [x / len, y / len, z / len];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return Float64Array.from([
    ...[t * x * x + c, t * x * y - s * z, t * x * z + s * y, 0],
    ...[t * x * y + s * z, t * y * y + c, t * y * z - s * x, 0],
    ...[t * x * z - s * y, t * y * z + s * x, t * z * z + c, 0],
    ...[0, 0, 0, 1],
  ]);
}

function vec(node: VrmlNode, field: string, fallback: number[]): number[] {
  const v = node.fields.get(field);
  return v instanceof Float64Array && v.length >= fallback.length ? Array.from(v.subarray(0, fallback.length)) : fallback;
}

function transformMatrix(n: VrmlNode): Mat {
  const [tx, ty, tz] = vec(n, 'translation', [0, 0, 0]) as [number, number, number];
  const [cx, cy, cz] = vec(n, 'center', [0, 0, 0]) as [number, number, number];
  const r = vec(n, 'rotation', [0, 0, 1, 0]) as [number, number, number, number];
  const so = vec(n, 'scaleOrientation', [0, 0, 1, 0]) as [number, number, number, number];
  const [sx, sy, sz] = vec(n, 'scale', [1, 1, 1]) as [number, number, number];
  let m = mul(translate(tx, ty, tz), translate(cx, cy, cz));
  m = mul(m, rotation(...r));
  m = mul(m, rotation(...so));
  m = mul(m, scaling(sx, sy, sz));
  m = mul(m, rotation(so[0], so[1], so[2], -so[3]));
  return mul(m, translate(-cx, -cy, -cz));
}

function children(value: VrmlValue | undefined): VrmlNode[] {
  if (Array.isArray(value)) return value.filter((n): n is VrmlNode => n !== null);
  return value && typeof value === 'object' && !(value instanceof Float64Array) ? [value] : [];
}

/** Appends the world-space triangles (9 numbers each) of an IndexedFaceSet to `out`. */
function faceSetTriangles(node: VrmlNode, m: Mat, out: number[]): void {
  const coord = node.fields.get('coord');
  const index = node.fields.get('coordIndex');
  if (!coord || typeof coord !== 'object' || coord instanceof Float64Array || Array.isArray(coord)) return;
  const pts = coord.fields.get('point');
  if (!(pts instanceof Float64Array) || !(index instanceof Float64Array)) return;
  const nv = Math.floor(pts.length / 3);
  const world = new Float64Array(nv * 3);
  for (let v = 0; v < nv; v++) {
    const [x, y, z] = [pts[3 * v] as number, pts[3 * v + 1] as number, pts[3 * v + 2] as number];
    for (let r = 0; r < 3; r++)
      world[3 * v + r] = (m[4 * r] as number) * x + (m[4 * r + 1] as number) * y + (m[4 * r + 2] as number) * z + (m[4 * r + 3] as number);
  }
  let faceStart = 0;
  for (let k = 0; k <= index.length; k++) {
    if (k < index.length && index[k] !== -1) continue;
    for (let j = faceStart + 1; j + 1 < k; j++) {
      const tri = [index[faceStart] as number, index[j] as number, index[j + 1] as number];
      if (tri.some((t) => t < 0 || t >= nv || !Number.isInteger(t))) continue;
      for (const t of tri) out.push(world[3 * t] as number, world[3 * t + 1] as number, world[3 * t + 2] as number);
    }
    faceStart = k + 1;
  }
}

/** All triangles of the scene in world coordinates, 9 floats (3 vertices) each. */
export function vrmlTriangles(roots: VrmlNode[]): Float32Array {
  const out: number[] = [];
  const visit = (n: VrmlNode, m: Mat, depth: number): void => {
    if (depth > 200) throw new VrmlError('scene graph nested deeper than 200 levels (a USE cycle?)', 0);
    switch (n.type) {
      case 'Transform': {
        const mt = mul(m, transformMatrix(n));
        for (const c of children(n.fields.get('children'))) visit(c, mt, depth + 1);
        return;
      }
      case 'Switch': {
        const which = n.fields.get('whichChoice');
        const k = which instanceof Float64Array && which.length ? (which[0] as number) : -1;
        const chosen = children(n.fields.get('choice'))[k];
        if (chosen) visit(chosen, m, depth + 1);
        return;
      }
      case 'LOD': {
        const first = children(n.fields.get('level'))[0];
        if (first) visit(first, m, depth + 1);
        return;
      }
      case 'Shape':
        for (const g of children(n.fields.get('geometry'))) if (g.type === 'IndexedFaceSet') faceSetTriangles(g, m, out);
        return;
      default:
        for (const c of children(n.fields.get('children'))) visit(c, m, depth + 1);
    }
  };
  for (const r of roots) visit(r, identity(), 0);
  return Float32Array.from(out);
}
