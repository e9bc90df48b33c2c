/**
 * `ocsf-lake map --source cloudtrail ...` end to end (issue 3 item 6), spawning the built CLI (test/cli-bin.ts):
 * the exact form reviewers use on an AWS-native input, goldens at both versions, gzip and stdin input,
 * `--dlq`, the summary as the last stderr line, member selection (records of another CloudTrail source
 * are filtered), and usage errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = join(ROOT, 'test/golden/cloudtrail');
const NATIVE = resolve(ROOT, '../shared/aws-native/1.0.0-rc.2/CLOUD_TRAIL');
const cli = (args: string[], input?: string | Buffer) =>
  spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', input });
const ndjson = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const lastLine = (s: string) => s.trim().split('\n').at(-1)!;
const golden = (name: string, v: string) => JSON.parse(readFileSync(join(GOLDEN, `${name}.${v}.ocsf.json`), 'utf8'));

describe('ocsf-lake map --source cloudtrail', () => {
  it('maps an AWS-native input .gz at 1.0 (the form reviewers use)', () => {
    const r = cli(['map', '--source', 'cloudtrail', '--source-version', '1.0', join(NATIVE, 'account_change/input/CreateUser.test.gz')]);
    expect(r.status).toBe(0);
    const [ev] = ndjson(r.stdout);
    expect(ev).toMatchObject({ class_uid: 3001, type_uid: 300101, metadata: { version: '1.0.0-rc.2' }, user: { name: 'test_user2', uid: 'AIDA2W7SOKHDM47UMJRTX' } });
    expect(lastLine(r.stderr)).toBe('summary: records in 1, events 1 (CLOUD_TRAIL_MGMT 1), failures 0, filtered 0');
  });

  it('prints golden events in input order at both versions, 2.0 by default', () => {
    const r1 = cli(['map', '--source', 'cloudtrail', '--source-version', '1.0', join(GOLDEN, 'console_login.raw.jsonl')]);
    expect(ndjson(r1.stdout)).toStrictEqual(golden('console_login', '1.0'));
    const r2 = cli(['map', '--source', 'cloudtrail', join(GOLDEN, 'api_activity_verbs.raw.jsonl'), join(GOLDEN, 's3_data_events.raw.json')]);
    expect(r2.status).toBe(0);
    expect(ndjson(r2.stdout)).toStrictEqual([...golden('api_activity_verbs', '2.0'), ...golden('s3_data_events', '2.0')]);
    expect(lastLine(r2.stderr)).toBe('summary: records in 7, events 7 (CLOUD_TRAIL_MGMT 5, S3_DATA 2), failures 0, filtered 0');
  });

  it('reads gzip from stdin (-)', () => {
    const r = cli(['map', '--source', 'CLOUD_TRAIL_MGMT', '--source-version', '2.0', '-'], gzipSync(readFileSync(join(GOLDEN, 'iam_create_user.raw.json'))));
    expect(r.status).toBe(0);
    expect(ndjson(r.stdout)).toStrictEqual(golden('iam_create_user', '2.0'));
  });

  it('filters records of the other CloudTrail sources when one member is asked for', () => {
    const mixed = JSON.stringify({
      Records: [
        ...JSON.parse(readFileSync(join(GOLDEN, 's3_data_events.raw.json'), 'utf8')).Records,
        JSON.parse(readFileSync(join(GOLDEN, 'lambda_invoke.raw.json'), 'utf8')),
        JSON.parse(readFileSync(join(GOLDEN, 'iam_create_user.raw.json'), 'utf8')),
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), 'ct-cli-'));
    const file = join(dir, 'trail.json');
    writeFileSync(file, mixed);
    const r = cli(['map', '--source', 'LAMBDA_EXECUTION', '--source-version', '1.0', file]);
    expect(r.status).toBe(0);
    expect(ndjson(r.stdout)).toStrictEqual(golden('lambda_invoke', '1.0'));
    expect(lastLine(r.stderr)).toBe(
      'summary: records in 4, events 1 (LAMBDA_EXECUTION 1), failures 0, filtered 3 (other-source:S3_DATA 2, other-source:CLOUD_TRAIL_MGMT 1)',
    );
  });

  it('dead-letters failures to --dlq and keeps going; the summary counts them by reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-cli-'));
    const file = join(dir, 'mixed.jsonl');
    const good = readFileSync(join(GOLDEN, 'iam_create_user.raw.json'), 'utf8').trim();
    writeFileSync(file, [good, good.replace('"eventTime":"2024-05-01T15:00:00Z",', ''), '[1,2]', good.replace('2024-05-01T15:00:00Z', 'soon')].join('\n'));
    const dlq = join(dir, 'dlq.ndjson');
    const r = cli(['map', '--source', 'cloudtrail', '--source-version', '1.0', '--dlq', dlq, file]);
    expect(r.status).toBe(0);
    expect(ndjson(r.stdout)).toHaveLength(1);
    const failures = ndjson(readFileSync(dlq, 'utf8'));
    expect(failures.map((f) => [f.reason, f.source, f.line])).toEqual([
      ['missing-field', 'cloudtrail', 2],
      ['not-an-object', 'cloudtrail', 3],
      ['invalid-time', 'cloudtrail', 4],
    ]);
    expect(failures[0].raw.eventName).toBe('CreateUser');
    expect(lastLine(r.stderr)).toBe('summary: records in 4, events 1 (CLOUD_TRAIL_MGMT 1), failures 3 (missing-field 1, not-an-object 1, invalid-time 1), filtered 0');
  });

  it('fails with a clear message on usage errors and unreadable files', () => {
    const bad = cli(['map', '--source', 'cloudtrail', '--source-version', '3.0', join(GOLDEN, 'resources.raw.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no source version 3\.0/);
    const missing = cli(['map', '--source', 'cloudtrail', join(GOLDEN, 'does-not-exist.json')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/cannot read .*does-not-exist\.json/);
  });
});
