/**
 * The S3 store against s3rver 3.7.1 on loopback.
 *
 * What is proven here, exactly:
 * 1. s3rver 3.7.1 does NOT honour conditional PUT headers (`If-None-Match: *` and a wrong `If-Match`
 *    both succeed) — first test. So s3rver alone cannot show compare-and-swap.
 * 2. The whole DataLake API works over S3 (s3rver): documents are JSON objects under
 *    `<prefix>/_ocsf_lake/`, read back by ETag.
 * 3. The S3 store sends `If-None-Match: *` when the document does not exist and `If-Match: <the ETag
 *    it read>` otherwise (checked by a proxy against the object's real ETag on s3rver), and on a
 *    412 PreconditionFailed or 409 ConditionalRequestConflict it re-reads the object and re-applies
 *    its change, so a competing write made in between (by a second lake talking to s3rver directly)
 *    is kept together with its own change. The proxy plays the role of S3's condition check only for
 *    the attempts it rejects; it does not implement conditional writes for the others.
 * 4. Retries are bounded (ConflictException) and S3 errors map to the API's exceptions.
 * Not proven here: that real S3 evaluates `If-Match` atomically — that is AWS's documented behaviour
 * for conditional writes, on which the S3 store relies. The local store's compare-and-swap is proven
 * under real concurrency in concurrency.test.ts.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedException, ConflictException, openDataLake, ResourceNotFoundException, ThrottlingException } from '../../src/index.js';
import { registerTestSource, s3ClientFor, startS3, TEST_SOURCE } from './helpers.js';
import type { TestS3 } from './helpers.js';

registerTestSource();
const A1 = '111111111111';
const A2 = '222222222222';
let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
type Reply = { status: number; body?: string; headers?: Record<string, string> };

/** A pass-through HTTP proxy in front of s3rver; `handler` may answer a request itself instead. */
async function startProxy(target: string, handler: (r: ProxiedRequest) => Promise<Reply | undefined>): Promise<{ endpoint: string; server: Server }> {
  const t = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: ProxiedRequest = { method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      const reply = await handler(r);
      if (reply) {
        res.writeHead(reply.status, { 'content-type': 'application/xml', ...reply.headers });
        res.end(reply.body ?? '');
        return;
      }
      const up = request({ host: t.hostname, port: t.port, method: r.method, path: r.path, headers: r.headers }, (ur) => {
        res.writeHead(ur.statusCode!, ur.headers);
        ur.pipe(res);
      });
      up.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const s3Error = (status: number, code: string, message: string): Reply => ({
  status,
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>test</RequestId></Error>`,
});
const isConditionalPut = (r: ProxiedRequest, suffix: string) =>
  r.method === 'PUT' && r.path.split('?')[0]!.endsWith(suffix) && (r.headers['if-match'] !== undefined || r.headers['if-none-match'] !== undefined);

async function etagOf(key: string): Promise<string> {
  return (await s3.client.send(new HeadObjectCommand({ Bucket: 'lake', Key: key }))).ETag!;
}

describe('s3rver 3.7.1', () => {
  it('ignores conditional PUT headers (so the retry path is tested through a proxy below)', async () => {
    const Key = 'probe/conditional.txt';
    await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key, Body: 'a', IfNoneMatch: '*' }));
    const second = await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key, Body: 'b', IfNoneMatch: '*' }));
    const third = await s3.client.send(new PutObjectCommand({ Bucket: 'lake', Key, Body: 'c', IfMatch: '"00000000000000000000000000000000"' }));
    expect(second.ETag).toBeDefined();
    expect(third.ETag).toBeDefined();
    const body = await (await s3.client.send(new GetObjectCommand({ Bucket: 'lake', Key }))).Body!.transformToString();
    expect(body).toBe('c'); // a real S3 would have answered 412 to both the second and the third PUT
  });
});

describe('DataLake on S3', () => {
  it('runs the API over s3://bucket/prefix with JSON documents under _ocsf_lake/', async () => {
    const lake = openDataLake({ root: 's3://lake/tenant-a/', s3Client: s3.client, ownerAccountId: '999999999999' });
    const created = await lake.createDataLake({ regions: ['us-east-1'] });
    expect(created.dataLakes[0]).toMatchObject({
      dataLakeArn: 'arn:aws:securitylake:us-east-1:999999999999:data-lake/default',
      s3BucketArn: 'arn:aws:s3:::lake',
    });
    await lake.createAwsLogSource({ sources: [{ sourceName: TEST_SOURCE, accounts: [A1], regions: ['us-east-1'] }] });
    await lake.recordCollection([{ account: A1, region: 'us-east-1', sourceName: TEST_SOURCE, sourceVersion: '1.1', events: 3, lastEventTime: 0 }]);
    expect((await lake.collectionPlan()).lookup(TEST_SOURCE, 'us-east-1', A1)).toEqual({ collect: true, versions: ['1.1'] });
    expect((await lake.listLogSources()).sources).toEqual([
      { account: A1, region: 'us-east-1', sources: [{ awsLogSource: { sourceName: TEST_SOURCE, sourceVersion: '1.1' } }] },
    ]);
    const res = await lake.getDataLakeSources({ accounts: [A1] });
    expect(res.dataLakeArn).toBe('arn:aws:securitylake:us-east-1:999999999999:data-lake/default');
    expect(res.dataLakeSources.find((s) => s.sourceName === TEST_SOURCE)!.sourceStatuses).toMatchObject([
      { resource: `s3://lake/tenant-a/aws/${TEST_SOURCE}/1.1/region=us-east-1/accountId=${A1}/`, status: 'COLLECTING', eventCount: 3 },
    ]);
    // Unfiltered status lists the status objects.
    expect((await lake.getDataLakeSources()).dataLakeSources.some((s) => s.account === A1)).toBe(true);
    const obj = await s3.client.send(new GetObjectCommand({ Bucket: 'lake', Key: 'tenant-a/_ocsf_lake/datalake.json' }));
    expect(JSON.parse(await obj.Body!.transformToString())).toMatchObject({ format: 'ocsf-lake.datalake', revision: 2 });
    await s3.client.send(new HeadObjectCommand({ Bucket: 'lake', Key: `tenant-a/_ocsf_lake/status/${A1}.json` }));
  });

  it('reports a missing bucket as ResourceNotFoundException (not as an empty lake)', async () => {
    const lake = openDataLake({ root: 's3://no-such-bucket/x', s3Client: s3.client });
    const err = await lake.listDataLakes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect((err as ResourceNotFoundException).resourceType).toBe('Bucket');
  });
});

describe('S3 compare-and-swap retry (proxy injects lost races)', () => {
  it('412 on If-Match after a competing write: re-reads, re-applies, writes with the new ETag, keeps both changes', async () => {
    const root = 's3://lake/race-412';
    const key = 'race-412/_ocsf_lake/datalake.json';
    const direct = openDataLake({ root, s3Client: s3.client });
    await direct.createDataLake({ regions: ['us-east-1'] });
    const seen: { ifMatch?: string; ifNoneMatch?: string; current: string }[] = [];
    const proxy = await startProxy(s3.endpoint, async (r) => {
      if (!isConditionalPut(r, key)) return undefined;
      seen.push({ ifMatch: r.headers['if-match'] as string, ifNoneMatch: r.headers['if-none-match'] as string, current: await etagOf(key) });
      if (seen.length > 1) return undefined;
      // Another writer gets in first; S3 would then reject this stale conditional PUT.
      await direct.createAwsLogSource({ sources: [{ sourceName: TEST_SOURCE, accounts: [A2], regions: ['us-east-1'] }] });
      return s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    });
    try {
      let conflicts = 0;
      const viaProxy = openDataLake({ root, s3Client: s3ClientFor(proxy.endpoint), onConflict: () => conflicts++ });
      expect(await viaProxy.createAwsLogSource({ sources: [{ sourceName: TEST_SOURCE, accounts: [A1], regions: ['us-east-1'] }] })).toEqual({ failed: [] });
      expect(conflicts).toBe(1);
      expect(seen).toHaveLength(2);
      // Each attempt presented the ETag of the object as it was when that attempt read it.
      expect(seen[0]!.ifMatch).toBe(seen[0]!.current);
      expect(seen[1]!.ifMatch).toBe(seen[1]!.current);
      expect(seen[1]!.ifMatch).not.toBe(seen[0]!.ifMatch);
      const doc = await direct.readConfiguration();
      expect(doc.sources.map((s) => s.accounts)).toEqual([[A1, A2]]);
      expect(doc.revision).toBe(3);
    } finally {
      proxy.server.close();
    }
  });

  it('412 on If-None-Match: * (the document was created meanwhile): retries with If-Match', async () => {
    const root = 's3://lake/race-create';
    const key = 'race-create/_ocsf_lake/datalake.json';
    const direct = openDataLake({ root, s3Client: s3.client });
    const seen: { ifMatch?: string; ifNoneMatch?: string; current?: string }[] = [];
    const proxy = await startProxy(s3.endpoint, async (r) => {
      if (!isConditionalPut(r, key)) return undefined;
      const current = await etagOf(key).catch(() => undefined);
      seen.push({ ifMatch: r.headers['if-match'] as string, ifNoneMatch: r.headers['if-none-match'] as string, ...(current ? { current } : {}) });
      if (seen.length > 1) return undefined;
      await direct.createDataLake({ regions: ['eu-west-1'] });
      return s3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    });
    try {
      const viaProxy = openDataLake({ root, s3Client: s3ClientFor(proxy.endpoint) });
      await viaProxy.createDataLake({ regions: ['us-east-1'] });
      expect(seen[0]).toEqual({ ifNoneMatch: '*', ifMatch: undefined });
      expect(seen[1]!.ifNoneMatch).toBeUndefined();
      expect(seen[1]!.ifMatch).toBe(seen[1]!.current); // the ETag of the object the competitor created
      expect((await direct.listDataLakes()).dataLakes.map((d) => d.region)).toEqual(['eu-west-1', 'us-east-1']);
    } finally {
      proxy.server.close();
    }
  });

  it('409 ConditionalRequestConflict on a status document is retried; both runs are counted', async () => {
    const root = 's3://lake/race-409';
    const key = `race-409/_ocsf_lake/status/${A1}.json`;
    const direct = openDataLake({ root, s3Client: s3.client });
    const stat = { account: A1, region: 'us-east-1', sourceName: TEST_SOURCE, sourceVersion: '1.1', events: 5 };
    await direct.recordCollection([stat], { runId: 'first' });
    let n = 0;
    const proxy = await startProxy(s3.endpoint, async (r) => {
      if (!isConditionalPut(r, key) || n++ > 0) return undefined;
      await direct.recordCollection([{ ...stat, events: 7 }], { runId: 'competitor' });
      return s3Error(409, 'ConditionalRequestConflict', 'A conflicting conditional action is currently in progress against this resource.');
    });
    try {
      const viaProxy = openDataLake({ root, s3Client: s3ClientFor(proxy.endpoint) });
      expect(await viaProxy.recordCollection([{ ...stat, events: 11 }], { runId: 'mine' })).toEqual({ recorded: 1, duplicates: 0 });
      const st = await direct.readCollectionStatus(A1);
      expect(st!.entries[0]).toMatchObject({ eventCount: 23, runs: 3, recentRunIds: ['first', 'competitor', 'mine'] });
    } finally {
      proxy.server.close();
    }
  });

  it('gives up with ConflictException after maxAttempts lost races, without writing', async () => {
    const root = 's3://lake/race-forever';
    const key = 'race-forever/_ocsf_lake/datalake.json';
    let attempts = 0;
    const proxy = await startProxy(s3.endpoint, async (r) => {
      if (!isConditionalPut(r, key)) return undefined;
      attempts++;
      return s3Error(412, 'PreconditionFailed', 'nope');
    });
    try {
      const viaProxy = openDataLake({ root, s3Client: s3ClientFor(proxy.endpoint), maxAttempts: 4 });
      const err = await viaProxy.createDataLake({ regions: ['us-east-1'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictException);
      expect((err as ConflictException).resourceType).toBe('DataLakeConfiguration');
      expect(attempts).toBe(4);
      expect((await openDataLake({ root, s3Client: s3.client }).listDataLakes()).dataLakes).toEqual([]);
    } finally {
      proxy.server.close();
    }
  });

  it('maps S3 403 to AccessDeniedException and 503 SlowDown to ThrottlingException', async () => {
    const proxy = await startProxy(s3.endpoint, async (r) => {
      if (r.path.includes('/denied/')) return s3Error(403, 'AccessDenied', 'Access Denied');
      if (r.path.includes('/slow/')) return s3Error(503, 'SlowDown', 'Please reduce your request rate.');
      return undefined;
    });
    try {
      const client = s3ClientFor(proxy.endpoint, 1);
      const denied = await openDataLake({ root: 's3://lake/denied', s3Client: client }).listDataLakes().catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(AccessDeniedException);
      expect((denied as AccessDeniedException).errorCode).toBe('AccessDenied');
      const slow = await openDataLake({ root: 's3://lake/slow', s3Client: client }).listDataLakes().catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(ThrottlingException);
    } finally {
      proxy.server.close();
    }
  });
});
