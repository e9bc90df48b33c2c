import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineSource } from '../../src/core/source.js';
import { classJsonSchema, classSchemaFile, deriveSchema, integerKind, SchemaDerivationError, customSchemas } from '../../src/writer/arrow-schema.js';
import type { JsonSchema } from '../../src/writer/arrow-schema.js';
import { athenaDdl, describeColumns, glueColumns, toArrowSchema } from '../../src/writer/schema-tree.js';
import type { ColumnField, ColumnType } from '../../src/writer/schema-tree.js';
import { customSource, testSource } from './fixtures.js';

function typeAt(fields: readonly ColumnField[], path: string): ColumnType | undefined {
  let cur: readonly ColumnField[] = fields;
  let t: ColumnType | undefined;
  for (const seg of path.split('.')) {
    const name = seg.replace(/\[\]$/, '');
    const f = cur.find((x) => x.name === name);
    if (!f) return undefined;
    t = f.type;
    while (t.kind === 'list' && seg.endsWith('[]')) t = t.item;
    cur = t.kind === 'struct' ? t.fields : [];
  }
  return t;
}

describe('schema derivation from the OCSF JSON Schemas and the declared attributes', () => {
  const v2 = deriveSchema(testSource, '2.0');
  const v1 = deriveSchema(testSource, '1.0');

  it('types the columns as Security Lake tables do (1.1.0)', () => {
    const glue = Object.fromEntries(glueColumns(v2).map((c) => [c.name, c.type]));
    expect(glue).toMatchObject({
      time: 'bigint',
      time_dt: 'timestamp',
      class_uid: 'int',
      category_uid: 'int',
      activity_id: 'int',
      severity_id: 'int',
      type_uid: 'bigint',
      unmapped: 'map<string,string>',
      observables: 'array<struct<name:string,type:string,type_id:int,value:string>>',
      is_mfa: 'boolean',
      status_id: 'int',
    });
    expect(typeAt(v2.fields, 'actor.session.created_time_dt')).toEqual({ kind: 'timestamp' });
    expect(typeAt(v2.fields, 'api.request.data')).toEqual({ kind: 'json' });
    expect(typeAt(v2.fields, 'resources[].owner.account.uid')).toEqual({ kind: 'utf8' });
    expect(typeAt(v2.fields, 'metadata.profiles')).toEqual({ kind: 'list', item: { kind: 'utf8' } });
    expect(glue.metadata).toBe(
      'struct<event_code:string,product:struct<feature:struct<name:string>,name:string,vendor_name:string,version:string>,profiles:array<string>,uid:string,version:string>',
    );
  });

  it('types type_uid int32 and the epoch-ms times int64 in 1.0.0-rc.2', () => {
    const glue = Object.fromEntries(glueColumns(v1).map((c) => [c.name, c.type]));
    expect(glue.type_uid).toBe('int');
    expect(glue.time).toBe('bigint');
    expect(glue.time_dt).toBeUndefined(); // no datetime profile in rc.2
    expect(typeAt(v1.fields, 'actor.session.created_time')).toEqual({ kind: 'int64' });
    expect(typeAt(v1.fields, 'actor.user.account_uid')).toEqual({ kind: 'utf8' });
  });

  it('puts the base attributes first, then the rest by name; nested fields by name; NOT NULL only for required base columns', () => {
    const names = v2.fields.map((f) => f.name);
    expect(names.slice(0, 13)).toEqual(['time', 'time_dt', 'class_uid', 'class_name', 'category_uid', 'category_name', 'activity_id', 'activity_name', 'type_uid', 'type_name', 'severity_id', 'severity', 'metadata']);
    const rest = names.slice(13);
    expect(rest).toEqual([...rest].sort());
    const notNull = v2.fields.filter((f) => !f.nullable).map((f) => f.name);
    expect(notNull.sort()).toEqual(['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid']);
    // deterministic: deriving again gives the same fingerprint and Arrow schema text
    const again = deriveSchema(testSource, '2.0');
    expect(again.fingerprint).toBe(v2.fingerprint);
    expect(toArrowSchema(again).toString()).toBe(toArrowSchema(v2).toString());
  });

  it('makes the native schema the union of the classes (API Activity + Authentication + Account Change)', () => {
    const names = v2.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['api', 'user', 'is_mfa', 'actor', 'dst_endpoint']));
    expect(v2.classes).toEqual([6003, 3002, 3001]);
  });

  it('derives one schema per class for the custom layout, holding only that class attributes', () => {
    const per = customSchemas(testSource, '2.0');
    expect(per.map((s) => s.classes)).toEqual([[6003], [3002], [3001]]);
    const api = per[0]!;
    expect(api.layout).toBe('custom');
    expect(api.fields.map((f) => f.name)).not.toContain('is_mfa'); // an Authentication attribute
    const auth = per[1]!;
    expect(auth.fields.map((f) => f.name)).toContain('is_mfa');
    expect(deriveSchema(customSource, '1.0').layout).toBe('custom');
    expect(() => deriveSchema(testSource, '2.0', { layout: 'custom' })).toThrow(/one class per schema/);
  });

  it('reports declared attributes that exist in none of the source classes, and missing schemas', () => {
    const bad = defineSource({
      ...testSource,
      name: 'BAD_SOURCE',
      versions: { '2.0': { ...testSource.versions['2.0']!, attributes: ['actor.user.nmae', 'traffic.bytes', 'api.operation'] } },
    });
    expect(() => deriveSchema(bad, '2.0', { strict: true })).toThrow(SchemaDerivationError);
    expect(() => deriveSchema(bad, '2.0', { strict: true })).toThrow(/actor\.user\.nmae, traffic/);
    // lenient (the default, used by the writer): left out and listed; the rest of the schema stands
    const lenient = deriveSchema(bad, '2.0');
    expect(lenient.unresolved).toEqual(['actor.user.nmae', 'traffic']);
    expect(lenient.fields.map((f) => f.name)).toContain('api');
    const noSchema = defineSource({ ...testSource, name: 'NO_SCHEMA', versions: { '2.0': { ...testSource.versions['2.0']!, profiles: ['host'] } } });
    expect(() => deriveSchema(noSchema, '2.0')).toThrow(/no 1\.1\.0 api_activity schema for profiles \[host\]/);
    // a profile set that was not generated falls back to the largest generated subset
    expect(classSchemaFile('1.1.0', 2002, ['cloud', 'datetime', 'linux'])).toEqual({ file: '1.1.0/vulnerability_finding.cloud_datetime.json', profiles: ['cloud', 'datetime'] });
  });

  it('expands a declared object without sub-attributes to its scalar attributes', () => {
    const s = defineSource({ ...testSource, name: 'OBJ', versions: { '2.0': { ...testSource.versions['2.0']!, attributes: ['cloud', 'observables'] } } });
    const d = deriveSchema(s, '2.0');
    const cloud = typeAt(d.fields, 'cloud');
    expect(cloud?.kind === 'struct' && cloud.fields.map((f) => f.name)).toEqual(['project_uid', 'provider', 'region', 'zone']);
  });

  it('prints the schema (Arrow, Glue columns, Athena DDL)', () => {
    const lines = describeColumns(v2.fields);
    expect(lines).toContain('time: int64 not null');
    expect(lines).toContain('actor.session.created_time_dt: timestamp[ms, UTC]');
    expect(lines).toContain('resources[].owner.account.uid: utf8');
    const ddl = athenaDdl(v2, 'amazon_security_lake_table_us_east_1_test_trail_2_0', 's3://b/aws/TEST_TRAIL/2.0/');
    expect(ddl).toContain('`type_uid` bigint');
    expect(ddl).toContain('PARTITIONED BY (`region` string, `accountid` string, `eventday` string)');
  });
});

// The generated JSON Schemas type integer_t, long_t and timestamp_t alike as "integer"; the writer's
// width rule must equal the OCSF types in the compiled exports (read in place from ../shared).
const exportsDir = resolve(process.cwd(), '../shared/ocsf-export');
describe.skipIf(!existsSync(exportsDir))('integer widths against the compiled OCSF exports (../shared)', () => {
  for (const version of ['1.0.0-rc.2', '1.1.0']) {
    it(`matches every integer attribute of ${version}`, () => {
      const exp = JSON.parse(readFileSync(resolve(exportsDir, `${version}.json`), 'utf8')) as {
        types: Record<string, { type?: string }>;
        objects: Record<string, { attributes: Record<string, { type: string }> }>;
        classes: Record<string, { attributes: Record<string, { type: string }> }>;
      };
      const base = (t: string): string => {
        let cur = t;
        for (let i = 0; i < 5 && exp.types[cur]?.type; i++) cur = exp.types[cur]!.type!;
        return cur;
      };
      let checked = 0;
      for (const group of [exp.objects, exp.classes]) {
        for (const o of Object.values(group)) {
          for (const [name, a] of Object.entries(o.attributes)) {
            const b = base(a.type);
            const isLong = a.type === 'long_t' || a.type === 'timestamp_t' || b === 'long_t';
            if (b !== 'integer_t' && b !== 'long_t' && a.type !== 'integer_t' && a.type !== 'long_t') continue;
            expect([name, integerKind(name, version)]).toEqual([name, isLong ? 'int64' : 'int32']);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }

  it('finds the generated class schemas through schemas/index.json', () => {
    const s: JsonSchema = classJsonSchema('1.1.0', 6003, ['datetime', 'cloud']);
    expect(s.properties?.time_dt).toBeDefined();
  });
});

describe('ocsf-lake schema', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'schema', ...args], { encoding: 'utf8' });

  it('prints a registered source schema as Glue columns and as Athena DDL, and rejects bad arguments', () => {
    const glue = run('--source', 'VPC_FLOW', '--source-version', '2.0', '--format', 'glue');
    if (glue.status !== 0 && /unknown source/.test(glue.stderr)) return; // VPC Flow not registered in this build
    expect(glue.status).toBe(0);
    const lines = glue.stdout.split('\n');
    expect(lines[0]).toMatch(/^# VPC_FLOW 2\.0 \(OCSF 1\.1\.0, native layout, classes 4001/);
    expect(lines).toContain('time bigint');
    expect(lines).toContain('type_uid bigint');
    expect(lines).toContain('unmapped map<string,string>');
    expect(lines).toContain('eventday string (partition)');
    const ddl = run('--source', 'VPC_FLOW', '--source-version', '1.0', '--format', 'athena');
    expect(ddl.stdout).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS amazon_security_lake_table_us_east_1_vpc_flow_1_0 (');
    expect(ddl.stdout).toContain('`type_uid` int');
    const bad = run('--source', 'VPC_FLOW', '--source-version', '9.9');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('VPC_FLOW has no version 9.9');
  });
});
