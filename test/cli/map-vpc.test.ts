/** `ocsf-lake map --source VPC_FLOW ...` end to end on the goldens (spawns the built CLI, test/cli-bin.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = join(ROOT, 'test/golden/vpc_flow');
const cli = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const ndjson = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const expected = (name: string) => JSON.parse(readFileSync(join(GOLDEN, name), 'utf8'));

describe('ocsf-lake map --source VPC_FLOW', () => {
  it('prints the golden events (gzip input, --source auto) and dead-letters bad lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpc-'));
    const gz = join(dir, 'flows.log.gz');
    const raw = readFileSync(join(GOLDEN, 'v2-default.raw.log'), 'utf8');
    writeFileSync(gz, gzipSync(raw + raw.split('\n')[1]!.replace(' 443 ', ' https ') + '\n'));
    const dlq = join(dir, 'dlq.ndjson');
    const r = cli(['map', '--source', 'auto', '--source-version', '1.0', '--dlq', dlq, gz]);
    expect(r.status).toBe(0);
    expect(ndjson(r.stdout)).toStrictEqual(expected('v2-default.1.0.ocsf.json'));
    expect(ndjson(readFileSync(dlq, 'utf8')).map((f) => [f.reason, f.source, f.line])).toEqual([['invalid-number', 'VPC_FLOW', 8]]);
    expect(r.stderr).toMatch(/summary: records in 7, events 6 \(VPC_FLOW 6\), failures 1 \(invalid-number 1\)/);
  });

  it('--vpc-format for headerless lines, --allow-unknown-fields, and a usage error for an unknown --vpc-format field', () => {
    const opts = JSON.parse(readFileSync(join(GOLDEN, 'headerless-custom.options.json'), 'utf8')).options;
    const r = cli(['map', '--source', 'VPC_FLOW', '--source-version', '2.0', '--vpc-format', opts.vpcFormat, join(GOLDEN, 'headerless-custom.raw.log')]);
    expect(r.status).toBe(0);
    expect(ndjson(r.stdout)).toStrictEqual(expected('headerless-custom.2.0.ocsf.json'));

    const u = cli(['map', '--source', 'VPC_FLOW', '--source-version', '2.0', '--allow-unknown-fields', join(GOLDEN, 'unknown-field-allowed.raw.log')]);
    expect(u.status).toBe(0);
    expect(ndjson(u.stdout)).toStrictEqual(expected('unknown-field-allowed.2.0.ocsf.json'));

    const bad = cli(['map', '--source', 'VPC_FLOW', '--vpc-format', '${version} ${acount-id}', join(GOLDEN, 'headerless-custom.raw.log')]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('"acount-id"');
    expect(bad.stdout).toBe('');
  });
});
