/**
 * Dead letters are complete and replayable, per source: a record refused by a limit (the "cause") is
 * dead-lettered; replaying the dead letter once the limit is raised (the "fix") writes the very row a clean
 * run writes — including what only the delivery envelope said (a CloudWatch Logs payload's account and log
 * group region) and what only the file's header said (a VPC custom format).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest, replay } from '../../src/index.js';
import type { InputSource } from '../../src/index.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import { lakeScan, query } from '../writer/helpers.js';
import { expectBalanced, tempDir } from './helpers.js';

const tmp = tempDir('ocsf-replay-fix-');
afterAll(() => tmp.cleanup());

const sampleText = (family: Parameters<typeof generateSampleFiles>[0], n: number) =>
  gunzipSync([...generateSampleFiles(family, n, { perFile: n, seed: 9 })][0]!.bytes).toString('utf8');
const nested = (depth: number): unknown => (depth <= 1 ? { leaf: 'x' } : { a: nested(depth - 1) });

interface Case {
  source: string;
  input: InputSource;
  /** The limit that refuses exactly one record, and its reason. */
  limits: { maxDepth?: number; maxRecordBytes?: number };
  reason: string;
  /** Selects the refused record's row. */
  where: string;
  context?: { region?: string; accountId?: string };
}

const cases: Record<string, () => Case> = {
  'CloudTrail (S3 document)': () => {
    const doc = JSON.parse(sampleText('cloudtrail', 8)) as { Records: Record<string, unknown>[] };
    const i = doc.Records.findIndex((x) => x.eventCategory === 'Management' && x.requestID !== undefined && x.eventSource !== 'signin.amazonaws.com');
    doc.Records[i] = { ...doc.Records[i], eventID: 'deep-one', requestParameters: nested(12) };
    return { source: 'cloudtrail', input: { name: 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/14/ct.json.gz', bytes: gzipSync(JSON.stringify(doc)) }, limits: { maxDepth: 10 }, reason: 'too-deep', where: "metadata.uid = 'deep-one'" };
  },
  'VPC flow (custom header)': () => {
    const text = [
      'version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status',
      '3 vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f60001 eni-0a1b2c3d4e5f60001 123456789012 IPv4 10.0.1.5 10.0.2.6 40001 443 10.0.1.5 10.0.2.6 6 3400 12 1700000000 1700000060 ACCEPT 2 OK',
      '3 vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f60001 eni-0a1b2c3d4e5f60001 123456789012 IPv4 10.0.1.5 10.0.2.6 40002 443 10.0.1.5 10.0.2.6 6 340000000000000 1200000000000 1700000000 1700000060 ACCEPT 2 OK',
      '3 vpc-0a1b2c3d subnet-0a1b2c3d i-0a1b2c3d4e5f60001 eni-0a1b2c3d4e5f60001 123456789012 IPv4 10.0.1.5 10.0.2.6 40003 443 10.0.1.5 10.0.2.6 6 3400 12 1700000000 1700000060 REJECT 2 OK',
    ].join('\n');
    return { source: 'VPC_FLOW', input: { name: 'vpc.log', bytes: Buffer.from(text + '\n') }, limits: { maxRecordBytes: 190 }, reason: 'record-too-large', where: 'src_endpoint.port = 40002', context: { region: 'eu-west-1' } };
  },
  'Route 53 (NDJSON)': () => {
    const lines = sampleText('route53', 6).trimEnd().split('\n');
    lines[3] = JSON.stringify({ ...JSON.parse(lines[3]!), query_name: `${'long-'.repeat(60)}.example.com.` });
    return { source: 'ROUTE53', input: { name: 'r53.log', bytes: Buffer.from(lines.join('\n') + '\n') }, limits: { maxRecordBytes: 600 }, reason: 'record-too-large', where: `query.hostname = '${'long-'.repeat(60)}.example.com.'` };
  },
  'EKS audit (CloudWatch Logs subscription payload)': () => {
    const payload = JSON.parse(sampleText('eks_audit', 4).split('\n')[0]!) as { owner: string; logGroup: string; logEvents: { message: string }[] };
    payload.owner = '444455556666';
    payload.logGroup = 'arn:aws:logs:ap-southeast-5:444455556666:log-group:/aws/eks/c1/cluster';
    const rec = JSON.parse(payload.logEvents[1]!.message) as Record<string, unknown>;
    payload.logEvents[1]!.message = JSON.stringify({ ...rec, auditID: 'deep-audit', requestObject: nested(12) });
    return { source: 'EKS_AUDIT', input: { name: 'eks.json', bytes: Buffer.from(JSON.stringify(payload)) }, limits: { maxDepth: 10 }, reason: 'too-deep', where: "api.request.uid = 'deep-audit'" };
  },
  'Security Hub (findings)': () => {
    // EventBridge events, one per line, each with detail.findings.
    const findings = sampleText('security_hub', 3)
      .trimEnd()
      .split('\n')
      .flatMap((l) => (JSON.parse(l) as { detail: { findings: Record<string, unknown>[] } }).detail.findings);
    findings[0] = { ...findings[0], Id: 'deep-finding', Extra: nested(12) };
    return { source: 'SH_FINDINGS', input: { name: 'sh.json', bytes: Buffer.from(findings.map((f) => JSON.stringify(f)).join('\n') + '\n') }, limits: { maxDepth: 10 }, reason: 'too-deep', where: "finding_info.uid = 'deep-finding'" };
  },
};

describe('replaying a dead letter once its cause is fixed gives the clean run\'s row', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(name, async () => {
      const c = make();
      const dir = join(tmp.dir, name.replace(/\W+/g, '-'));
      const base = { source: c.source, workers: 1, fsync: false, validate: 'all' as const, progressIntervalMs: 0, ...(c.context ? { context: c.context } : {}) };
      const clean = await ingest([c.input], { ...base, out: join(dir, 'clean') });
      expectBalanced(clean.counts);
      expect(clean.counts.failures).toBe(0);

      const refused = await ingest([c.input], { ...base, out: join(dir, 'refused'), limits: c.limits });
      expect(refused.counts.failuresByReason).toEqual({ [c.reason]: 1 });
      expect(refused.counts.eventsWritten).toBe(clean.counts.eventsWritten - 1);

      const replayed = await replay([join(dir, 'refused', 'dlq')], { out: join(dir, 'replayed'), workers: 1, fsync: false, validate: 'all', progressIntervalMs: 0 });
      expect(replayed.counts.failures).toBe(0);
      expect(replayed.counts.eventsWritten).toBe(1);

      const want = await query(`SELECT * FROM ${lakeScan(join(dir, 'clean'))} WHERE ${c.where}`);
      const got = await query(`SELECT * FROM ${lakeScan(join(dir, 'replayed'))} WHERE ${c.where}`);
      expect(want).toHaveLength(1);
      expect(got).toEqual(want);
    }, 60_000);
  }
});

describe('a line with a bad byte, repaired in its dead letter, replays to the clean run\'s row', () => {
  it('VPC flow text with a custom header, region and account from the S3 key', async () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction';
    const line = (port: number, action = 'ACCEPT') => `5 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.5 10.0.2.6 ${port} 443 6 12 3400 1700000000 1700000060 ${action} OK egress`;
    const name = 'AWSLogs/123456789012/vpcflowlogs/eu-west-3/2024/03/14/123456789012_vpcflowlogs_eu-west-3_fl-1_20240314T0000Z_a1b2c3d4.log';
    const clean = Buffer.from([header, line(40001), line(40002), line(40003)].join('\n') + '\n');
    const broken = Buffer.from(clean);
    broken[clean.indexOf(line(40002)) + line(40002).indexOf('ACCEPT') + 3] = 0xff; // ACC\xffPT
    const dir = join(tmp.dir, 'vpc-utf8');
    const base = { source: 'VPC_FLOW', workers: 1, fsync: false, validate: 'all' as const, progressIntervalMs: 0 };
    await ingest([{ name, bytes: clean }], { ...base, out: join(dir, 'clean') });
    const refused = await ingest([{ name, bytes: broken }], { ...base, out: join(dir, 'refused') });
    expect(refused.counts.failuresByReason).toEqual({ 'invalid-utf8': 1 });
    expect(refused.counts.eventsWritten).toBe(2);

    // The dead letter holds the line's bytes as they were, its header and the region/account of the key.
    const [dlqFile] = refused.dlqFiles;
    const entry = JSON.parse(gunzipSync(readFileSync(join(dir, 'refused', dlqFile!))).toString('utf8')) as { raw: { base64: string }; header: string; region: string; accountId: string };
    expect(entry).toMatchObject({ header: header.replace(/-/g, '_'), region: 'eu-west-3', accountId: '123456789012' });
    const bytes = Buffer.from(entry.raw.base64, 'base64');
    expect(bytes.equals(broken.subarray(clean.indexOf(line(40002)), clean.indexOf(line(40002)) + line(40002).length))).toBe(true);

    // Replayed as it is, it fails the same way (its format travelled: not a field-count mismatch) ...
    const again = await replay([join(dir, 'refused', 'dlq')], { out: join(dir, 'again'), workers: 1, fsync: false, progressIntervalMs: 0 });
    expect(again.counts.failuresByReason).toEqual({ 'invalid-utf8': 1 });
    // ... and once its byte is repaired, it gives the clean run's row.
    bytes[bytes.indexOf(0xff)] = 0x45; // E
    mkdirSync(join(dir, 'repaired'), { recursive: true });
    writeFileSync(join(dir, 'repaired', 'fixed.ndjson.gz'), gzipSync(JSON.stringify({ ...entry, raw: { base64: bytes.toString('base64'), bytes: bytes.length } }) + '\n'));
    const fixed = await replay([join(dir, 'repaired')], { out: join(dir, 'replayed'), workers: 1, fsync: false, validate: 'all', progressIntervalMs: 0 });
    expect(fixed.counts.failures).toBe(0);
    const want = await query(`SELECT * FROM ${lakeScan(join(dir, 'clean'))} WHERE src_endpoint.port = 40002`);
    const got = await query(`SELECT * FROM ${lakeScan(join(dir, 'replayed'))} WHERE src_endpoint.port = 40002`);
    expect(want).toHaveLength(1);
    expect(got).toEqual(want);
  }, 60_000);
});
