/**
 * Issue 7 item 3: the bad-input catalogue. Every bad input of the catalogue goes into ONE run (two workers, so
 * the worker-thread path is the one proven) together with good inputs; each gets a clear reason code, none
 * stops the run, and the good inputs — and the good records of damaged inputs — land. The S3 object that
 * disappears between listing and reading runs against a real S3 protocol server (s3rver on loopback).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_REASONS, ingest } from '../../src/index.js';
import type { IngestProgress, IngestResult, InputSource } from '../../src/index.js';
import { createShardAssigner } from '../../src/pipeline/ingest.js';
import { s3Object } from '../../src/pipeline/inputs.js';
import { generateSampleFiles, writeSamples } from '../../src/samples/index.js';
import type { SampleSource, SampleSpread } from '../../src/samples/index.js';
import { startS3 } from '../lake/helpers.js';
import type { TestS3 } from '../lake/helpers.js';
import { expectBalanced, readDeadLetters, tempDir } from './helpers.js';
import type { StoredDeadLetter } from './helpers.js';

const MB = 1_000_000;
const DAY = Date.UTC(2024, 2, 14);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** One sample file of a family, in a partition of its own (so its landed events can be counted). */
function sample(family: SampleSource, records: number, region: string, account: string, seed: number) {
  const spread: SampleSpread = { regions: [region], accounts: [account], firstDay: DAY, days: 1 };
  return [...generateSampleFiles(family, records, { perFile: records, spread, seed })][0]!;
}
const text = (gz: Uint8Array) => gunzipSync(gz).toString('utf8');
function put(name: string, bytes: Uint8Array | string): string {
  const p = join(tmp.dir, name);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, bytes);
  return p;
}
const partition = (source: string, region: string, account: string) => `aws/${source}/2.0/region=${region}/accountId=${account}/eventDay=20240314`;

describe('the bad-input catalogue, in one run with good inputs', () => {
  let r: IngestResult;
  let dead: StoredDeadLetter[];
  let goodRecords = 0;
  let truncatedLines = 0;
  let routeGood = 0;
  const inputs: InputSource[] = [];
  const root = join(tmp.dir, 'lake');
  const deadOf = (input: string) => dead.filter((e) => e.input?.endsWith(input));

  beforeAll(async () => {
    // Good inputs: CloudTrail, VPC flow and Route 53 objects in us-east-1 / 111122223333.
    const goodDir = join(tmp.dir, 'good');
    const spread: SampleSpread = { regions: ['us-east-1'], accounts: ['111122223333'], firstDay: DAY, days: 1 };
    for (const f of writeSamples(goodDir, { records: { cloudtrail: 300, vpc_flow: 600, route53: 600 }, perFile: 300, spread, seed: 31 })) goodRecords += f.records;
    inputs.push(goodDir);

    // 1. Truncated gzip: a VPC flow object cut at 60%; the lines before the damage must land.
    const vpc = sample('vpc_flow', 3000, 'sa-east-1', '999900001111', 32);
    const cut = vpc.bytes.subarray(0, Math.floor(vpc.bytes.length * 0.6));
    const salvaged = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8').split('\n');
    expect(salvaged.pop()).not.toBe(''); // the cut falls inside a line
    truncatedLines = salvaged.length - 1; // complete lines, minus the header
    inputs.push(put(`bad/${vpc.name.replace('.log.gz', '-truncated.log.gz')}`, cut));
    // 2. Not gzip, named .gz.
    inputs.push(put('bad/plain-text.json.gz', text(sample('route53', 5, 'us-east-1', '111122223333', 33).bytes)));
    // 3. Invalid UTF-8 (a Latin-1 byte inside a string of an NDJSON Route 53 log).
    const r53 = text(sample('route53', 20, 'us-east-1', '111122223333', 34).bytes).split('\n');
    const latin1 = Buffer.concat([Buffer.from(r53.slice(0, 5).join('\n') + '\n'), Buffer.from(r53[5]!.replace('"query_class":"IN"', '"query_class":"I\u00d1"'), 'latin1'), Buffer.from('\n' + r53.slice(6).join('\n'))]);
    inputs.push({ name: 'bad/latin1-route53.log', bytes: latin1 });
    goodRecords += r53.filter((l) => l !== '').length - 1; // its other lines land in the good partition
    // 4 + 5. Invalid JSON in the middle of an NDJSON file, and JSON values that are not objects; the other
    // lines of the same file land (ca-central-1 / 999900002222).
    const route = text(sample('route53', 40, 'ca-central-1', '999900002222', 35).bytes).split('\n').filter((l) => l !== '');
    routeGood = route.length;
    const mixed = [...route.slice(0, 10), '{"version":"1.100000","account_id":"999900002222", "query_name": ', ...route.slice(10, 20), '42', '"a string"', '[{"query_name":"x"}]', 'null', ...route.slice(20)];
    inputs.push(put('bad/route53-mixed.log', mixed.join('\n') + '\n'));
    // 6 + 7. CloudTrail: wrong field types, a 10 MB record that is valid (lands), a 10 MB line that is not JSON.
    const ct = JSON.parse(text(sample('cloudtrail', 60, 'us-east-1', '111122223333', 36).bytes)) as { Records: Record<string, unknown>[] };
    const mgmt = ct.Records.filter((x) => x.eventCategory === 'Management' && x.requestID !== undefined && x.eventSource !== 'signin.amazonaws.com');
    const inEuNorth = (x: Record<string, unknown>) => ({ ...x, awsRegion: 'eu-north-1' });
    const wrongTypes = [{ ...mgmt[0], eventName: 42 }, { ...mgmt[1], eventTime: 1710374400 }, { ...mgmt[2], eventSource: ['s3.amazonaws.com'] }];
    inputs.push(put('bad/cloudtrail-wrong-types.json', JSON.stringify({ Records: wrongTypes })));
    const huge = inEuNorth({ ...mgmt[3], requestParameters: { policy: 'p'.repeat(10 * MB) } });
    inputs.push(put('bad/AWSLogs/999900003333/CloudTrail/eu-north-1/2024/03/14/cloudtrail-10mb.json.gz', gzipSync(JSON.stringify({ Records: [huge, inEuNorth(mgmt[4]!)] }))));
    const around = text(sample('route53', 4, 'ap-south-1', '999900004444', 38).bytes).split('\n');
    inputs.push({ name: 'bad/10mb-line.log', bytes: Buffer.from([...around.slice(0, 2), `{"version":"1.100000","query_name":"${'q'.repeat(10 * MB)}`, ...around.slice(2)].join('\n')) });
    // 8. Empty. 9. Unknown format. 10. A VPC header naming a field no VPC flow log version has.
    inputs.push(put('bad/empty.log.gz', ''));
    inputs.push(put('bad/report.csv', 'host,cpu,mem\nweb-1,0.93,512\n'));
    const vpcText = text(sample('vpc_flow', 10, 'us-east-1', '111122223333', 37).bytes);
    inputs.push(put('bad/vpc-unknown-field.log', vpcText.replace('log-status', 'log-status gpu-temperature').replace(/ (OK|NODATA|SKIPDATA)\n/g, ' $1 42\n')));

    r = await ingest(inputs, { out: root, workers: 2, fsync: false, validate: 'off', progressIntervalMs: 0 });
    dead = readDeadLetters(root);
  }, 90_000);

  it('finishes with every record accounted for', () => {
    expectBalanced(r.counts);
    expect(r.dlqErrors).toEqual([]);
    expect(r.workers).toBe(2);
    // Every reason used is documented.
    for (const reason of Object.keys(r.counts.failuresByReason)) expect(FAILURE_REASONS, reason).toHaveProperty(reason);
  });

  it('lands the good inputs', () => {
    const good = Object.entries(r.counts.eventsByPartition).filter(([k]) => k.includes('region=us-east-1/accountId=111122223333/'));
    const landed = good.reduce((a, [, n]) => a + n, 0);
    // Good records are events or filtered (CloudTrail data events no source takes); none failed.
    const filtered = Object.values(r.counts.filteredByReason).reduce((a, b) => a + b, 0);
    expect(landed + filtered).toBe(goodRecords);
    expect(good.map(([k]) => k.split('/')[1]).sort()).toEqual(expect.arrayContaining(['CLOUD_TRAIL_MGMT', 'ROUTE53', 'VPC_FLOW']));
  });

  it('truncated gzip: truncated-gzip, and the records before the damage land', () => {
    const d = deadOf('-truncated.log.gz');
    expect(d.map((e) => e.reason)).toContain('truncated-gzip');
    expect(d.find((e) => e.reason === 'truncated-gzip')!.message).toMatch(/truncated or corrupt/);
    expect(truncatedLines).toBeGreaterThan(1000);
    expect(r.counts.eventsByPartition[partition('VPC_FLOW', 'sa-east-1', '999900001111')]).toBe(truncatedLines);
    // The partial last line is a record of its own that fails, with its text.
    const partial = d.filter((e) => e.reason !== 'truncated-gzip');
    expect(partial).toHaveLength(1);
    expect(partial[0]!.line).toBe(truncatedLines + 2);
  });

  it('non-gzip named .gz: not-gzip, with the bytes', () => {
    const [e] = deadOf('plain-text.json.gz');
    expect(e).toMatchObject({ reason: 'not-gzip', source: 'auto' });
    expect(Buffer.from((e!.raw as { base64: string }).base64, 'base64').toString('utf8')).toMatch(/^\{"version":"1\.1/);
  });

  it('invalid UTF-8: only the bad line fails, invalid-utf8 naming the offset, with its bytes kept for replay', () => {
    const d = deadOf('latin1-route53.log');
    expect(d).toHaveLength(1);
    expect(d[0]!.reason).toBe('invalid-utf8');
    expect(d[0]!.line).toBe(6);
    expect(d[0]!.message).toMatch(/line 6 is not valid UTF-8 \(first bad byte at offset \d+\)/);
    const raw = d[0]!.raw as { base64: string; bytes: number };
    // The line as it was (the caller's buffer is intact after a run with workers: the pipeline transfers a copy).
    const lines = inputsBytes('latin1-route53.log').toString('latin1').split('\n');
    expect(Buffer.from(raw.base64, 'base64').equals(Buffer.from(lines[5]!, 'latin1'))).toBe(true);
    expect(raw.bytes).toBe(lines[5]!.length);
  });

  it('invalid JSON mid-file and values that are not objects: invalid-json / not-an-object, the other lines land', () => {
    const d = deadOf('route53-mixed.log');
    expect(d.map((e) => [e.reason, e.line])).toEqual([
      ['invalid-json', 11],
      ['not-an-object', 22],
      ['not-an-object', 23],
      ['not-an-object', 24],
      ['not-an-object', 25],
    ]);
    expect(d.map((e) => e.raw)).toEqual(['{"version":"1.100000","account_id":"999900002222", "query_name": ', 42, 'a string', [{ query_name: 'x' }], null]);
    expect(r.counts.eventsByPartition[partition('ROUTE53', 'ca-central-1', '999900002222')]).toBe(routeGood);
  });

  it('wrong field types: invalid-type naming the field', () => {
    const d = deadOf('cloudtrail-wrong-types.json');
    expect(d.map((e) => [e.reason, e.index])).toEqual([
      ['invalid-type', 0],
      ['invalid-type', 1],
      ['invalid-type', 2],
    ]);
    expect(d.map((e) => e.message)).toEqual([expect.stringContaining('eventName'), expect.stringContaining('eventTime'), expect.stringContaining('eventSource')]);
    // The family's route() refuses them before a member's mapper runs: the entry names the family.
    expect(d.every((e) => e.source === 'cloudtrail' && e.mapper === undefined)).toBe(true);
  });

  it('a 10 MB record: a valid one lands whole; a 10 MB line that is not JSON is invalid-json, referenced by the dead letter', async () => {
    const key = partition('CLOUD_TRAIL_MGMT', 'eu-north-1', '999900003333');
    expect(r.counts.eventsByPartition[key]).toBe(2);
    const file = r.files.find((f) => f.key.startsWith(key + '/'))!;
    const bytes = readFileSync(join(root, file.key));
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, columns: ['api'], compressors })) as { api: { request?: { data?: string } } }[];
    const sizes = rows.map((x) => x.api.request?.data?.length ?? 0).sort((a, b) => b - a);
    expect(sizes[0]).toBe(JSON.stringify({ policy: 'p'.repeat(10 * MB) }).length);
    const [e, ...more] = deadOf('10mb-line.log');
    expect(more).toEqual([]);
    expect(e).toMatchObject({ reason: 'invalid-json', line: 3 });
    expect(r.counts.eventsByPartition[partition('ROUTE53', 'ap-south-1', '999900004444')]).toBe(4);
    // Over the dead-letter inline size (8 MiB), the entry references the line instead of cutting it.
    expect(e!.raw).toEqual({ ref: { input: 'bad/10mb-line.log', line: 3, offset: e!.offset }, chars: `{"version":"1.100000","query_name":"${'q'.repeat(10 * MB)}`.length });
  });

  it('empty file: empty-input; unknown format: unknown-format; unknown VPC header field: unknown-field', () => {
    expect(deadOf('empty.log.gz').map((e) => e.reason)).toEqual(['empty-input']);
    const csv = deadOf('report.csv');
    expect(csv.map((e) => e.reason)).toEqual(['unknown-format']);
    expect(csv[0]!.message).toContain('host,cpu,mem');
    const vpc = deadOf('vpc-unknown-field.log');
    expect(vpc.map((e) => e.reason)).toEqual(['unknown-field']);
    expect(vpc[0]!.message).toContain('"gpu-temperature"');
    expect(vpc[0]!.message).toContain('--allow-unknown-fields');
  });

  function inputsBytes(name: string): Buffer {
    const i = inputs.find((x) => typeof x !== 'string' && x.name.endsWith(name)) as { bytes: Uint8Array };
    return Buffer.from(i.bytes);
  }
});

describe('S3 objects that disappear between listing and reading', () => {
  let s3: TestS3;
  const keys: string[] = [];
  const bodies = new Map<string, Uint8Array>();
  let doomed: string[] = [];
  let records = 0;

  beforeAll(async () => {
    s3 = await startS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: 'raw' }));
    const spread: SampleSpread = { regions: ['us-east-1', 'eu-west-1'], accounts: ['111122223333', '444455556666'], firstDay: DAY, days: 1 };
    for (const f of generateSampleFiles('vpc_flow', 1200, { perFile: 100, spread, seed: 41 })) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'raw', Key: f.name, Body: f.bytes }));
      keys.push(f.name);
      bodies.set(f.name, f.bytes);
      records += f.records;
    }
    keys.sort(); // the listing order
    // Two objects of the same worker (of two), followed by more objects of that worker: a worker whose reads
    // fail must still take new objects. The last listed object disappears too (progress must count it).
    // The dispatcher's assignment, replayed in listing order.
    const assign = createShardAssigner(2);
    const owners = keys.map((k) => assign(s3Object(s3.client, 'raw', k)));
    const byOwner = [0, 1].map((w) => keys.filter((_, i) => owners[i] === w));
    const busy = byOwner.find((ks) => ks.length >= 4)!;
    doomed = [busy[0]!, busy[1]!, keys.at(-1)!];
    expect(new Set(doomed).size).toBe(3);
  }, 30_000);
  afterAll(async () => s3?.close());

  for (const workers of [1, 2]) {
    it(`are dead-lettered as object-missing while the others land (workers: ${workers})`, async () => {
      const out = join(tmp.dir, `s3-lake-${workers}`);
      for (const k of doomed) await s3.client.send(new PutObjectCommand({ Bucket: 'raw', Key: k, Body: bodies.get(k)! }));
      const listed: string[] = [];
      const progress: IngestProgress[] = [];
      const r = await ingest(['s3://raw/AWSLogs/'], {
        out,
        workers,
        fsync: false,
        validate: 'off',
        s3: { endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 2 },
        onListed: async (o) => {
          listed.push(o.name);
          const key = o.name.slice('s3://raw/'.length);
          if (doomed.includes(key)) await s3.client.send(new DeleteObjectCommand({ Bucket: 'raw', Key: key }));
        },
        onProgress: (p) => progress.push(p),
        progressIntervalMs: 0,
      });
      expect(listed).toEqual(keys.map((k) => `s3://raw/${k}`));
      expectBalanced(r.counts);
      expect(r.counts.failuresByReason).toEqual({ 'object-missing': 3 });
      expect(r.counts.eventsWritten).toBe(records - 300);
      expect(r.counts.inputs).toBe(keys.length - 3);
      const dead = readDeadLetters(out);
      expect(dead.map((e) => e.input).sort()).toEqual(doomed.map((k) => `s3://raw/${k}`).sort());
      for (const e of dead) {
        expect(e.reason).toBe('object-missing');
        expect(e.message).toMatch(/disappeared between listing and reading/);
        expect(e.file).toMatch(/^dlq\/auto\/object-missing\/eventDay=\d{8}\/[0-9a-f]{32}\.ndjson\.gz$/);
      }
      // The final progress counts the objects that could not be read as done, and their records.
      expect(progress.at(-1)).toMatchObject({ records: r.counts.recordsIn, inputsDone: keys.length, inputsListed: keys.length, listingDone: true });
    }, 30_000);
  }
});
