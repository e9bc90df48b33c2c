/**
 * The per-record size limit end to end: `ingest({ writer: { maxRecordBytes } })` dead-letters an event over the
 * limit as `record-too-large`, with the mapped event, and the run stays balanced (brief: huge fields get a clear
 * error and never stop the stream). The default limit (64 MiB) lets the bad-input catalogue's 10 MB record land.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { ingest } from '../../src/index.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import { expectBalanced, readDeadLetters, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('dead-letters a mapped event over maxRecordBytes as record-too-large, and writes the others', async () => {
  const spread = { regions: ['us-east-1'], accounts: ['111122223333'], firstDay: Date.UTC(2024, 2, 14), days: 1 };
  const file = [...generateSampleFiles('cloudtrail', 40, { perFile: 40, spread, seed: 5 })][0]!;
  const doc = JSON.parse(gunzipSync(file.bytes).toString('utf8')) as { Records: Record<string, unknown>[] };
  const at = doc.Records.findIndex((x) => x.eventCategory === 'Management' && x.eventSource !== 'signin.amazonaws.com');
  doc.Records[at] = { ...doc.Records[at], requestParameters: { policy: 'p'.repeat(2 << 20) } };
  const name = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/big.json';

  const out = `${tmp.dir}/lake`;
  const r = await ingest([{ name, bytes: Buffer.from(JSON.stringify(doc)) }], { out, workers: 1, fsync: false, validate: 'off', writer: { maxRecordBytes: 1 << 20 } });
  expectBalanced(r.counts);
  expect(r.counts.recordsIn).toBe(40);
  expect(r.counts.failuresByReason).toEqual({ 'record-too-large': 1 });
  const [dead, ...more] = readDeadLetters(out);
  expect(more).toEqual([]);
  expect(dead).toMatchObject({ reason: 'record-too-large', source: 'CLOUD_TRAIL_MGMT', input: name, index: at });
  expect(dead!.message).toMatch(/about \d+ bytes, over the limit of 1048576 \(maxRecordBytes\)/);
  // Nothing is lost: the dead letter keeps the raw record and the mapped event, both with the whole policy.
  expect((dead!.raw as { requestParameters: { policy: string } }).requestParameters.policy).toHaveLength(2 << 20);
  expect((dead!.event as { api: { request: { data: string } } }).api.request.data).toBe(JSON.stringify({ policy: 'p'.repeat(2 << 20) }));
  expect(r.counts.eventsWritten + r.counts.filtered).toBe(39);
});
