/**
 * A small VRML 2.0 (VRML97) parser for the KiCad 3D models: reads the scene graph generically (nodes,
 * fields, DEF/USE; numbers parsed by hand for speed) into plain objects. vrml-geometry.ts turns the
 * result into triangles.
 */

/** A parse failure, with the character offset. */
export class VrmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`VRML: ${message} at character ${offset}`);
    this.name = 'VrmlError';
  }
}

/** A parsed node: its type and fields. */
export interface VrmlNode {
  type: string;
  fields: Map<string, VrmlValue>;
}
/** A field value: numbers (single or list), nodes, strings or a boolean. */
export type VrmlValue = Float64Array | VrmlNode | Array<VrmlNode | null> | string | boolean | null;

const WS = new Uint8Array(128);
for (const c of ' \t\r\n,') WS[c.charCodeAt(0)] = 1;
const DELIM = new Uint8Array(128);
for (const c of ' \t\r\n,{}[]#"') DELIM[c.charCodeAt(0)] = 1;
const POW10 = Array.from({ length: 61 }, (_, k) => Math.pow(10, k - 30));

class Parser {
  i = 0;
  readonly defs = new Map<string, VrmlNode | null>();
  constructor(readonly s: string) {}

  skip(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c < 128 && WS[c]) this.i++;
      else if (c === 35 /* # */) {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl + 1;
      } else return;
    }
  }

  word(): string {
    this.skip();
    const start = this.i;
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c < 128 && DELIM[c]) break;
      this.i++;
    }
    if (this.i === start) throw new VrmlError(`expected a name, found ${JSON.stringify(this.s.charAt(this.i) || 'end of file')}`, start);
    return this.s.slice(start, this.i);
  }

  expect(ch: string): void {
    this.skip();
    if (this.s[this.i] !== ch)
      throw new VrmlError(`expected '${ch}', found ${JSON.stringify(this.s.charAt(this.i) || 'end of file')}`, this.i);
    this.i++;
  }

  isNumberStart(): boolean {
    const c = this.s.charCodeAt(this.i);
    return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;
  }

  number(): number {
    const s = this.s;
    const start = this.i;
    let sign = 1;
    let c = s.charCodeAt(this.i);
    if (c === 45 || c === 43) {
      if (c === 45) sign = -1;
      c = s.charCodeAt(++this.i);
    }
    let mant = 0;
    let exp = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digits++;
      c = s.charCodeAt(++this.i);
    }
    if (c === 46) {
      c = s.charCodeAt(++this.i);
      while (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        exp--;
        digits++;
        c = s.charCodeAt(++this.i);
      }
    }
    if (digits === 0) throw new VrmlError(`malformed number ${JSON.stringify(s.slice(start, start + 12))}`, start);
    if (c === 101 || c === 69) {
      let esign = 1;
      let e = 0;
      c = s.charCodeAt(++this.i);
      if (c === 45 || c === 43) {
        if (c === 45) esign = -1;
        c = s.charCodeAt(++this.i);
      }
      while (c >= 48 && c <= 57) {
        e = e * 10 + (c - 48);
        c = s.charCodeAt(++this.i);
      }
      exp += esign * e;
    }
    if (digits > 15) return sign * Number(s.slice(start, this.i).replace(/^[+-]/, ''));
    return sign * mant * (exp >= -30 && exp <= 30 ? (POW10[exp + 30] as number) : Math.pow(10, exp));
  }

  numbers(into: number[]): void {
    for (;;) {
      this.skip();
      if (!this.isNumberStart()) return;
      into.push(this.number());
    }
  }

  value(): VrmlValue {
    this.skip();
    const c = this.s[this.i];
    if (c === '[') {
      this.i++;
      const nums: number[] = [];
      const nodes: Array<VrmlNode | null> = [];
      for (;;) {
        this.numbers(nums);
        if (this.s[this.i] === ']') break;
        if (this.i >= this.s.length) throw new VrmlError("unterminated '['", this.i);
        if (this.s[this.i] === '"') this.string();
        else nodes.push(this.node());
      }
      this.i++;
      return nodes.length ? nodes : Float64Array.from(nums);
    }
    if (c === '"') return this.string();
    if (this.isNumberStart()) {
      const nums: number[] = [];
      this.numbers(nums);
      return Float64Array.from(nums);
    }
    const save = this.i;
    const w = this.word();
    if (w === 'TRUE' || w === 'FALSE') return w === 'TRUE';
    if (w === 'NULL') return null;
    this.i = save;
    return this.node();
  }

  string(): string {
    const start = ++this.i;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) throw new VrmlError('unterminated string', start - 1);
    return this.s.slice(start, this.i++);
  }

  node(): VrmlNode | null {
    const w = this.word();
    if (w === 'USE') return this.defs.get(this.word()) ?? null;
    if (w === 'DEF') {
      const name = this.word();
      const n = this.node();
      this.defs.set(name, n);
      return n;
    }
    const node: VrmlNode = { type: w, fields: new Map() };
    this.expect('{');
    for (;;) {
      this.skip();
      if (this.s[this.i] === '}') break;
      if (this.i >= this.s.length) throw new VrmlError(`unterminated node ${w}`, this.i);
      const field = this.word();
      node.fields.set(field, this.value());
    }
    this.i++;
    return node;
  }

  scene(): VrmlNode[] {
    const roots: VrmlNode[] = [];
    for (;;) {
      this.skip();
      if (this.i >= this.s.length) return roots;
      const n = this.node();
      if (n) roots.push(n);
    }
  }
}

/** Parses VRML 2.0 text into its root nodes. */
export function parseVrml(text: string): VrmlNode[] {
  return new Parser(text).scene();
}
