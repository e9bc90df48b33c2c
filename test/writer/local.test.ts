import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSource } from '../../src/core/source.js';
import type { OcsfEvent } from '../../src/core/types.js';
import { createValidator } from '../../src/validate/index.js';
import { encodeParquet } from '../../src/writer/parquet.js';
import { createLocalSink } from '../../src/writer/sinks/local.js';
import { SinkError } from '../../src/writer/sinks/sink.js';
import { createLakeWriter } from '../../src/writer/writer.js';
import type { LakeWriterOptions } from '../../src/writer/writer.js';
import { customEvent, customSource, DAY0, generateEvents, testSource, TEST_SOURCE } from './fixtures.js';
import type { Generated } from './fixtures.js';
import { hyparquetMeta, hyparquetRows, lakeScan, listFiles, ocsfRow, query, readBytes, stripNulls } from './helpers.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-writer-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function newRoot(): string {
  const d = join(tmp, `lake${n++}`);
  mkdirSync(d);
  return d;
}

async function writeAll(root: string, gen: Generated[], version: string, extra: Partial<LakeWriterOptions> = {}) {
  const w = createLakeWriter({ sink: createLocalSink(root, { fsync: false }), sources: [testSource, customSource], tickMs: 0, ...extra });
  for (const { event, context } of gen) {
    const f = w.write(event, { source: extra.sources?.[0]?.name ?? TEST_SOURCE, sourceVersion: version, context });
    expect(f?.message).toBeUndefined();
  }
  const r = await w.close();
  return { writer: w, files: r.files };
}


const partKey = (e: OcsfEvent) => {
  const c = e.cloud as { region: string; account: { uid: string } };
  return `${c.region}|${c.account.uid}|${new Date(e.time).toISOString().slice(0, 10).replace(/-/g, '')}`;
};

describe('local lake, native layout', () => {
  const validator = createValidator();

  it('writes Security Lake partitions that DuckDB reads back with hive partitioning, values and types intact', async () => {
    const root = newRoot();
    const gen = generateEvents(1200, { seed: 11 });
    const { files } = await writeAll(root, gen, '2.0');
    const listed = listFiles(root);
    expect(listed.length).toBe(12); // 3 regions x 2 accounts x 2 days
    expect(files.map((f) => f.key).sort()).toEqual(listed);
    for (const f of listed) expect(f).toMatch(/^aws\/TEST_TRAIL\/2\.0\/region=[a-z]{2}-[a-z]+-\d\/accountId=\d{12}\/eventDay=2024030[12]\/[0-9a-f]{32}\.parquet$/);

    // row counts per partition
    const expected = new Map<string, number>();
    for (const g of gen) expected.set(partKey(g.event), (expected.get(partKey(g.event)) ?? 0) + 1);
    const counts = await query(`select region, accountid, eventday, count(*)::INTEGER n from ${lakeScan(root)} group by all`);
    expect(new Map(counts.map((r) => [`${r.region}|${r.accountId ?? r.accountid}|${r.eventDay ?? r.eventday}`, r.n]))).toEqual(expected);

    // types as DuckDB sees them
    const types = Object.fromEntries(
      (await query(`select column_name, column_type from (describe select * from ${lakeScan(root)})`)).map((r) => [r.column_name, r.column_type]),
    );
    expect(types).toMatchObject({
      time: 'BIGINT',
      time_dt: 'TIMESTAMP WITH TIME ZONE',
      type_uid: 'BIGINT',
      class_uid: 'INTEGER',
      unmapped: 'MAP(VARCHAR, VARCHAR)',
      observables: 'STRUCT("name" VARCHAR, "type" VARCHAR, type_id INTEGER, "value" VARCHAR)[]',
      is_mfa: 'BOOLEAN',
    });
    expect(types.actor).toContain('"session" STRUCT(created_time_dt TIMESTAMP WITH TIME ZONE, is_mfa BOOLEAN, issuer VARCHAR)');

    // nested values through DuckDB
    const withRes = gen.find((g) => Array.isArray(g.event.resources))!.event;
    const uid = String(withRes.metadata.uid);
    const [row] = await query(
      `select actor.user.name u, unmapped['recipientAccountId'] acct, resources[1].owner.account.uid res_owner, len(resources)::INTEGER nres, epoch_ms(time_dt) tdt from ${lakeScan(root)} where metadata.uid = '${uid}'`,
    );
    const res = withRes.resources as { owner?: { account: { uid: string } } }[];
    expect(row).toMatchObject({
      u: (withRes.actor as { user: { name: string } }).user.name,
      acct: (withRes.unmapped as Record<string, string>).recipientAccountId,
      res_owner: res[0]!.owner!.account.uid,
      nres: res.length,
      tdt: String(withRes.time),
    });

    // every row, through hyparquet: equal to what was written, sorted by time, valid OCSF
    const byUid = new Map(gen.map((g) => [String(g.event.metadata.uid), g.event]));
    let seen = 0;
    for (const f of listed) {
      const bytes = readBytes(join(root, f));
      const meta = hyparquetMeta(bytes);
      expect(meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('ZSTD');
      const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((e) => [e.key, e.value]));
      expect(kv).toMatchObject({ 'ocsf.source': 'TEST_TRAIL', 'ocsf.source_version': '2.0', 'ocsf.version': '1.1.0', 'ocsf.layout': 'native' });
      const rows = await hyparquetRows(bytes);
      let prev = -Infinity;
      for (const r of rows) {
        const ev = ocsfRow(r) as OcsfEvent;
        expect(ev.time).toBeGreaterThanOrEqual(prev);
        prev = ev.time;
        expect(ev).toEqual(stripNulls(byUid.get(String(ev.metadata.uid))));
        const v = validator.validate(ev);
        expect(v.errors).toEqual([]);
        seen++;
      }
    }
    expect(seen).toBe(1200);
  });

  it('writes OCSF 1.0.0-rc.2 (source version 1.0) with type_uid INT32 and no time_dt', async () => {
    const root = newRoot();
    const gen = generateEvents(400, { seed: 12, version: '1.0' });
    await writeAll(root, gen, '1.0');
    expect(listFiles(root).every((f) => f.startsWith('aws/TEST_TRAIL/1.0/region='))).toBe(true);
    const types = Object.fromEntries(
      (await query(`select column_name, column_type from (describe select * from ${lakeScan(root)})`)).map((r) => [r.column_name, r.column_type]),
    );
    expect(types).toMatchObject({ type_uid: 'INTEGER', time: 'BIGINT' });
    expect(types.time_dt).toBeUndefined();
    const [c] = await query(`select count(*)::INTEGER n, count(distinct class_uid)::INTEGER k from ${lakeScan(root)}`);
    expect(c).toEqual({ n: 400, k: 3 });
    for (const f of listFiles(root)) {
      for (const r of await hyparquetRows(readBytes(join(root, f)))) expect(validator.validate(ocsfRow(r)).errors).toEqual([]);
    }
  });

  it('writes the custom-source layout: ext/<source>/<version>/, one class per file, region/account from the record context or external', async () => {
    const root = newRoot();
    const w = createLakeWriter({ sink: createLocalSink(root, { fsync: false }), sources: [customSource], tickMs: 0 });
    for (let i = 0; i < 300; i++) {
      const ctx = { input: 'acme.log', line: i + 1, region: i % 2 ? 'us-west-2' : 'eu-central-1', ...(i % 3 ? { accountId: '123456789012' } : {}) };
      expect(w.write(customEvent(i, DAY0 + i * 1000), { source: 'ACME_LOGINS', sourceVersion: '1.0', context: ctx })).toBeUndefined();
    }
    const { files } = await w.close();
    expect(files.every((f) => f.layout === 'custom' && f.classUid === 3002)).toBe(true);
    const listed = listFiles(root);
    expect(listed.map((f) => f.replace(/[0-9a-f]{32}\.parquet$/, '*'))).toEqual([
      'ext/ACME_LOGINS/1.0/region=eu-central-1/accountId=123456789012/eventDay=20240301/*',
      'ext/ACME_LOGINS/1.0/region=eu-central-1/accountId=external/eventDay=20240301/*',
      'ext/ACME_LOGINS/1.0/region=us-west-2/accountId=123456789012/eventDay=20240301/*',
      'ext/ACME_LOGINS/1.0/region=us-west-2/accountId=external/eventDay=20240301/*',
    ]);
    const counts = await query(`select region, accountid a, count(*)::INTEGER n from ${lakeScan(root)} group by all order by all`);
    expect(counts).toEqual([
      { region: 'eu-central-1', a: '123456789012', n: 100 },
      { region: 'eu-central-1', a: 'external', n: 50 },
      { region: 'us-west-2', a: '123456789012', n: 100 },
      { region: 'us-west-2', a: 'external', n: 50 },
    ]);
    for (const f of listed) for (const r of await hyparquetRows(readBytes(join(root, f)))) expect(validator.validate(ocsfRow(r)).errors).toEqual([]);
  });

  it('writes the test source in the custom layout too: one folder per class when asked', async () => {
    const root = newRoot();
    const gen = generateEvents(500, { seed: 13 });
    await writeAll(root, gen, '2.0', { layout: 'custom', customSourceName: (s, c) => `${s}_${c}` });
    const tables = [...new Set(listFiles(root).map((f) => f.split('/').slice(0, 3).join('/')))].sort();
    expect(tables).toEqual(['ext/TEST_TRAIL_3001/2.0', 'ext/TEST_TRAIL_3002/2.0', 'ext/TEST_TRAIL_6003/2.0']);
    const perClass = await query(`select class_uid::INTEGER c, count(*)::INTEGER n from ${lakeScan(root, 'ext/TEST_TRAIL_3002/**/*.parquet')} group by all`);
    expect(perClass).toEqual([{ c: 3002, n: gen.filter((g) => g.event.class_uid === 3002).length }]);
    // the API Activity table has no Authentication-only column
    const cols = (await query(`select column_name from (describe select * from ${lakeScan(root, 'ext/TEST_TRAIL_6003/**/*.parquet')})`)).map((r) => r.column_name);
    expect(cols).not.toContain('is_mfa');
  });

  it('keeps one class per file in the custom layout when the classes share the source folder (the default)', async () => {
    const root = newRoot();
    const gen = generateEvents(300, { seed: 17, days: 1 });
    const { files } = await writeAll(root, gen, '2.0', { layout: 'custom' });
    expect(new Set(files.map((f) => f.key.split('/').slice(0, 3).join('/')))).toEqual(new Set(['ext/TEST_TRAIL/2.0']));
    for (const f of files) {
      const classes = new Set((await hyparquetRows(readBytes(join(root, f.key)))).map((r) => r.class_uid));
      expect([...classes]).toEqual([f.classUid]);
    }
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(300);
    expect(new Set(files.map((f) => f.classUid))).toEqual(new Set([6003, 3002, 3001]));
  });

  it('selects GZIP and SNAPPY, streams large files in bounded batches as several row groups', async () => {
    for (const compression of ['GZIP', 'SNAPPY'] as const) {
      const root = newRoot();
      await writeAll(root, generateEvents(200, { seed: 14, days: 1 }), '2.0', { compression });
      const [m] = await query(`select distinct compression from parquet_metadata('${root}/**/*.parquet')`);
      expect(m!.compression).toBe(compression);
    }
    const root = newRoot();
    const gen = generateEvents(2400, { seed: 15, days: 1 }).map((g) => ({ ...g, event: { ...g.event, cloud: { region: 'us-east-1', provider: 'AWS', account: { uid: '111122223333' } } } }));
    // Batches of 500 rows stream into row groups of 1,000: 1,000 + 1,000 + 400.
    const { files } = await writeAll(root, gen, '2.0', { rowsPerBatch: 500, rowGroupRows: 1000 });
    expect(files.length).toBe(1);
    const rgs = await query(`select row_group_id::INTEGER g, any_value(row_group_num_rows)::INTEGER r from parquet_metadata('${root}/**/*.parquet') group by all order by g`);
    expect(rgs).toEqual([{ g: 0, r: 1000 }, { g: 1, r: 1000 }, { g: 2, r: 400 }]);
    const rows = await hyparquetRows(readBytes(join(root, files[0]!.key)));
    expect(rows.length).toBe(2400);
    const times = rows.map((r) => Number(r.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('never writes an empty or schema-only file', async () => {
    const root = newRoot();
    const w = createLakeWriter({ sink: createLocalSink(root), sources: [testSource], tickMs: 0 });
    expect((await w.flush()).files).toEqual([]);
    const bad = generateEvents(1)[0]!;
    expect(w.write({ ...bad.event, bogus: 1 }, { source: TEST_SOURCE, sourceVersion: '2.0' })?.reason).toBe('schema-violation');
    expect((await w.close()).files).toEqual([]);
    expect(listFiles(root)).toEqual([]);
    await expect(encodeParquet(() => undefined)).rejects.toThrow(/without rows/);
  });

  it('gives the same object names when the same input is written again, so a re-run replaces files', async () => {
    const root = newRoot();
    const gen = generateEvents(600, { seed: 16, input: 's3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/x.json.gz' });
    const first = await writeAll(root, gen, '2.0');
    const before = listFiles(root);
    const second = await writeAll(root, gen, '2.0', { compression: 'SNAPPY' }); // e.g. after a fix: same input, same keys
    expect(second.files.map((f) => f.key).sort()).toEqual(first.files.map((f) => f.key).sort());
    expect(listFiles(root)).toEqual(before);
    const [c] = await query(`select count(*)::INTEGER n from ${lakeScan(root)}`);
    expect(c!.n).toBe(600);
    // a different input (or batch) gives different names
    const other = await writeAll(newRoot(), generateEvents(600, { seed: 16, input: 'other.json' }), '2.0');
    expect(other.files.map((f) => f.key).filter((k) => before.includes(k))).toEqual([]);
  });
});

describe('nothing escapes the lake root', () => {
  const ev = () => structuredClone(generateEvents(1, { seed: 20 })[0]!.event) as Record<string, any>;

  it('rejects region and account values that are not AWS region / 12-digit account patterns, from the event or the context', async () => {
    const root = newRoot();
    const w = createLakeWriter({ sink: createLocalSink(root), sources: [testSource, customSource], tickMs: 0 });
    const meta = { source: TEST_SOURCE, sourceVersion: '2.0' };
    const cases: [Record<string, any>, Record<string, unknown> | undefined, string][] = [];
    for (const evil of ['../../x', '..', 'us-east-1/../../x', 'us-east-1\u0000', '/etc', 'US-EAST-1', 'us-east-1 ', '%2e%2e']) {
      const a = ev();
      a.cloud.region = evil;
      cases.push([a, undefined, 'cloud.region']);
      const b = ev();
      b.cloud.account.uid = evil;
      cases.push([b, undefined, 'cloud.account.uid']);
      const c = ev();
      delete c.cloud.region;
      cases.push([c, { region: evil }, 'context.region']);
    }
    const d = ev();
    d.cloud.account.uid = '1234567890123';
    cases.push([d, undefined, 'cloud.account.uid']);
    const arn = ev();
    arn.cloud.account.uid = 'arn:aws:iam::../../x:role/y';
    cases.push([arn, undefined, 'cloud.account.uid']);
    for (const [e, ctx, path] of cases) {
      const f = w.write(e as OcsfEvent, { ...meta, context: ctx });
      expect(f?.reason).toBe('invalid-partition');
      expect(f?.errors?.[0]?.path).toBe(path);
    }
    const noRegion = ev();
    delete noRegion.cloud.region;
    expect(w.write(noRegion as OcsfEvent, meta)?.message).toMatch(/no region/);
    // a custom event without any region in context, with and without a default region
    expect(w.write(customEvent(1, DAY0), { source: 'ACME_LOGINS', sourceVersion: '1.0' })?.reason).toBe('invalid-partition');
    await w.close();
    expect(listFiles(root)).toEqual([]);

    const w2 = createLakeWriter({ sink: createLocalSink(root), sources: [customSource], tickMs: 0, defaultRegion: 'eu-west-3' });
    expect(w2.write(customEvent(1, DAY0), { source: 'ACME_LOGINS', sourceVersion: '1.0' })).toBeUndefined();
    await w2.close();
    expect(listFiles(root)[0]).toMatch(/^ext\/ACME_LOGINS\/1\.0\/region=eu-west-3\/accountId=external\/eventDay=20240301\//);
  });

  it('refuses source names, custom folder names and sink keys that are not plain path segments', async () => {
    const root = newRoot();
    const dotdot = defineSource({ ...testSource, name: '..' });
    const w = createLakeWriter({ sink: createLocalSink(root), sources: [dotdot], tickMs: 0 });
    const e = generateEvents(1, { seed: 21 })[0]!.event;
    expect(() => w.write(e, { source: '..', sourceVersion: '2.0' })).toThrow(/cannot be a path segment/);
    const w2 = createLakeWriter({ sink: createLocalSink(root), sources: [customSource], tickMs: 0, customSourceName: () => '../../escape' });
    expect(() => w2.write(customEvent(1, DAY0), { source: 'ACME_LOGINS', sourceVersion: '1.0', context: { region: 'us-east-1' } })).toThrow(/cannot be a path segment/);
    await w.close();
    await w2.close();

    const sink = createLocalSink(join(root, 'inner'));
    const bytes = new Uint8Array([1, 2, 3]);
    for (const key of ['../x.parquet', 'a/../../x.parquet', '/etc/x.parquet', 'a/./b.parquet', 'a//b.parquet', 'a\\..\\..\\x.parquet', '']) {
      await expect(sink.put(key, [bytes], 3)).rejects.toBeInstanceOf(SinkError);
    }
    expect(readdirSync(tmp).filter((f) => !f.startsWith('lake'))).toEqual([]);
    expect(listFiles(root)).toEqual([]);
  });
});

describe('schema violations are failures with paths, never silent drops', () => {
  it('returns MapFailure(schema-violation) for unknown attributes, wrong types, wrong class or OCSF version', async () => {
    const root = newRoot();
    const w = createLakeWriter({ sink: createLocalSink(root), sources: [testSource], tickMs: 0 });
    const meta = { source: TEST_SOURCE, sourceVersion: '2.0', context: { input: 'x', line: 7 } };
    const base = generateEvents(1, { seed: 30 })[0]!.event;
    const f1 = w.write({ ...base, actor: { ...(base.actor as object), nickname: 'x' } }, meta);
    expect(f1).toMatchObject({ reason: 'schema-violation', source: TEST_SOURCE, context: { input: 'x', line: 7 }, errors: [{ path: 'actor.nickname' }] });
    expect(f1?.raw).toMatchObject({ class_uid: base.class_uid });
    expect(w.write({ ...base, severity_id: '1' }, meta)?.errors?.[0]).toEqual({ path: 'severity_id', message: 'expected a 32-bit integer, got string' });
    expect(w.write({ ...base, class_uid: 4001 }, meta)?.errors?.[0]?.path).toBe('class_uid');
    expect(w.write({ ...base, metadata: { ...base.metadata, version: '1.0.0-rc.2' } }, meta)?.errors?.[0]?.path).toBe('metadata.version');
    expect(w.write(base, meta)).toBeUndefined();
    expect(() => w.write(base, { source: 'NOPE', sourceVersion: '2.0' })).toThrow(/unknown source/);
    expect(() => w.write(base, { source: TEST_SOURCE, sourceVersion: '9.9' })).toThrow(/no version 9\.9/);
    expect(w.stats()).toMatchObject({ eventsAccepted: 1, eventsRejected: 4 });
    await w.close();
    expect(listFiles(root).length).toBe(1);
  });
});
