/**
 * Compiled column builders. For one {@link WriterSchema} this generates, once, JavaScript source for
 *
 * - `check(event)`: walks exactly the attributes of the schema, rejects anything it cannot store (an
 *   attribute the schema lacks, a value of the wrong type, a missing required base attribute) with
 *   the attribute's path, and otherwise returns the event's approximate size in bytes;
 * - `build(rows, start, end)`: fills Arrow buffers column by column (typed arrays, offsets, validity
 *   bitmaps; strings joined and encoded once per column), then hands them to Arrow with `makeData`.
 *
 * No apache-arrow builder, `vectorFromArray` or `tableFromJSON` is used: they are 6–20× slower on
 * nested OCSF rows (`../shared/docs/stack.md` §2). Rows given to `build` must have passed `check`.
 */
import { makeData, RecordBatch, Struct } from 'apache-arrow';
import type { Data, DataType, Schema } from 'apache-arrow';
import { parseIsoMillis } from '../core/time.js';
import { arrowType, toArrowSchema } from './schema-tree.js';
import type { ColumnField, ColumnType, WriterSchema } from './schema-tree.js';

/** Why an event does not fit its file schema: the attribute path (`resources[1].uid`) and the problem. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

export interface CompiledColumns {
  readonly schema: WriterSchema;
  readonly arrowSchema: Schema;
  /** Approximate in-memory size in bytes of a fitting event, or the first violation found. */
  check(event: unknown): number | SchemaViolation;
  /** Arrow record batch of `rows[start..end)` (every row already accepted by `check`). */
  build(rows: readonly unknown[], start?: number, end?: number): RecordBatch;
}

export function isViolation(x: number | SchemaViolation): x is SchemaViolation {
  return typeof x !== 'number';
}

const cache = new WeakMap<WriterSchema, CompiledColumns>();

/** Compiles (once per schema object) the checker and the column builder. */
export function compileColumns(schema: WriterSchema): CompiledColumns {
  const hit = cache.get(schema);
  if (hit) return hit;
  const compiled = new Compiler(schema).compile();
  cache.set(schema, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Column state: one per schema node, allocated per build call.

interface NodeState {
  /** Entries appended so far. */
  len: number;
  cap: number;
  nulls: number;
  /** Validity bitmap, 1 = valid. */
  v: Uint8Array;
  /** Offsets (utf8, json, list, map). */
  o: Int32Array;
  /** Fixed-width values: Int32Array (int32; int64/timestamp as lo/hi words), Float64Array, or a bitmap (bool). */
  d: Int32Array | Float64Array | Uint8Array;
  /** BigInt view over `d` for bigint int64 values. */
  d64: BigInt64Array | null;
  /** utf8/json: the valid strings in order, and the running UTF-16 length (offsets are fixed up at finish). */
  strs: string[];
  ns: number;
  clen: number;
}

interface NodeInfo {
  id: number;
  type: ColumnType;
  children: NodeInfo[];
}

function newState(info: NodeInfo, cap: number): NodeState {
  const kind = info.type.kind;
  const s: NodeState = {
    len: 0,
    cap,
    nulls: 0,
    v: new Uint8Array((cap + 7) >> 3),
    o: EMPTY_I32,
    d: EMPTY_I32,
    d64: null,
    strs: EMPTY_STRS,
    ns: 0,
    clen: 0,
  };
  switch (kind) {
    case 'utf8':
    case 'json':
      s.o = new Int32Array(cap + 1);
      s.strs = [];
      break;
    case 'list':
    case 'map':
      s.o = new Int32Array(cap + 1);
      break;
    case 'int32':
      s.d = new Int32Array(cap);
      break;
    case 'int64':
    case 'timestamp':
      s.d = new Int32Array(cap * 2);
      s.d64 = new BigInt64Array(s.d.buffer);
      break;
    case 'float64':
      s.d = new Float64Array(cap);
      break;
    case 'bool':
      s.d = new Uint8Array((cap + 7) >> 3);
      break;
  }
  return s;
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_STRS: string[] = [];

/** Doubles the capacity of a node state (called from generated code when `len === cap`). */
function grow(s: NodeState): void {
  const cap = Math.max(16, s.cap * 2);
  const v = new Uint8Array((cap + 7) >> 3);
  v.set(s.v);
  s.v = v;
  if (s.o.length > 0) {
    const o = new Int32Array(cap + 1);
    o.set(s.o);
    s.o = o;
  }
  if (s.d instanceof Int32Array && s.d64 !== null) {
    const d = new Int32Array(cap * 2);
    d.set(s.d);
    s.d = d;
    s.d64 = new BigInt64Array(d.buffer);
  } else if (s.d instanceof Int32Array && s.d.length > 0) {
    const d = new Int32Array(cap);
    d.set(s.d);
    s.d = d;
  } else if (s.d instanceof Float64Array) {
    const d = new Float64Array(cap);
    d.set(s.d);
    s.d = d;
  } else if (s.d instanceof Uint8Array) {
    const d = new Uint8Array((cap + 7) >> 3);
    d.set(s.d);
    s.d = d;
  }
  s.cap = cap;
}

/** UTF-16 units joined and encoded at a time: a string this size stays a young-generation object. */
const STRING_CHUNK = 32_768;

/**
 * Encodes the strings of a utf8 column into one buffer and fixes the offsets up to UTF-8 byte positions.
 * Strings are joined and encoded a chunk at a time: joining a whole column at once (the previous way) put
 * a string as large as the column on the V8 heap for every column of every batch — 15% of all the CloudTrail
 * pipeline allocated, much of it straight into the large-object space — and columns of long values
 * (`api.request.data`, `unmapped`) encoded 3× slower than by chunks (`npm run bench:e2e`, writer bench).
 */
function finishStrings(s: NodeState): Uint8Array {
  const strs = s.strs;
  const ns = s.ns;
  let out: Buffer;
  let b: number;
  if (s.clen <= STRING_CHUNK) {
    // One chunk: join and encode in one go (the fastest way for small columns, writer bench).
    out = Buffer.from(strs.join(''), 'utf8');
    b = out.length;
  } else {
    out = Buffer.allocUnsafe(s.clen); // enough when every character is ASCII
    b = 0;
    for (let k = 0; k < ns; ) {
      let end = k;
      let len = 0;
      while (end < ns && len < STRING_CHUNK) len += strs[end++]!.length;
      const chunk = end - k === 1 ? strs[k]! : strs.slice(k, end).join('');
      const bytes = Buffer.byteLength(chunk, 'utf8');
      if (b + bytes > out.length) {
        const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, b + bytes));
        out.copy(bigger, 0, 0, b);
        out = bigger;
      }
      out.write(chunk, b);
      b += bytes;
      k = end;
    }
  }
  if (b !== s.clen) {
    // Non-ASCII somewhere: the offsets counted UTF-16 units; recompute them string by string.
    const o = s.o;
    let k = 0;
    let at = 0;
    for (let i = 0; i < s.len; i++) {
      if ((s.v[i >> 3]! & (1 << (i & 7))) !== 0) at += Buffer.byteLength(strs[k++]!, 'utf8');
      o[i + 1] = at;
    }
  }
  return b === out.length ? out : out.subarray(0, b);
}

function jsonText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function countKeys(o: object): number {
  let c = 0;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for (const _ in o) c++;
  return c;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function violation(path: string, message: string): SchemaViolation {
  return { path, message };
}

/**
 * Finds the first key of `o` the schema does not know (called only when the key count is off); null when
 * every key is known (keys holding `undefined` are counted by `for...in` but are absent values).
 */
function unknownKey(o: Record<string, unknown>, known: ReadonlySet<string>, prefix: string, where: string): SchemaViolation | null {
  for (const k in o) {
    if (!known.has(k)) return violation(prefix + k, `attribute not in the Parquet schema of ${where}`);
  }
  return null;
}

const TWO32 = 4294967296;
const MIN64 = -(2n ** 63n);
const MAX64 = 2n ** 63n - 1n;

/** Runtime helpers the generated code closes over. */
const HELPERS = { grow, parseIsoMillis, jsonText, countKeys, typeName, violation, unknownKey, TWO32, MIN64, MAX64 };

// ---------------------------------------------------------------------------------------------
// Code generation.

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Compiler {
  private nodes: NodeInfo[] = [];
  private known: ReadonlySet<string>[] = [];
  private tmp = 0;
  constructor(private readonly schema: WriterSchema) {}

  compile(): CompiledColumns {
    const schema = this.schema;
    const roots = schema.fields.map((f) => this.node(f.type));
    const where = `${schema.source} ${schema.sourceVersion} (${schema.layout}${schema.layout === 'custom' ? ` class ${schema.classes[0]}` : ''})`;
    const checkSrc = this.checkSource(schema.fields, roots);
    const buildSrc = schema.fields.map((f, i) => this.buildSource(f, roots[i]!));
    const factory = new Function(
      'H',
      'KNOWN',
      'WHERE',
      `"use strict";
const { grow, parseIsoMillis, jsonText, countKeys, typeName, violation, unknownKey, TWO32, MIN64, MAX64 } = H;
return {
  check: ${checkSrc},
  builders: [${buildSrc.join(',\n')}],
};`,
    ) as (h: typeof HELPERS, known: ReadonlySet<string>[], where: string) => {
      check: (ev: unknown) => number | SchemaViolation;
      builders: ((rows: readonly unknown[], start: number, end: number, S: NodeState[]) => void)[];
    };
    const { check, builders } = factory(HELPERS, this.known, where);
    const nodes = this.nodes;
    const arrowSchema = toArrowSchema(schema);
    const topType = new Struct(arrowSchema.fields);

    function build(rows: readonly unknown[], start = 0, end = rows.length): RecordBatch {
      const n = end - start;
      const S: NodeState[] = new Array(nodes.length);
      for (const info of nodes) S[info.id] = newState(info, Math.max(n, 1));
      for (let i = 0; i < builders.length; i++) builders[i]!(rows, start, end, S);
      const children = roots.map((r) => finish(r, S));
      const data = makeData({ type: topType, length: n, nullCount: 0, children });
      return new RecordBatch(arrowSchema, data);
    }
    return { schema, arrowSchema, check, build };
  }

  private node(type: ColumnType): NodeInfo {
    const info: NodeInfo = { id: this.nodes.length, type, children: [] };
    this.nodes.push(info);
    if (type.kind === 'struct') info.children = type.fields.map((f) => this.node(f.type));
    else if (type.kind === 'list') info.children = [this.node(type.item)];
    else if (type.kind === 'map') info.children = [this.node({ kind: 'utf8' }), this.node({ kind: 'utf8' })];
    return info;
  }

  private v(prefix: string): string {
    return `${prefix}${this.tmp++}`;
  }

  // ----- check -----

  private checkSource(fields: readonly ColumnField[], roots: NodeInfo[]): string {
    const knownIdx = this.known.length;
    this.known.push(new Set(fields.map((f) => f.name)));
    const lines: string[] = [];
    lines.push('function check(ev) {');
    lines.push(`if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) return violation('', 'the event is not an object');`);
    lines.push('let size = 0; let seen = 0;');
    fields.forEach((f, i) => lines.push(this.checkField('ev', f, roots[i]!, '""')));
    lines.push(`if (seen !== countKeys(ev)) { const u = unknownKey(ev, KNOWN[${knownIdx}], '', WHERE); if (u !== null) return u; }`);
    lines.push('return size; }');
    return lines.join('\n');
  }

  /** Code checking attribute `f` of object variable `obj`; `prefix` is a JS expression for the path prefix. */
  private checkField(obj: string, f: ColumnField, info: NodeInfo, prefix: string): string {
    if (!IDENT.test(f.name)) throw new Error(`invalid column name ${JSON.stringify(f.name)}`);
    const x = this.v('x');
    const path = `${prefix} + ${JSON.stringify(f.name)}`;
    const missing = f.nullable ? '' : ` else return violation(${path}, 'required attribute is missing');`;
    const isNull = f.nullable ? '' : ` else return violation(${path}, 'required attribute is null');`;
    return `{ const ${x} = ${obj}[${JSON.stringify(f.name)}];
if (${x} !== undefined) { seen++; if (${x} !== null) {
${this.checkValue(x, info, path)}
}${isNull} }${missing} }`;
  }

  /** Code checking a non-null value in variable `x` against node `info`; `path` is a JS expression. */
  private checkValue(x: string, info: NodeInfo, path: string): string {
    const t = info.type;
    const bad = (what: string) => `return violation(${path}, 'expected ${what}, got ' + typeName(${x}));`;
    switch (t.kind) {
      case 'utf8':
        return `if (typeof ${x} !== 'string') ${bad('a string')} size += ${x}.length + 4;`;
      case 'json': {
        const j = this.v('j');
        return `const ${j} = jsonText(${x}); if (${j} === undefined) return violation(${path}, 'value is not JSON-serializable'); size += ${j}.length + 4;`;
      }
      case 'int32':
        return `if (typeof ${x} !== 'number' || (${x} | 0) !== ${x}) return violation(${path}, 'expected a 32-bit integer, got ' + (typeof ${x} === 'number' ? String(${x}) : typeName(${x}))); size += 4;`;
      case 'int64':
        return `if (typeof ${x} === 'number') { if (!Number.isSafeInteger(${x})) return violation(${path}, 'expected a 64-bit integer, got ' + String(${x})); }
else if (typeof ${x} === 'bigint') { if (${x} < MIN64 || ${x} > MAX64) return violation(${path}, 'integer out of the 64-bit range'); }
else ${bad('a 64-bit integer')} size += 8;`;
      case 'float64':
        return `if (typeof ${x} !== 'number' || !Number.isFinite(${x})) ${bad('a finite number')} size += 8;`;
      case 'bool':
        return `if (typeof ${x} !== 'boolean') ${bad('a boolean')} size += 1;`;
      case 'timestamp':
        return `if (typeof ${x} !== 'string') ${bad('an RFC 3339 timestamp string')}
if (Number.isNaN(parseIsoMillis(${x}))) return violation(${path}, 'not an RFC 3339 timestamp: ' + JSON.stringify(${x}.slice(0, 40))); size += 8;`;
      case 'struct': {
        const knownIdx = this.known.length;
        this.known.push(new Set(t.fields.map((f) => f.name)));
        const prefix = `${path} + "."`;
        const body = t.fields.map((f, i) => this.checkField(x, f, info.children[i]!, prefix)).join('\n');
        return `if (typeof ${x} !== 'object' || Array.isArray(${x})) ${bad('an object')}
{ let seen = 0;
${body}
if (seen !== countKeys(${x})) { const u = unknownKey(${x}, KNOWN[${knownIdx}], ${prefix}, WHERE); if (u !== null) return u; } }`;
      }
      case 'list': {
        const i = this.v('i');
        const e = this.v('e');
        const ePath = `${path} + "[" + ${i} + "]"`;
        return `if (!Array.isArray(${x})) ${bad('an array')}
size += 4;
for (let ${i} = 0; ${i} < ${x}.length; ${i}++) { const ${e} = ${x}[${i}];
if (${e} === null || ${e} === undefined) return violation(${ePath}, 'null array element');
${this.checkValue(e, info.children[0]!, ePath)} }`;
      }
      case 'map': {
        const k = this.v('k');
        const e = this.v('e');
        return `if (typeof ${x} !== 'object' || Array.isArray(${x})) ${bad('an object of strings')}
for (const ${k} in ${x}) { const ${e} = ${x}[${k}];
if (typeof ${e} !== 'string') return violation(${path} + "[" + JSON.stringify(${k}) + "]", 'expected a string value, got ' + typeName(${e}));
size += ${k}.length + ${e}.length + 8; }`;
      }
    }
  }

  // ----- build -----

  private buildSource(f: ColumnField, info: NodeInfo): string {
    const decls = this.stateDecls(info);
    const x = this.v('x');
    return `function build_${f.name}(rows, start, end, S) {
${decls}
for (let r = start; r < end; r++) { const ${x} = rows[r][${JSON.stringify(f.name)}];
${this.appendValue(x, info)}
} }`;
  }

  private stateDecls(info: NodeInfo): string {
    const out = [`const s${info.id} = S[${info.id}];`];
    for (const c of info.children) out.push(this.stateDecls(c));
    return out.join('\n');
  }

  /** Code appending the value in `x` (possibly undefined/null = null entry) to node `info`. */
  private appendValue(x: string, info: NodeInfo): string {
    const s = `s${info.id}`;
    const t = info.type;
    const head = `if (${s}.len === ${s}.cap) grow(${s});`;
    const valid = `${s}.v[${s}.len >> 3] |= 1 << (${s}.len & 7);`;
    switch (t.kind) {
      case 'utf8':
      case 'json': {
        const str = t.kind === 'json' ? `jsonText(${x})` : x;
        const y = this.v('y');
        return `${head} if (${x} === undefined || ${x} === null) { ${s}.nulls++; ${s}.o[${s}.len + 1] = ${s}.clen; }
else { const ${y} = ${str}; ${s}.strs[${s}.ns++] = ${y}; ${s}.clen += ${y}.length; ${s}.o[${s}.len + 1] = ${s}.clen; ${valid} }
${s}.len++;`;
      }
      case 'int32':
        return `${head} if (${x} === undefined || ${x} === null) ${s}.nulls++; else { ${s}.d[${s}.len] = ${x}; ${valid} } ${s}.len++;`;
      case 'float64':
        return `${head} if (${x} === undefined || ${x} === null) ${s}.nulls++; else { ${s}.d[${s}.len] = ${x}; ${valid} } ${s}.len++;`;
      case 'bool':
        return `${head} if (${x} === undefined || ${x} === null) ${s}.nulls++; else { if (${x}) ${s}.d[${s}.len >> 3] |= 1 << (${s}.len & 7); ${valid} } ${s}.len++;`;
      case 'int64':
      case 'timestamp': {
        const n = this.v('n');
        const hi = this.v('hi');
        const num = t.kind === 'timestamp' ? `parseIsoMillis(${x})` : x;
        return `${head} if (${x} === undefined || ${x} === null) ${s}.nulls++;
else { ${t.kind === 'int64' ? `if (typeof ${x} === 'bigint') ${s}.d64[${s}.len] = ${x}; else ` : ''}{ const ${n} = ${num}; const ${hi} = Math.floor(${n} / TWO32); ${s}.d[${s}.len * 2] = (${n} - ${hi} * TWO32) | 0; ${s}.d[${s}.len * 2 + 1] = ${hi} | 0; }
${valid} }
${s}.len++;`;
      }
      case 'struct': {
        const isNull = this.v('z');
        const parts = t.fields.map((f, i) => {
          const c = this.v('c');
          return `{ const ${c} = ${isNull} ? undefined : ${x}[${JSON.stringify(f.name)}];
${this.appendValue(c, info.children[i]!)} }`;
        });
        return `${head} const ${isNull} = ${x} === undefined || ${x} === null;
if (${isNull}) ${s}.nulls++; else ${valid}
${parts.join('\n')}
${s}.len++;`;
      }
      case 'list': {
        const child = info.children[0]!;
        const i = this.v('i');
        const e = this.v('e');
        return `${head} if (${x} === undefined || ${x} === null) { ${s}.nulls++; ${s}.o[${s}.len + 1] = ${s}.o[${s}.len]; }
else { for (let ${i} = 0; ${i} < ${x}.length; ${i}++) { const ${e} = ${x}[${i}];
${this.appendValue(e, child)} }
${s}.o[${s}.len + 1] = s${child.id}.len; ${valid} }
${s}.len++;`;
      }
      case 'map': {
        const [key, val] = info.children as [NodeInfo, NodeInfo];
        const k = this.v('k');
        const e = this.v('e');
        return `${head} if (${x} === undefined || ${x} === null) { ${s}.nulls++; ${s}.o[${s}.len + 1] = ${s}.o[${s}.len]; }
else { for (const ${k} in ${x}) { const ${e} = ${x}[${k}];
${this.appendValue(k, key)}
${this.appendValue(e, val)} }
${s}.o[${s}.len + 1] = s${key.id}.len; ${valid} }
${s}.len++;`;
      }
    }
  }
}

/** Turns a node's filled state into Arrow `Data`. */
function finish(info: NodeInfo, S: NodeState[]): Data {
  const s = S[info.id]!;
  const t = info.type;
  const type: DataType = arrowType(t);
  const length = s.len;
  const nullCount = s.nulls;
  const nullBitmap = nullCount > 0 ? s.v.subarray(0, (length + 7) >> 3) : undefined;
  switch (t.kind) {
    case 'utf8':
    case 'json': {
      const data = finishStrings(s);
      return makeData({ type: type as never, length, nullCount, nullBitmap, valueOffsets: s.o.subarray(0, length + 1), data });
    }
    case 'int32':
    case 'float64':
      return makeData({ type: type as never, length, nullCount, nullBitmap, data: s.d.subarray(0, length) as never });
    case 'int64':
    case 'timestamp':
      return makeData({ type: type as never, length, nullCount, nullBitmap, data: (s.d as Int32Array).subarray(0, length * 2) as never });
    case 'bool':
      return makeData({ type: type as never, length, nullCount, nullBitmap, data: (s.d as Uint8Array).subarray(0, (length + 7) >> 3) as never });
    case 'struct':
      return makeData({ type: type as never, length, nullCount, nullBitmap, children: info.children.map((c) => finish(c, S)) });
    case 'list':
      return makeData({ type: type as never, length, nullCount, nullBitmap, valueOffsets: s.o.subarray(0, length + 1), child: finish(info.children[0]!, S) });
    case 'map': {
      const [k, v] = info.children as [NodeInfo, NodeInfo];
      const entriesType = (type as unknown as { children: { type: DataType }[] }).children[0]!.type;
      const entries = makeData({ type: entriesType as never, length: S[k.id]!.len, nullCount: 0, children: [finish(k, S), finish(v, S)] });
      return makeData({ type: type as never, length, nullCount, nullBitmap, valueOffsets: s.o.subarray(0, length + 1), child: entries });
    }
  }
}
