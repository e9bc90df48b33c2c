/**
 * The exactly-once harness checked on its own, so that a scenario failure is the product's and not the
 * harness's: the conditional-write proxy behaves as S3 does where s3rver does not, s3rver comes back with its
 * data after an outage, every kill trigger lands while the CLI runs (and not after), and the read-back is
 * deterministic (two clean runs with different worker counts read back identical) yet catches a
 * duplicated data file. (That the S3 sink writes the same events as the local one is what every S3 scenario
 * checks: its lake against a clean local run.)
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/samples/random.js';
import { s3ClientFor } from '../lake/helpers.js';
import { describeRun, parseSummary, runCli, scenario, SEED } from './cli-runs.js';
import type { CliRun } from './cli-runs.js';
import { writeBaseInputs } from './inputs.js';
import type { InputSet } from './inputs.js';
import { multisetDiff, readLake, rowsPerDataFile } from './lake-readback.js';
import { ingestArgs, localTarget, prefixOf, s3Target } from './lakes.js';
import type { LakeTarget } from './lakes.js';
import { BUCKET } from './s3-server.js';

let local: LakeTarget;
let s3: LakeTarget;
let inputs: InputSet;

beforeAll(async () => {
  local = localTarget();
  s3 = await s3Target();
  inputs = writeBaseInputs(join(local.tmp, 'in'), SEED);
});
afterAll(async () => {
  await local?.close();
  await s3?.close();
});

const errorCode = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}`,
  );

describe('the conditional-write proxy in front of s3rver', () => {
  let viaProxy: S3Client;
  beforeAll(() => {
    viaProxy = s3ClientFor(s3.proxy!.endpoint, 1);
  });
  const put = (c: S3Client, key: string, body: string, cond: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
    c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...cond }));

  it('s3rver alone ignores If-None-Match (why the proxy exists)', async () => {
    expect(await errorCode(put(s3.s3!.client, 'h/plain', 'a', { IfNoneMatch: '*' }))).toBe('ok');
    expect(await errorCode(put(s3.s3!.client, 'h/plain', 'b', { IfNoneMatch: '*' }))).toBe('ok');
  });

  it('answers If-None-Match: * with 412 PreconditionFailed when the key exists, and If-Match by ETag', async () => {
    const first = await put(viaProxy, 'h/doc', 'v1', { IfNoneMatch: '*' });
    expect(await errorCode(put(viaProxy, 'h/doc', 'v1-again', { IfNoneMatch: '*' }))).toBe('412 PreconditionFailed');
    expect(await errorCode(put(viaProxy, 'h/doc', 'v2', { IfMatch: '"0123456789abcdef0123456789abcdef"' }))).toBe('412 PreconditionFailed');
    const second = await put(viaProxy, 'h/doc', 'v2', { IfMatch: first.ETag! });
    expect(await errorCode(put(viaProxy, 'h/doc', 'v3', { IfMatch: first.ETag! }))).toBe('412 PreconditionFailed');
    expect(await errorCode(put(viaProxy, 'h/missing', 'x', { IfMatch: second.ETag! }))).toBe('404 NoSuchKey');
    const got = await s3.s3!.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'h/doc' }));
    expect(await got.Body!.transformToString()).toBe('v2');
  });

  it('lets exactly one of 12 racing If-None-Match writers of one key win', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => errorCode(put(viaProxy, 'h/race', `writer ${i}`, { IfNoneMatch: '*' }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === '412 PreconditionFailed')).toHaveLength(11);
  });

  it('s3rver restarts on the same port with its data; while it is down, requests fail', async () => {
    await put(s3.s3!.client, 'h/survives', 'still here');
    await s3.s3!.stop();
    expect(await errorCode(put(s3ClientFor(s3.s3!.endpoint, 1), 'h/down', 'x'))).not.toBe('ok');
    await s3.s3!.start();
    const got = await s3.s3!.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'h/survives' }));
    expect(await got.Body!.transformToString()).toBe('still here');
  });
});

/** Today's accounting identity of a summary (the fields every version prints). */
function expectIdentity(r: CliRun): ReturnType<typeof parseSummary> {
  expect(r.code, describeRun(r)).toBe(0);
  const s = parseSummary(r);
  expect(s.recordsIn, describeRun(r)).toBe(s.eventsWritten + s.failures + s.filtered + (s.recordsNotStored ?? 0));
  expect(s.balanced).toBe(true);
  return s;
}

describe('kill triggers land while the CLI runs', () => {
  const rnd = new Random(SEED);
  const plain = (t: LakeTarget, lake: string, workers: string) => ingestArgs(t, lake, [inputs.dir], ['--workers', workers]);

  scenario('after a delay, when the lake gains files, and at the Nth S3 write (landed or dropped); a late trigger lets the run finish', async () => {
    const clean = await runCli('clean', plain(local, local.newLake('k-clean'), '2'));
    expectIdentity(clean);
    const delay = rnd.int(300, Math.max(301, Math.floor(clean.ms * 0.7)));
    const byDelay = await runCli('kill by delay', plain(local, local.newLake('k-delay'), '2'), { kill: { kind: 'delay', ms: delay } });
    expect(byDelay.signal, describeRun(byDelay)).toBe('SIGKILL');
    expect(byDelay.killedAt).toMatch(new RegExp(`^after ${delay} ms, \\d+ ms into the run$`));
    const lake = local.newLake('k-files');
    const byFiles = await runCli('kill by files', plain(local, lake, '1'), { kill: local.writeTrigger(lake, 3, rnd) });
    expect(byFiles.signal, describeRun(byFiles)).toBe('SIGKILL');
    expect(readdirSync(lake, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length).toBeGreaterThanOrEqual(3);
    const late = await runCli('late kill', plain(local, local.newLake('k-late'), '1'), { kill: { kind: 'delay', ms: 120_000 } });
    expect(late.killedAt, describeRun(late)).toBeUndefined();
    expectIdentity(late);

    for (const land of [true, false]) {
      const lake = s3.newLake(`k-write-${land}`);
      const at = await runCli(`kill at S3 write, ${land ? 'landed' : 'dropped'}`, plain(s3, lake, '2'), { env: s3.env, kill: { kind: 'write', proxy: s3.proxy!, prefix: prefixOf(lake), nth: 5, land } });
      expect(at.signal, describeRun(at)).toBe('SIGKILL');
      expect(at.killedAt).toMatch(new RegExp(`^at write #5 (PUT|POST|DELETE) k-write-${land}/\\S+.*, which ${land ? 'lands' : 'is dropped'}, \\d+ ms into the run$`));
    }
  });
});

describe('the read-back', () => {
  scenario('is the same for two clean runs with 1 and 2 workers, and counts a duplicated data file', async () => {
    const lakes = [local.newLake('rb-1'), local.newLake('rb-2')];
    const [one, two] = await Promise.all(lakes.map((l, i) => runCli(`clean ${i + 1} worker(s)`, ingestArgs(local, l, [inputs.dir], ['--workers', String(i + 1)]))));
    const s1 = expectIdentity(one!);
    expectIdentity(two!);
    const [a, b] = await Promise.all(lakes.map((l) => readLake(l)));
    expect(a!.rows).toBe(s1.eventsWritten);
    expect(s1.recordsIn).toBe(inputs.records + 2); // + garbage.txt (unknown-format) and empty.json.gz (empty-input)
    expect(s1.failures).toBe(3); // the wrong-type CloudTrail record and the two bad files
    expect(a!.deadLetterEntries).toBe(3);
    expect(multisetDiff(b!.events, a!.events)).toBe('');
    expect(multisetDiff(b!.deadLetters, a!.deadLetters)).toBe('');
    // Every CloudTrail event has its own eventID as metadata.uid.
    const uids = [...a!.events.keys()].map((k) => k.split(' ')[0]).filter((u) => u !== '');
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.length).toBe(s1.eventsWritten - (s1.eventsBySource as Record<string, number>)['ROUTE53@2.0']!);

    // A data file copied under a second name: the same events twice, which the comparison reports.
    const file = a!.dataFiles.find((f) => f.startsWith('aws/ROUTE53/'))!;
    copyFileSync(join(lakes[0]!, file), join(lakes[0]!, file.replace(/\.parquet$/, '-copy.parquet')));
    const n = (await rowsPerDataFile(lakes[0]!, a!)).get(file)!;
    const doubled = await readLake(lakes[0]!);
    expect(n).toBeGreaterThan(0);
    expect(doubled.rows).toBe(a!.rows + n);
    expect(multisetDiff(doubled.events, a!.events)).toBe(`${n} identities with extra copies (${n} extra rows, up to 2 copies), 0 rows not in the clean run, 0 clean-run rows missing`);
  });
});
