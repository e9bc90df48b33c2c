/**
 * A record larger than a dead letter holds inline (8 MiB) is dead-lettered as a reference to its input object;
 * replay reads it back from there: characters of the decoded text (a line refused by `maxRecordBytes`) or bytes
 * of the decompressed object (a line with a bad byte in a gzip input), and writes the clean run's row. An input
 * that is gone (a local file or an `s3://` object) fails the entry again as `read-error`, still a reference,
 * replayable once the input is back.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, replay } from '../../src/index.js';
import { DEAD_LETTER_INLINE_BYTES } from '../../src/core/input.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import { startS3 } from '../lake/helpers.js';
import { lakeScan, query } from '../writer/helpers.js';
import { expectBalanced, readDeadLetters, tempDir } from './helpers.js';

const tmp = tempDir('ocsf-replay-ref-');
afterAll(() => tmp.cleanup());

const HOST = 'huge-one.example.com.';
const PAD = 9 << 20; // over the inline size: the dead letter cannot hold the record

/** Route 53 resolver NDJSON: five sample lines, the fourth given a 9 MiB extra field (and its own hostname). */
function route53Lines(): string[] {
  const text = gunzipSync([...generateSampleFiles('route53', 5, { perFile: 5, seed: 4 })][0]!.bytes).toString('utf8');
  const lines = text.trimEnd().split('\n');
  lines[3] = JSON.stringify({ ...JSON.parse(lines[3]!), query_name: HOST, padding: 'x'.repeat(PAD) });
  return lines;
}

const base = { source: 'ROUTE53', workers: 1, fsync: false, validate: 'all' as const, progressIntervalMs: 0 };
const replayOpts = (out: string) => ({ out, workers: 1, fsync: false, validate: 'all' as const, progressIntervalMs: 0 });
const rowOf = (lake: string) => query(`SELECT * FROM ${lakeScan(lake)} WHERE query.hostname = '${HOST}'`);

describe('replay reads the record a dead letter refers to', () => {
  it('a line refused by maxRecordBytes: the characters of its line; a deleted input fails as read-error', async () => {
    const dir = join(tmp.dir, 'text');
    mkdirSync(dir, { recursive: true });
    const input = join(dir, 'resolver.log');
    writeFileSync(input, route53Lines().join('\n') + '\n');

    const clean = await ingest([input], { ...base, out: join(dir, 'clean') });
    expect(clean.counts.failures).toBe(0);
    const refused = await ingest([input], { ...base, out: join(dir, 'refused'), limits: { maxRecordBytes: 1 << 20 } });
    expect(refused.counts.failuresByReason).toEqual({ 'record-too-large': 1 });

    const [entry, ...more] = readDeadLetters(join(dir, 'refused'));
    expect(more).toHaveLength(0);
    const lines = route53Lines();
    const lineChars = lines[3]!.length;
    expect(lineChars).toBeGreaterThan(DEAD_LETTER_INLINE_BYTES);
    const offset = lines.slice(0, 3).join('\n').length + 1;
    expect(entry!.raw).toEqual({ ref: { input, line: 4, offset }, chars: lineChars });

    const replayed = await replay([join(dir, 'refused', 'dlq')], replayOpts(join(dir, 'replayed')));
    expectBalanced(replayed.counts);
    expect(replayed.counts).toMatchObject({ recordsIn: 1, eventsWritten: 1, failures: 0 });
    const want = await rowOf(join(dir, 'clean'));
    expect(want).toHaveLength(1);
    expect(await rowOf(join(dir, 'replayed'))).toEqual(want);

    // The input is gone: the entry fails again, counted, and its new dead letter still refers to the input.
    renameSync(input, input + '.away');
    const gone = await replay([join(dir, 'refused', 'dlq')], replayOpts(join(dir, 'gone')));
    expectBalanced(gone.counts);
    expect(gone.counts).toMatchObject({ recordsIn: 1, eventsWritten: 0, failures: 1, failuresByReason: { 'read-error': 1 } });
    const [again] = readDeadLetters(join(dir, 'gone'));
    expect(again).toMatchObject({ reason: 'read-error', raw: entry!.raw, input, line: 4 });
    expect(again!.message).toContain(`${input} line 4 offset ${offset}`);
    expect(again!.message).toContain('ENOENT');

    // Back in place, that dead letter replays too.
    renameSync(input + '.away', input);
    const back = await replay([join(dir, 'gone', 'dlq')], replayOpts(join(dir, 'back')));
    expect(back.counts).toMatchObject({ recordsIn: 1, eventsWritten: 1, failures: 0 });
    expect(await rowOf(join(dir, 'back'))).toEqual(want);
  }, 60_000);

  it('a CloudWatch Logs export line of EKS audit: the record after its timestamp', async () => {
    const dir = join(tmp.dir, 'export');
    mkdirSync(dir, { recursive: true });
    const payload = JSON.parse(gunzipSync([...generateSampleFiles('eks_audit', 3, { perFile: 3, seed: 5 })][0]!.bytes).toString('utf8').split('\n')[0]!) as { logEvents: { message: string }[] };
    const records = payload.logEvents.map((e) => JSON.parse(e.message) as Record<string, unknown>);
    records[1] = { ...records[1], auditID: 'huge-audit', padding: 'x'.repeat(PAD) };
    const input = join(dir, 'export.log');
    writeFileSync(input, records.map((r) => `2024-03-14T00:00:0${records.indexOf(r)}.000Z ${JSON.stringify(r)}`).join('\n') + '\n');
    const eks = { ...base, source: 'EKS_AUDIT', context: { region: 'eu-west-1', accountId: '123456789012' } };
    const clean = await ingest([input], { ...eks, out: join(dir, 'clean') });
    expect(clean.counts).toMatchObject({ eventsWritten: 3, failures: 0 });
    const refused = await ingest([input], { ...eks, out: join(dir, 'refused'), limits: { maxRecordBytes: 1 << 20 } });
    expect(refused.counts.failuresByReason).toEqual({ 'record-too-large': 1 });
    const [entry] = readDeadLetters(join(dir, 'refused'));
    expect(entry!.raw).toMatchObject({ ref: { input, line: 2 }, chars: JSON.stringify(records[1]).length });

    const replayed = await replay([join(dir, 'refused', 'dlq')], replayOpts(join(dir, 'replayed')));
    expect(replayed.counts).toMatchObject({ recordsIn: 1, eventsWritten: 1, failures: 0 });
    const where = "api.request.uid = 'huge-audit'";
    const want = await query(`SELECT * FROM ${lakeScan(join(dir, 'clean'))} WHERE ${where}`);
    expect(want).toHaveLength(1);
    expect(await query(`SELECT * FROM ${lakeScan(join(dir, 'replayed'))} WHERE ${where}`)).toEqual(want);
  }, 60_000);

  it('a gzip line with a bad byte: the bytes of the decompressed input, once the object is repaired', async () => {
    const dir = join(tmp.dir, 'bytes');
    mkdirSync(dir, { recursive: true });
    const input = join(dir, 'resolver.log.gz');
    const lines = route53Lines();
    const text = Buffer.from(lines.join('\n') + '\n');
    const lineStart = Buffer.byteLength(lines.slice(0, 3).join('\n')) + 1;
    const lineEnd = lineStart + Buffer.byteLength(lines[3]!);
    const broken = Buffer.from(text);
    broken[text.indexOf('xxxx', lineStart) + 5] = 0xff;
    writeFileSync(input, gzipSync(text));
    const clean = await ingest([input], { ...base, out: join(dir, 'clean') });
    expect(clean.counts.failures).toBe(0);

    writeFileSync(input, gzipSync(broken));
    const refused = await ingest([input], { ...base, out: join(dir, 'refused') });
    expect(refused.counts.failuresByReason).toEqual({ 'invalid-utf8': 1 });
    const [entry] = readDeadLetters(join(dir, 'refused'));
    expect(entry!.raw).toEqual({ ref: { input, start: lineStart, end: lineEnd }, bytes: lineEnd - lineStart });

    // Replayed as it is, the referenced bytes fail the same way ...
    const again = await replay([join(dir, 'refused', 'dlq')], replayOpts(join(dir, 'again')));
    expectBalanced(again.counts);
    expect(again.counts.failuresByReason).toEqual({ 'invalid-utf8': 1 });
    // (its new dead letter still names the input's bytes, not this replay's)
    expect(readDeadLetters(join(dir, 'again'))[0]).toMatchObject({ reason: 'invalid-utf8', raw: entry!.raw, input });
    // ... and once the object is repaired, they give the clean run's row.
    writeFileSync(input, gzipSync(text));
    const fixed = await replay([join(dir, 'refused', 'dlq')], replayOpts(join(dir, 'replayed')));
    expectBalanced(fixed.counts);
    expect(fixed.counts).toMatchObject({ recordsIn: 1, eventsWritten: 1, failures: 0 });
    const want = await rowOf(join(dir, 'clean'));
    expect(want).toHaveLength(1);
    expect(await rowOf(join(dir, 'replayed'))).toEqual(want);
  }, 60_000);

  it('an s3:// input: read with the run\'s S3 settings; deleted, the entry fails as read-error', async () => {
    const s3 = await startS3();
    try {
      const dir = join(tmp.dir, 's3');
      const input = 's3://lake/raw/resolver.log';
      await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'raw/resolver.log', Body: Buffer.from(route53Lines().join('\n') + '\n') }));
      const s3Opts = { s3: { endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 2 } };
      await ingest([input], { ...base, ...s3Opts, out: join(dir, 'clean') });
      const refused = await ingest([input], { ...base, ...s3Opts, out: join(dir, 'refused'), limits: { maxRecordBytes: 1 << 20 } });
      expect(refused.counts.failuresByReason).toEqual({ 'record-too-large': 1 });
      expect(readDeadLetters(join(dir, 'refused'))[0]!.raw).toMatchObject({ ref: { input, line: 4 } });

      const replayed = await replay([join(dir, 'refused', 'dlq')], { ...replayOpts(join(dir, 'replayed')), ...s3Opts });
      expect(replayed.counts).toMatchObject({ recordsIn: 1, eventsWritten: 1, failures: 0 });
      const want = await rowOf(join(dir, 'clean'));
      expect(want).toHaveLength(1);
      expect(await rowOf(join(dir, 'replayed'))).toEqual(want);

      await s3.client.send(new DeleteObjectCommand({ Bucket: 'lake', Key: 'raw/resolver.log' }));
      const gone = await replay([join(dir, 'refused', 'dlq')], { ...replayOpts(join(dir, 'gone')), ...s3Opts });
      expectBalanced(gone.counts);
      expect(gone.counts).toMatchObject({ recordsIn: 1, eventsWritten: 0, failuresByReason: { 'read-error': 1 } });
      expect(readDeadLetters(join(dir, 'gone'))[0]!.message).toMatch(/resolver\.log.*disappeared/);
    } finally {
      await s3.close();
    }
  }, 60_000);
});
