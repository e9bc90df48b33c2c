/**
 * The writer's own description of a Parquet file schema: a small tree of columns that the column
 * compiler (`columns.ts`) turns into code, and that converts to an Arrow schema, to Glue/Athena column
 * types and to a stable fingerprint. Derived from the OCSF JSON Schemas by `arrow-schema.ts`; never
 * written by hand.
 */
import { Bool, Field, Float64, Int32, Int64, List, Map_, Schema, Struct, TimeUnit, Timestamp, Utf8 } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { createHash } from 'node:crypto';
import type { OcsfVersion, SourceVersion } from '../core/types.js';

/**
 * Leaf kinds. `timestamp` is Timestamp(ms, UTC) filled from the RFC 3339 strings mappers emit for
 * `*_dt`; `json` is utf8 holding a JSON text (a string value is kept as is, anything else is
 * `JSON.stringify`-ed).
 */
export type LeafKind = 'utf8' | 'int32' | 'int64' | 'float64' | 'bool' | 'timestamp' | 'json';

export type ColumnType =
  | { readonly kind: LeafKind }
  | { readonly kind: 'struct'; readonly fields: readonly ColumnField[] }
  /** Elements are never null (OCSF arrays hold no nulls; a null element is a schema violation). */
  | { readonly kind: 'list'; readonly item: ColumnType }
  /** map<utf8, utf8> with non-null keys and values (OCSF `unmapped`). */
  | { readonly kind: 'map' };

export interface ColumnField {
  readonly name: string;
  readonly type: ColumnType;
  /** False only for top-level base attributes every class of the schema requires (`time`, `class_uid`, ...). */
  readonly nullable: boolean;
}

export type Layout = 'native' | 'custom';

/** One Parquet file schema: a (source, version) union in the native layout, or one class in the custom layout. */
export interface WriterSchema {
  readonly source: string;
  readonly sourceVersion: SourceVersion;
  readonly ocsfVersion: OcsfVersion;
  readonly layout: Layout;
  /** class_uids whose events this schema accepts (one for the custom layout). */
  readonly classes: readonly number[];
  readonly profiles: readonly string[];
  /** Top-level columns, in their deterministic order. */
  readonly fields: readonly ColumnField[];
  /** Short stable hash of the column tree (also stored in each file's key/value metadata). */
  readonly fingerprint: string;
  /** Declared attribute paths found in none of the source's classes (left out; see `DeriveOptions.strict`). */
  readonly unresolved?: readonly string[];
}

export function arrowType(t: ColumnType): DataType {
  switch (t.kind) {
    case 'utf8':
    case 'json':
      return new Utf8();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'timestamp':
      return new Timestamp(TimeUnit.MILLISECOND, 'UTC');
    case 'struct':
      return new Struct(t.fields.map(arrowField));
    case 'list':
      return new List(new Field('item', arrowType(t.item), false));
    case 'map':
      return new Map_(
        new Field('entries', new Struct<{ key: Utf8; value: Utf8 }>([new Field('key', new Utf8(), false), new Field('value', new Utf8(), false)]), false),
        false,
      );
  }
}

export function arrowField(f: ColumnField): Field {
  return new Field(f.name, arrowType(f.type), f.nullable);
}

/** The Arrow schema of a writer schema, with its identity in the schema metadata. */
export function toArrowSchema(s: WriterSchema): Schema {
  return new Schema(s.fields.map(arrowField), new Map(Object.entries(schemaMetadata(s))));
}

/** Key/value metadata stored in every file, read back by `ocsf-lake validate`. */
const STAT_KINDS: ReadonlySet<string> = new Set(['int32', 'int64', 'timestamp', 'float64', 'bool']);

/**
 * Columns whose Parquet column chunks carry min/max statistics: the top-level numbers, booleans and
 * timestamps (`time`, `time_dt`, `class_uid`, `severity_id`, ...), which queries filter on. Strings and nested
 * columns get none (see `ParquetOptions.statisticsColumns`).
 */
export function statisticsColumns(s: WriterSchema): string[] {
  return s.fields.filter((f) => STAT_KINDS.has(f.type.kind)).map((f) => f.name);
}

export function schemaMetadata(s: WriterSchema): Record<string, string> {
  return {
    'ocsf.source': s.source,
    'ocsf.source_version': s.sourceVersion,
    'ocsf.version': s.ocsfVersion,
    'ocsf.layout': s.layout,
    'ocsf.classes': s.classes.join(','),
    'ocsf.schema_fingerprint': s.fingerprint,
  };
}

/** Glue / Hive / Athena type of a column (`struct<a:string,b:int>`, `array<...>`, `map<string,string>`). */
export function glueType(t: ColumnType): string {
  switch (t.kind) {
    case 'utf8':
    case 'json':
      return 'string';
    case 'int32':
      return 'int';
    case 'int64':
      return 'bigint';
    case 'float64':
      return 'double';
    case 'bool':
      return 'boolean';
    case 'timestamp':
      return 'timestamp';
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${glueType(f.type)}`).join(',')}>`;
    case 'list':
      return `array<${glueType(t.item)}>`;
    case 'map':
      return 'map<string,string>';
  }
}

/** Hive partition columns of every layout (Glue/Athena `PARTITIONED BY`), stored in paths, not in files. */
export const PARTITION_COLUMNS = [
  { name: 'region', type: 'string' },
  { name: 'accountid', type: 'string' },
  { name: 'eventday', type: 'string' },
] as const;

/** Glue `Columns` (name + type) of a schema, in column order. */
export function glueColumns(s: WriterSchema): { name: string; type: string }[] {
  return s.fields.map((f) => ({ name: f.name, type: glueType(f.type) }));
}

/** Athena DDL for a schema (the location and table name are the caller's). */
export function athenaDdl(s: WriterSchema, table: string, location: string): string {
  const cols = glueColumns(s).map((c) => `  \`${c.name}\` ${c.type}`);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${table} (`,
    cols.join(',\n'),
    ')',
    `PARTITIONED BY (${PARTITION_COLUMNS.map((c) => `\`${c.name}\` ${c.type}`).join(', ')})`,
    'STORED AS PARQUET',
    `LOCATION '${location.replace(/'/g, "''")}'`,
    '',
  ].join('\n');
}

/** A readable one-line-per-column rendering (`actor.user.name: utf8`). */
export function describeColumns(fields: readonly ColumnField[], prefix = ''): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const path = prefix + f.name;
    out.push(`${path}: ${typeLabel(f.type)}${f.nullable ? '' : ' not null'}`);
    let t: ColumnType = f.type;
    let p = path;
    while (t.kind === 'list') {
      t = t.item;
      p += '[]';
    }
    if (t.kind === 'struct') out.push(...describeColumns(t.fields, p + '.'));
  }
  return out;
}

function typeLabel(t: ColumnType): string {
  switch (t.kind) {
    case 'struct':
      return 'struct';
    case 'list':
      return `list<${typeLabel(t.item)}>`;
    case 'map':
      return 'map<utf8,utf8>';
    case 'timestamp':
      return 'timestamp[ms, UTC]';
    case 'json':
      return 'utf8 (json)';
    default:
      return t.kind;
  }
}

export function fingerprintOf(fields: readonly ColumnField[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

/** Number of leaf columns (Parquet column chunks) in a field list. */
export function leafCount(fields: readonly ColumnField[]): number {
  let n = 0;
  const walk = (t: ColumnType): void => {
    if (t.kind === 'struct') t.fields.forEach((f) => walk(f.type));
    else if (t.kind === 'list') walk(t.item);
    else if (t.kind === 'map') n += 2;
    else n++;
  };
  fields.forEach((f) => walk(f.type));
  return n;
}
