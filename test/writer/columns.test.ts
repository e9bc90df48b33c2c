import { makeBuilder, RecordBatch, Struct, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { deriveSchema } from '../../src/writer/arrow-schema.js';
import { compileColumns, isViolation } from '../../src/writer/columns.js';
import { fingerprintOf } from '../../src/writer/schema-tree.js';
import type { ColumnField, ColumnType, WriterSchema } from '../../src/writer/schema-tree.js';
import { forBuilders, generateEvents, testSource } from './fixtures.js';


/** Row values of a table after an IPC round trip, as JSON text (bigint as strings). */
function dump(t: Table): string[] {
  const back = tableFromIPC(tableToIPC(t, 'stream'));
  return back.toArray().map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

const small = (fields: ColumnField[]): WriterSchema => ({
  source: 'T',
  sourceVersion: '1.0',
  ocsfVersion: '1.1.0',
  layout: 'native',
  classes: [1],
  profiles: [],
  fields,
  fingerprint: fingerprintOf(fields),
});

describe('compiled column builders', () => {
  it('build exactly what apache-arrow builders build, on CloudTrail-shaped rows of both versions', () => {
    for (const version of ['1.0', '2.0'] as const) {
      const schema = deriveSchema(testSource, version);
      const cols = compileColumns(schema);
      const events = generateEvents(600, { seed: 3, version }).map((g) => g.event);
      for (const e of events) expect(cols.check(e)).toBeTypeOf('number');
      const ours = new Table(cols.build(events));
      const top: ColumnType = { kind: 'struct', fields: schema.fields };
      const b = makeBuilder({ type: new Struct(cols.arrowSchema.fields) as DataType, nullValues: [null, undefined] });
      for (const e of events) b.append(forBuilders(e, top));
      const theirs = new Table(new RecordBatch(cols.arrowSchema, b.finish().toVector().data[0] as never));
      expect(ours.numRows).toBe(600);
      expect(dump(ours)).toEqual(dump(theirs));
    }
  });

  it('builds a slice of the rows, and batches of one row', () => {
    const cols = compileColumns(deriveSchema(testSource, '2.0'));
    const events = generateEvents(50, { seed: 9 }).map((g) => g.event);
    const whole = dump(new Table(cols.build(events)));
    expect(dump(new Table(cols.build(events, 10, 20)))).toEqual(whole.slice(10, 20));
    expect(dump(new Table(cols.build(events, 49, 50)))).toEqual(whole.slice(49));
  });

  it('stores non-ASCII strings, empty strings, nulls, negative and large int64, bigint and timestamps with offsets', () => {
    const s = small([
      { name: 'time', type: { kind: 'int64' }, nullable: false },
      { name: 'time_dt', type: { kind: 'timestamp' }, nullable: true },
      { name: 'n', type: { kind: 'int32' }, nullable: true },
      { name: 'f', type: { kind: 'float64' }, nullable: true },
      { name: 'b', type: { kind: 'bool' }, nullable: true },
      { name: 's', type: { kind: 'utf8' }, nullable: true },
      { name: 'j', type: { kind: 'json' }, nullable: true },
      { name: 'l', type: { kind: 'list', item: { kind: 'struct', fields: [{ name: 'x', type: { kind: 'list', item: { kind: 'utf8' } }, nullable: true }] } }, nullable: true },
      { name: 'm', type: { kind: 'map' }, nullable: true },
    ]);
    const cols = compileColumns(s);
    const rows = [
      { time: -1, time_dt: '2024-03-01T00:00:00.123456Z', n: -7, f: 0.5, b: false, s: 'héllo 漢字 😀', j: { a: [1, 'é'] }, l: [{ x: ['a', ''] }, {}], m: { 'k.é': 'v😀', '': '' } },
      { time: 2 ** 53 - 1, s: '', j: 'already json', l: [], m: {} },
      { time: 5n, time_dt: '2024-03-01T01:00:00+02:00', b: true, s: 'x', n: 2147483647 },
    ];
    for (const r of rows) expect(cols.check(r)).toBeTypeOf('number');
    const out = tableFromIPC(tableToIPC(new Table(cols.build(rows)), 'stream'));
    const get = (c: string, i: number) => out.getChild(c)!.get(i);
    expect([get('time', 0), get('time', 1), get('time', 2)]).toEqual([-1n, 2n ** 53n - 1n, 5n]);
    expect(get('time_dt', 0)).toBe(Date.parse('2024-03-01T00:00:00.123Z'));
    expect(get('time_dt', 2)).toBe(Date.parse('2024-02-29T23:00:00Z'));
    expect(get('time_dt', 1)).toBeNull();
    expect([get('s', 0), get('s', 1), get('s', 2)]).toEqual(['héllo 漢字 😀', '', 'x']);
    expect([get('j', 0), get('j', 1), get('j', 2)]).toEqual(['{"a":[1,"é"]}', 'already json', null]);
    expect([get('b', 0), get('b', 1), get('b', 2)]).toEqual([false, null, true]);
    expect(get('n', 2)).toBe(2147483647);
    expect(get('l', 0).toJSON().map((r: { toJSON(): unknown }) => r.toJSON())).toEqual([{ x: expect.anything() }, { x: null }]);
    expect([...get('l', 0).get(0).x]).toEqual(['a', '']);
    expect(get('l', 1).length).toBe(0);
    expect(get('m', 0).toJSON()).toEqual({ 'k.é': 'v😀', '': '' });
    expect(get('m', 2)).toBeNull();
  });

  it('rejects what the schema cannot store, with the attribute path', () => {
    const cols = compileColumns(deriveSchema(testSource, '2.0'));
    const ok = generateEvents(1, { seed: 5 })[0]!.event;
    const variant = (patch: (e: Record<string, any>) => void) => {
      const e = structuredClone(ok) as Record<string, any>;
      patch(e);
      const r = cols.check(e);
      return isViolation(r) ? r : undefined;
    };
    expect(variant(() => undefined)).toBeUndefined();
    expect(variant((e) => (e.bogus = 1))).toMatchObject({ path: 'bogus', message: expect.stringContaining('not in the Parquet schema of TEST_TRAIL 2.0') });
    expect(variant((e) => (e.actor.user.nickname = 'x'))).toMatchObject({ path: 'actor.user.nickname' });
    expect(variant((e) => (e.actor.user.name = 42))).toMatchObject({ path: 'actor.user.name', message: 'expected a string, got number' });
    expect(variant((e) => (e.observables = [{ name: 'a', type_id: 2 }, { name: 'b', type_id: 2.5 }]))).toMatchObject({ path: 'observables[1].type_id' });
    expect(variant((e) => (e.observables = [{ name: 'a', type_id: 2, reputation: {} }]))).toMatchObject({ path: 'observables[0].reputation' });
    expect(variant((e) => (e.observables = [null]))).toMatchObject({ path: 'observables[0]', message: 'null array element' });
    expect(variant((e) => (e.unmapped = { a: 'x', b: 1 }))).toMatchObject({ path: 'unmapped["b"]' });
    expect(variant((e) => (e.time_dt = 'yesterday'))).toMatchObject({ path: 'time_dt', message: expect.stringContaining('RFC 3339') });
    expect(variant((e) => (e.class_uid = 2 ** 31))).toMatchObject({ path: 'class_uid', message: expect.stringContaining('32-bit') });
    expect(variant((e) => (e.time = 1.5))).toMatchObject({ path: 'time' });
    expect(variant((e) => delete e.time)).toMatchObject({ path: 'time', message: 'required attribute is missing' });
    expect(variant((e) => (e.metadata = null))).toMatchObject({ path: 'metadata', message: 'required attribute is null' });
    expect(variant((e) => (e.api = 'x'))).toMatchObject({ path: 'api', message: 'expected an object, got string' });
    expect(variant((e) => (e.metadata.profiles = 'cloud'))).toMatchObject({ path: 'metadata.profiles', message: 'expected an array, got string' });
    expect(variant((e) => (e.is_mfa = 'true'))).toMatchObject({ path: 'is_mfa' });
    expect(variant((e) => (e.api.request.data = { cyclic: BigInt(1) }))).toMatchObject({ path: 'api.request.data', message: 'value is not JSON-serializable' });
    // nulls and undefined are absent values, not errors
    expect(variant((e) => ((e.status = null), (e.actor.invoked_by = undefined)))).toBeUndefined();
    expect(cols.check(null)).toMatchObject({ path: '', message: 'the event is not an object' });
  });
});
