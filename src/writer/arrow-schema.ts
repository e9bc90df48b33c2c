/**
 * Derives the Parquet (Arrow) file schemas from the generated OCSF JSON Schemas in `schemas/` and the
 * attribute paths each source declares (`SourceVersionSpec.attributes`):
 *
 * - native layout: one schema per (source, source version), the union of the classes the source emits
 *   (like Security Lake's own tables, e.g. CloudTrail's API Activity + Authentication + Account Change);
 * - custom layout: one schema per (source, source version, class), Security Lake's one-class-per-object rule.
 *
 * Columns are exactly the declared attributes (plus the base attributes every event carries), typed as
 * Security Lake's tables type them (security-lake.md §3.6, §4): `time` and the other epoch-ms `*_time`
 * int64, `*_dt` timestamp(ms, UTC), `type_uid` int32 in 1.0.0-rc.2 and int64 in 1.1.0, other integers
 * int32 except OCSF `long_t` (bytes, packets, size, ...) int64, floats double, `unmapped` map<utf8,utf8>,
 * json_t attributes utf8 (JSON text), objects structs, arrays lists. Column order is deterministic: the
 * base attributes first in a fixed order, then the rest by name; struct fields by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/package-data.js';
import { getSource } from '../core/source.js';
import type { SourceDefinition } from '../core/source.js';
import type { OcsfVersion, SourceVersion } from '../core/types.js';
import { fingerprintOf } from './schema-tree.js';
import type { ColumnField, ColumnType, Layout, WriterSchema } from './schema-tree.js';

/** A configuration problem found while deriving a schema (thrown at setup, never per event). */
export class SchemaDerivationError extends Error {
  override name = 'SchemaDerivationError';
}

/** Base attributes of every OCSF event, in the column order they take at the start of each schema. */
export const BASE_COLUMNS = [
  'time',
  'time_dt',
  'class_uid',
  'class_name',
  'category_uid',
  'category_name',
  'activity_id',
  'activity_name',
  'type_uid',
  'type_name',
  'severity_id',
  'severity',
  'metadata',
] as const;

/** Implicitly declared for every source: the base attributes and their caption siblings (`metadata` as its version). */
const IMPLICIT_ATTRIBUTES: readonly string[] = [...(BASE_COLUMNS as readonly string[]).filter((c) => c !== 'time_dt' && c !== 'metadata'), 'metadata.version'];

/** Top-level attributes that are NOT NULL when every class of the schema requires them (Security Lake's required columns). */
const NON_NULL_CANDIDATES = new Set(['time', 'class_uid', 'category_uid', 'activity_id', 'type_uid', 'severity_id', 'metadata']);

/**
 * OCSF `long_t` attributes (8-byte integers) by version. The generated JSON Schemas type integer_t,
 * long_t and timestamp_t all as `integer`; until they carry the OCSF type as an `x-ocsf-type`
 * annotation (which, when present, takes precedence), the width comes from this list, from the
 * timestamp_t naming rule (`time`, `*_time`) and from `type_uid` (integer_t in rc.2, long_t in 1.1.0).
 * `test/writer/arrow-schema.test.ts` proves the rule equal to the compiled OCSF exports in ../shared.
 */
const LONG_T: Record<string, ReadonlySet<string>> = {
  '1.0.0-rc.2': new Set([
    'bytes',
    'bytes_in',
    'bytes_out',
    'cpu_average',
    'cpu_idle',
    'cpu_system',
    'cpu_user',
    'mem_allocated',
    'mem_free',
    'mem_max',
    'packets',
    'packets_in',
    'packets_out',
    'size',
  ]),
  '1.1.0': new Set(['bytes', 'bytes_in', 'bytes_out', 'chunks', 'chunks_in', 'chunks_out', 'packets', 'packets_in', 'packets_out', 'size', 'type_uid']),
};

/** Width of an integer attribute (exported for the cross-check test). */
export function integerKind(name: string, ocsfVersion: string, node?: JsonSchema): 'int32' | 'int64' {
  const annotated = node?.['x-ocsf-type'];
  if (typeof annotated === 'string') return annotated === 'long_t' || annotated === 'timestamp_t' ? 'int64' : 'int32';
  if (name === 'time' || name.endsWith('_time')) return 'int64';
  if (name === 'type_uid') return ocsfVersion === '1.0.0-rc.2' ? 'int32' : 'int64';
  const longs = LONG_T[ocsfVersion] ?? LONG_T['1.1.0']!;
  return longs.has(name) ? 'int64' : 'int32';
}

// ---------------------------------------------------------------------------------------------
// The generated JSON Schemas.

export interface JsonSchema {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  format?: string;
  $defs?: Record<string, JsonSchema>;
  [k: string]: unknown;
}

interface SchemaIndex {
  versions: Record<string, Record<string, { class_name: string; variants: Record<string, string> }>>;
}

export interface SchemaSource {
  /** Folder with `index.json` and `<version>/*.json` (default: the package's `schemas/`). */
  schemasDir?: string;
}

const jsonCache = new Map<string, unknown>();
function readJson<T>(path: string): T {
  let v = jsonCache.get(path);
  if (v === undefined) {
    v = JSON.parse(readFileSync(path, 'utf8'));
    jsonCache.set(path, v);
  }
  return v as T;
}

/**
 * The class JSON Schema for (OCSF version, class_uid, profiles) from `schemas/index.json`. When that
 * exact profile set was not generated, the largest generated set contained in it is used (e.g. a source
 * declaring `cloud,datetime,linux` for a class generated only with `cloud,datetime`): attributes of the
 * missing profiles are then not columns, so events holding them are rejected, never dropped.
 */
export function classJsonSchema(ocsfVersion: string, classUid: number, profiles: readonly string[], src: SchemaSource = {}): JsonSchema {
  return readJson<JsonSchema>(join(schemasDirOf(src), classSchemaFile(ocsfVersion, classUid, profiles, src).file));
}

function schemasDirOf(src: SchemaSource): string {
  return src.schemasDir ?? join(PACKAGE_ROOT, 'schemas');
}

/** Which generated file serves (version, class, profiles), and with which profile set. */
export function classSchemaFile(ocsfVersion: string, classUid: number, profiles: readonly string[], src: SchemaSource = {}): { file: string; profiles: string[] } {
  const index = readJson<SchemaIndex>(join(schemasDirOf(src), 'index.json'));
  const byClass = index.versions[ocsfVersion];
  if (!byClass) throw new SchemaDerivationError(`no OCSF JSON Schemas for version ${ocsfVersion} (have ${Object.keys(index.versions).join(', ')})`);
  const entry = byClass[String(classUid)];
  if (!entry) throw new SchemaDerivationError(`no OCSF JSON Schema for class ${classUid} in ${ocsfVersion} (add it to src/schemas/targets.ts)`);
  const wanted = [...new Set(profiles)].sort();
  const exact = entry.variants[wanted.join(',')];
  if (exact) return { file: exact, profiles: wanted };
  const subsets = Object.keys(entry.variants)
    .map((k) => (k === '' ? [] : k.split(',')))
    .filter((set) => set.every((p) => wanted.includes(p)))
    .sort((a, b) => b.length - a.length);
  if (subsets.length === 0 || subsets[0]!.length === 0) {
    throw new SchemaDerivationError(
      `no ${ocsfVersion} ${entry.class_name} schema for profiles [${wanted.join(',')}] (have ${Object.keys(entry.variants).map((k) => `[${k}]`).join(', ')})`,
    );
  }
  return { file: entry.variants[subsets[0]!.join(',')]!, profiles: subsets[0]! };
}

// ---------------------------------------------------------------------------------------------
// Derivation.

/** Declared attribute paths as a tree: `actor.user.name` → actor → user → name. */
interface PathTrie {
  children: Map<string, PathTrie>;
  /** The path itself was declared (not only as a prefix of a longer one). */
  declared: boolean;
}

function buildTrie(paths: readonly string[]): PathTrie {
  const root: PathTrie = { children: new Map(), declared: false };
  for (const raw of paths) {
    if (typeof raw !== 'string' || raw.length === 0) throw new SchemaDerivationError(`invalid attribute path ${JSON.stringify(raw)}`);
    let node = root;
    for (const seg of raw.split('.')) {
      const name = seg.endsWith('[]') ? seg.slice(0, -2) : seg;
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new SchemaDerivationError(`invalid attribute path ${JSON.stringify(raw)} (segment ${JSON.stringify(seg)})`);
      let next = node.children.get(name);
      if (!next) node.children.set(name, (next = { children: new Map(), declared: false }));
      node = next;
    }
    node.declared = true;
  }
  return root;
}

class ClassResolver {
  constructor(
    private readonly root: JsonSchema,
    private readonly ocsfVersion: string,
  ) {}

  deref(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let i = 0; cur.$ref !== undefined && i < 8; i++) {
      const m = /^#\/\$defs\/(.+)$/.exec(cur.$ref);
      const def = m ? this.root.$defs?.[m[1]!] : undefined;
      if (!def) throw new SchemaDerivationError(`unresolvable $ref ${cur.$ref}`);
      cur = def;
    }
    return cur;
  }

  /** Column type of attribute `name` (schema `s`) restricted to the declared sub-paths in `trie`. */
  typeOf(name: string, s: JsonSchema, trie: PathTrie, path: string, missing: Set<string>): ColumnType | undefined {
    const node = this.deref(s);
    if (node.type === 'array' || node.items !== undefined) {
      if (!node.items) throw new SchemaDerivationError(`${path}: array without items`);
      const item = this.typeOf(name, node.items, trie, path + '[]', missing);
      return item && { kind: 'list', item };
    }
    if (node.properties !== undefined) {
      if (trie.children.size === 0) return this.expandScalars(node, path);
      const fields: ColumnField[] = [];
      for (const [child, sub] of trie.children) {
        const p = node.properties[child];
        if (p === undefined) {
          missing.add(`${path}.${child}`);
          continue;
        }
        const t = this.typeOf(child, p, sub, `${path}.${child}`, missing);
        if (t) fields.push({ name: child, type: t, nullable: true });
      }
      return fields.length === 0 ? undefined : { kind: 'struct', fields: sortFields(fields) };
    }
    if (trie.children.size > 0) {
      for (const child of trie.children.keys()) missing.add(`${path}.${child}`);
      return undefined;
    }
    return this.leaf(name, node, path);
  }

  /** A declared object with no declared sub-attributes: its scalar attributes (and lists of scalars). */
  private expandScalars(node: JsonSchema, path: string): ColumnType {
    const fields: ColumnField[] = [];
    for (const [name, p] of Object.entries(node.properties ?? {})) {
      const d = this.deref(p);
      const item = d.type === 'array' && d.items ? this.deref(d.items) : undefined;
      if (d.properties !== undefined || (item && item.properties !== undefined)) continue;
      const leaf = item ? this.leaf(name, item, `${path}.${name}[]`) : this.leaf(name, d, `${path}.${name}`);
      fields.push({ name, type: item ? { kind: 'list', item: leaf } : leaf, nullable: true });
    }
    if (fields.length === 0) throw new SchemaDerivationError(`${path} is an object without scalar attributes: declare the sub-attributes the mapper sets`);
    return { kind: 'struct', fields: sortFields(fields) };
  }

  private leaf(name: string, node: JsonSchema, path: string): ColumnType {
    const type = node.type;
    if (type === 'object') {
      const ap = node.additionalProperties;
      if (ap && typeof ap === 'object' && this.deref(ap).type === 'string') return { kind: 'map' };
      return { kind: 'json' };
    }
    if (type === undefined) return { kind: 'json' }; // json_t
    if (Array.isArray(type)) throw new SchemaDerivationError(`${path}: union type ${type.join('|')} has no column type`);
    switch (type) {
      case 'string':
        return node.format === 'date-time' || name.endsWith('_dt') ? { kind: 'timestamp' } : { kind: 'utf8' };
      case 'integer':
        return { kind: integerKind(name, this.ocsfVersion, node) };
      case 'number':
        return { kind: 'float64' };
      case 'boolean':
        return { kind: 'bool' };
      default:
        throw new SchemaDerivationError(`${path}: JSON Schema type ${type} has no column type`);
    }
  }
}

function sortFields(fields: ColumnField[]): ColumnField[] {
  return fields.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function orderTopLevel(fields: ColumnField[]): ColumnField[] {
  const rank = (n: string) => {
    const i = (BASE_COLUMNS as readonly string[]).indexOf(n);
    return i < 0 ? BASE_COLUMNS.length : i;
  };
  return fields.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Union of two column types of the same attribute in two classes. */
function mergeTypes(a: ColumnType, b: ColumnType, path: string): ColumnType {
  if (a.kind === b.kind) {
    if (a.kind === 'struct' && b.kind === 'struct') return { kind: 'struct', fields: mergeFields(a.fields, b.fields, path + '.') };
    if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', item: mergeTypes(a.item, b.item, path + '[]') };
    return a;
  }
  const kinds = new Set([a.kind, b.kind]);
  if (kinds.has('int32') && kinds.has('int64')) return { kind: 'int64' };
  if (kinds.has('utf8') && kinds.has('json')) return { kind: 'json' };
  throw new SchemaDerivationError(`${path}: the classes disagree on the type (${a.kind} vs ${b.kind})`);
}

function mergeFields(a: readonly ColumnField[], b: readonly ColumnField[], prefix: string): ColumnField[] {
  const out = new Map<string, ColumnField>();
  for (const f of a) out.set(f.name, f);
  for (const f of b) {
    const prev = out.get(f.name);
    out.set(
      f.name,
      prev ? { name: f.name, type: mergeTypes(prev.type, f.type, prefix + f.name), nullable: prev.nullable && f.nullable } : f,
    );
  }
  return sortFields([...out.values()]);
}

export interface DeriveOptions extends SchemaSource {
  layout?: Layout;
  /** Custom layout only: the class the schema is for (must be one of the source's classes). */
  classUid?: number;
  /**
   * `true`: a declared attribute found in none of the source's classes is an error (a typo, or not OCSF).
   * `false` (default): it is left out of the schema and listed in `unresolved`, so that one over-declared
   * path does not stop a whole source; an event holding it is still rejected by the writer with its path.
   */
  strict?: boolean;
}

/**
 * The file schema of one source version. Throws {@link SchemaDerivationError} when a declared attribute
 * exists in none of the source's classes, when classes disagree on a type, or when a class/profile set
 * has no generated JSON Schema.
 */
export function deriveSchema(def: SourceDefinition, version: SourceVersion, opts: DeriveOptions = {}): WriterSchema {
  const spec = def.versions[version];
  if (!spec) throw new SchemaDerivationError(`${def.name} has no version ${version} (have ${Object.keys(def.versions).join(', ')})`);
  const layout: Layout = opts.layout ?? (def.custom ? 'custom' : 'native');
  const all = [...spec.classes];
  if (all.length === 0) throw new SchemaDerivationError(`${def.name} ${version} declares no classes`);
  let classes = all;
  if (layout === 'custom') {
    const c = opts.classUid ?? (all.length === 1 ? all[0] : undefined);
    if (c === undefined) throw new SchemaDerivationError(`${def.name} ${version} emits ${all.length} classes: the custom layout needs one class per schema (give classUid)`);
    if (!all.includes(c)) throw new SchemaDerivationError(`${def.name} ${version} does not emit class ${c}`);
    classes = [c];
  }
  const attributes = [...IMPLICIT_ATTRIBUTES, ...spec.attributes];
  if (spec.profiles.length > 0) attributes.push('metadata.profiles');
  if (spec.profiles.includes('datetime')) attributes.push('time_dt');
  const trie = buildTrie(attributes);

  // Resolve the declared paths in every class the source emits: a path found in none of them is a typo
  // or not OCSF (an error in both layouts); the schema is the union over `classes`.
  let fields: ColumnField[] | undefined;
  let nowhere: Set<string> | undefined;
  const requiredEverywhere = new Set(NON_NULL_CANDIDATES);
  for (const classUid of all) {
    const root = classJsonSchema(spec.ocsfVersion, classUid, spec.profiles, opts);
    const resolver = new ClassResolver(root, spec.ocsfVersion);
    const missing = new Set<string>();
    const classFields: ColumnField[] = [];
    for (const [name, sub] of trie.children) {
      const p = root.properties?.[name];
      if (p === undefined) {
        missing.add(name);
        continue;
      }
      const t = resolver.typeOf(name, p, sub, name, missing);
      if (t) classFields.push({ name, type: t, nullable: true });
    }
    nowhere = nowhere === undefined ? missing : new Set([...nowhere].filter((p) => missing.has(p)));
    if (!classes.includes(classUid)) continue;
    const required = new Set(root.required ?? []);
    for (const n of [...requiredEverywhere]) if (!required.has(n)) requiredEverywhere.delete(n);
    fields = fields === undefined ? sortFields(classFields) : mergeFields(fields, classFields, '');
  }
  const unresolved = [...nowhere!].filter((p) => !isImplicit(p)).sort();
  if (unresolved.length > 0 && opts.strict === true) {
    throw new SchemaDerivationError(
      `${def.name} ${version}: declared attributes not in any of its OCSF ${spec.ocsfVersion} classes (${all.join(', ')}): ${unresolved.join(', ')}`,
    );
  }
  const top = orderTopLevel(fields!.map((f) => (requiredEverywhere.has(f.name) ? { ...f, nullable: false } : f)));
  return {
    source: def.name,
    sourceVersion: version,
    ocsfVersion: spec.ocsfVersion,
    layout,
    classes,
    profiles: [...spec.profiles],
    fields: top,
    fingerprint: fingerprintOf(top),
    ...(unresolved.length > 0 ? { unresolved } : {}),
  };
}

function isImplicit(p: string): boolean {
  return IMPLICIT_ATTRIBUTES.includes(p) || p === 'metadata.profiles' || p === 'time_dt';
}

/** Schemas of a registered source (by name) or a definition: native union or per class. */
export function schemaFor(source: string | SourceDefinition, version: SourceVersion, opts: DeriveOptions = {}): WriterSchema {
  const def = typeof source === 'string' ? getSource(source) : source;
  if (!def) throw new SchemaDerivationError(`unknown source ${JSON.stringify(source)}`);
  return deriveSchema(def, version, opts);
}

/** Every custom-layout schema of a source version, one per class. */
export function customSchemas(def: SourceDefinition, version: SourceVersion, opts: SchemaSource = {}): WriterSchema[] {
  return (def.versions[version]?.classes ?? []).map((classUid) => deriveSchema(def, version, { ...opts, layout: 'custom', classUid }));
}

export type { OcsfVersion };
