/**
 * `--out` is checked with a real write of a probe object (then deleted) before any input is read, locally and
 * on S3 (s3rver): an unusable lake root is one line and exit 2. An unexpected error is one line naming the file
 * that holds its trace.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLine } from '../../src/cli/crash.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import { CLI, runCli } from '../cli-bin.js';
import { startS3 } from '../lake/helpers.js';
import type { TestS3 } from '../lake/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-cli-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const input = join(tmp, 'trail.json.gz');
writeFileSync(input, [...generateSampleFiles('cloudtrail', 4, { perFile: 4, seed: 9 })][0]!.bytes);

/** The CLI as a child process that does not block this one (s3rver runs here). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('--out on the local file system', () => {
  it('under a regular file: one line, exit 2, before any input is read', () => {
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, 'x');
    for (const cmd of [['ingest', input], ['replay', tmp]]) {
      const r = runCli([cmd[0]!, '--out', join(file, 'lake'), cmd[1]!]);
      expect(r.status, cmd[0]).toBe(2);
      expect(r.stdout, cmd[0]).toBe('');
      expect(r.stderr, cmd[0]).toBe(`ocsf-lake ${cmd[0]}: cannot write to --out ${join(file, 'lake')}: a path component is not a directory (see: ocsf-lake ${cmd[0]} --help)\n`);
    }
  });

  it('a writable root keeps no probe behind', () => {
    const out = join(tmp, 'lake');
    const r = runCli(['ingest', '--out', out, input]);
    expect(r.status, r.stderr).toBe(0);
    expect(runCli(['ingest', '--out', out, input]).status).toBe(0);
    const left = (readdirSync(out, { recursive: true }) as string[]).filter((p) => p.includes('probe'));
    expect(left).toEqual([]);
  });
});

describe('--out on S3 (s3rver)', () => {
  let s3: TestS3;
  const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(() => s3.close());

  it('a bucket that does not exist: one line naming the S3 error, exit 2', async () => {
    const r = await cli(['ingest', '--endpoint', s3.endpoint, '--path-style', '--out', 's3://no-such-bucket/ocsf', input], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ocsf-lake ingest: cannot write to --out s3:\/\/no-such-bucket\/ocsf: NoSuchBucket: [^\n]+\n$/);
  });

  it('a writable bucket: the run writes, and the probe object is deleted', async () => {
    const r = await cli(['ingest', '--endpoint', s3.endpoint, '--path-style', '--out', 's3://lake/ocsf', input], env);
    expect(r.code, r.stderr).toBe(0);
    const keys = (await s3.client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'ocsf/' }))).Contents!.map((o) => o.Key!);
    expect(keys.some((k) => k.endsWith('.parquet'))).toBe(true);
    expect(keys.filter((k) => k.includes('probe'))).toEqual([]);
  });
});

describe('map --dlq', () => {
  it('a path that cannot be written is one line, exit 2, before any input is read', () => {
    const r = runCli(['map', '--source', 'cloudtrail', '--dlq', join(tmp, 'no-dir', 'dlq.ndjson'), input]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ocsf-lake map: cannot write --dlq ${join(tmp, 'no-dir', 'dlq.ndjson')}: no such file or directory (see: ocsf-lake map --help)\n`);
  });
});

describe('an unexpected error', () => {
  it('thrown where nothing catches it (here by a --source-module) is one line naming the trace file, exit 1', () => {
    const plugin = join(tmp, 'boom.mjs');
    writeFileSync(plugin, "setTimeout(() => { throw new Error('boom from a plugin'); }, 0);\n");
    const r = runCli(['map', '--source', 'cloudtrail', '--source-module', plugin, input]);
    expect(r.status).toBe(1);
    const m = /^ocsf-lake: unexpected error: boom from a plugin \(full trace in (.+); please report it\)\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(readFileSync(m![1]!, 'utf8')).toContain(`at Timeout._onTimeout (file://${plugin}`);
    rmSync(m![1]!);
  });

  it('is one line naming the file that holds the full trace', () => {
    const err = new Error('boom\nsecond line');
    const line = crashLine(err, ['ingest', '--out', 'x']);
    expect(line).not.toContain('\n');
    const m = /^ocsf-lake: unexpected error: boom second line \(full trace in (.+); please report it\)$/.exec(line);
    expect(m).not.toBeNull();
    expect(existsSync(m![1]!)).toBe(true);
    const trace = readFileSync(m![1]!, 'utf8');
    expect(trace).toContain('ocsf-lake ingest --out x');
    expect(trace).toContain(err.stack!.split('\n')[1]!.trim());
    rmSync(m![1]!);
  });
});

