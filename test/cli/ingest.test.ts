/**
 * `ocsf-lake ingest`, `replay` and `demo` end to end through the built CLI: the summary table with the
 * accounting invariant, plain progress lines when stderr is not a TTY, dead letters replayed after a fix, the
 * lake's source configuration honoured, and usage errors.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSampleFiles } from '../../src/samples/index.js';
import { runCli } from '../cli-bin.js';
import { listTree } from '../pipeline/helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-cli-ingest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Parses the `name   value` lines of the summary table. */
function summary(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stdout.matchAll(/^(records in|events written|failures|filtered) +([\d,]+)$/gm)) out[m[1]!] = Number(m[2]!.replaceAll(',', ''));
  return out;
}

function writeInputs(dir: string): number {
  let records = 0;
  for (const source of ['cloudtrail', 'route53', 'eks_audit'] as const) {
    for (const f of generateSampleFiles(source, 600, { seed: 7, perFile: 300 })) {
      const p = join(dir, source, f.name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.bytes);
      records += f.records;
    }
  }
  return records;
}

describe('ocsf-lake ingest / replay', () => {
  const inputs = join(tmp, 'in');
  const records = writeInputs(inputs);

  it('ingests every source with --source auto, prints a balanced summary, and writes the Security Lake layout', () => {
    const lake = join(tmp, 'lake');
    const r = runCli(['ingest', '--source', 'auto', '--out', lake, '--workers', '2', '--region', 'us-east-1', '--validate', 'all', inputs]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const s = summary(r.stdout);
    expect(s['records in']).toBe(records);
    expect(s['records in']).toBe(s['events written']! + s['failures']! + s['filtered']!);
    expect(r.stdout).toMatch(/^accounting +balanced: /m);
    expect(r.stdout).toMatch(/CLOUD_TRAIL_MGMT@2\.0/);
    expect(r.stdout).toMatch(/EKS_AUDIT@2\.0/);
    expect(r.stdout).toMatch(/ROUTE53@2\.0/);
    const files = listTree(lake).filter((f) => f.endsWith('.parquet'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toMatch(/^aws\/[A-Z0-9_]+\/2\.0\/region=[a-z0-9-]+\/accountId=(\d{12}|external)\/eventDay=\d{8}\/[0-9a-f]+\.parquet$/);
    // The lake it wrote validates, rows and partitions alike.
    const v = runCli(['validate', lake]);
    expect(v.stdout).toMatch(new RegExp(`total: ${s['events written']} events in \\d+ files, ${s['events written']} valid, 0 invalid, 0 unreadable`));
  });

  it('dead-letters what it cannot place, and replay writes it after the fix (here: the missing --region)', () => {
    const lake = join(tmp, 'lake-replay');
    const first = runCli(['ingest', '--source', 'EKS_AUDIT', '--out', lake, '--workers', '1', join(inputs, 'eks_audit')]);
    expect(first.status).toBe(0);
    const s1 = summary(first.stdout);
    expect(s1['failures']).toBe(600);
    expect(first.stdout).toMatch(/invalid-partition +600/);
    const dlq = listTree(lake).filter((f) => f.startsWith('dlq/EKS_AUDIT/invalid-partition/eventDay='));
    expect(dlq.length).toBeGreaterThan(0);
    const again = runCli(['replay', '--out', lake, '--region', 'us-east-1', '--delete-replayed', join(lake, 'dlq')]);
    expect(again.status).toBe(0);
    const s2 = summary(again.stdout);
    expect(s2).toMatchObject({ 'records in': 600, 'events written': 600, failures: 0, filtered: 0 });
    expect(listTree(lake).filter((f) => f.startsWith('dlq/'))).toEqual([]);
    expect(listTree(lake).filter((f) => f.startsWith('aws/EKS_AUDIT/2.0/region=us-east-1/')).length).toBeGreaterThan(0);
  });

  it('honours the lake source configuration: only enabled sources and regions are written, the rest is filtered', () => {
    const lake = join(tmp, 'lake-config');
    expect(runCli(['sources', 'init', '--lake', lake, '--regions', 'us-east-1']).status).toBe(0);
    expect(runCli(['sources', 'add', '--lake', lake, '--source', 'ROUTE53', '--regions', 'us-east-1']).status).toBe(0);
    const r = runCli(['ingest', '--source', 'auto', '--out', lake, '--workers', '1', '--region', 'us-east-1', inputs]);
    expect(r.status).toBe(0);
    const s = summary(r.stdout);
    expect(s['records in']).toBe(s['events written']! + s['failures']! + s['filtered']!);
    expect(r.stdout).toMatch(/source-not-enabled/);
    const written = listTree(lake).filter((f) => f.endsWith('.parquet'));
    expect(written.length).toBeGreaterThan(0);
    for (const f of written) expect(f).toMatch(/^aws\/ROUTE53\/2\.0\/region=us-east-1\//);
    const status = runCli(['sources', 'status', '--lake', lake, '--json']);
    expect(status.stdout).toContain('COLLECTING');
  });

  it('prints plain progress lines when stderr is not a TTY, and usage errors exit 2', () => {
    const bad = runCli(['ingest', '--out', join(tmp, 'x'), '--layout', 'flat', inputs]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--layout must be auto, native or custom/);
    const noOut = runCli(['ingest', inputs]);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toMatch(/--out/);
    const v1 = runCli(['ingest', '--source', 'EKS_AUDIT', '--source-version', '1.0', '--out', join(tmp, 'y'), inputs]);
    expect(v1.status).toBe(2);
    expect(v1.stderr).toMatch(/EKS_AUDIT exists only from source version 2\.0/);
    const big = join(tmp, 'big.json.gz');
    const lines = [...generateSampleFiles('route53', 1, { seed: 3 })];
    writeFileSync(big, lines[0]!.bytes);
    const r = runCli(['ingest', '--out', join(tmp, 'z'), '--workers', '1', big]);
    expect(r.status).toBe(0);
    // A run this short may print no intermediate line; when it does, it is a plain line, never a TTY bar.
    expect(r.stderr).not.toContain('\r');
  });
});

describe('ocsf-lake --source-module (a user source from a plain ES module)', () => {
  const PLUGIN = 'test/cli/acme-vpn-plugin.mjs'; // relative to the working directory, the repository root
  const dir = join(tmp, 'vpn');
  for (const day of [14, 15, 16, 17]) {
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ acme_vpn: `user${i}`, at: new Date(Date.UTC(2024, 2, day, 2, 0, i)).toISOString(), ok: i % 5 !== 0 }));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `vpn-2024-03-${day}.ndjson`), lines.join('\n') + '\n');
  }

  it('ingests it on two workers, each of which imports the module', () => {
    const lake = join(tmp, 'vpn-lake');
    const r = runCli(['ingest', '--source', 'ACME_VPN', '--source-module', PLUGIN, '--workers', '2', '--region', 'us-east-1', '--account', '123456789012', '--validate', 'all', '--out', lake, dir]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(summary(r.stdout)).toEqual({ 'records in': 100, 'events written': 100, failures: 0, filtered: 0 });
    const files = listTree(lake).filter((f) => f.endsWith('.parquet'));
    expect(files.map((f) => f.split('/').slice(0, 6).join('/')).sort()).toEqual(
      [14, 15, 16, 17].map((d) => `ext/ACME_VPN/1.0/region=us-east-1/accountId=123456789012/eventDay=202403${d}`),
    );
  });

  it('maps with it, and a module that does not exist is a usage error', () => {
    const r = runCli(['map', '--source', 'ACME_VPN', '--source-module', PLUGIN, '--region', 'us-east-1', join(dir, 'vpn-2024-03-14.ndjson')]);
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { class_uid: number; user: { name: string }; status: string });
    expect(events).toHaveLength(25);
    expect(events[0]).toMatchObject({ class_uid: 3002, user: { name: 'user0' }, status: 'Failure' });
    expect(events[1]).toMatchObject({ user: { name: 'user1' }, status: 'Success' });
    const bad = runCli(['ingest', '--source', 'ACME_VPN', '--source-module', 'test/cli/no-such-plugin.mjs', '--out', join(tmp, 'no-lake'), dir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/source module "test\/cli\/no-such-plugin\.mjs" could not be imported/);
  });
});
