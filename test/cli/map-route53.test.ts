/** `ocsf-lake map --source ROUTE53 ...` end to end on the goldens (spawns the built CLI, test/cli-bin.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI } from '../cli-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = join(ROOT, 'test/golden/route53');
const cli = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const ndjson = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('ocsf-lake map --source ROUTE53', () => {
  it('prints the golden events at 2.0', () => {
    const r = cli(['map', '--source', 'ROUTE53', '--source-version', '2.0', join(GOLDEN, 'firewall-block-allow.raw.json')]);
    expect(r.status).toBe(0);
    expect(ndjson(r.stdout)).toStrictEqual(JSON.parse(readFileSync(join(GOLDEN, 'firewall-block-allow.2.0.ocsf.json'), 'utf8')));
    expect(r.stderr).toMatch(/summary: records in 2, events 2 \(ROUTE53 2\), failures 0/);
  });

  it('detects Route 53 with --source auto, dead-letters failures and keeps going', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53-'));
    const bad = join(dir, 'bad.jsonl');
    const good = readFileSync(join(GOLDEN, 'nxdomain.raw.jsonl'), 'utf8');
    writeFileSync(bad, good + good.replace('"query_timestamp":"2024-03-05T10:17:45Z"', '"query_timestamp":"soon"'));
    const dlq = join(dir, 'dlq.ndjson');
    const r = cli(['map', '--source', 'auto', '--source-version', '1.0', '--dlq', dlq, join(GOLDEN, 'noerror-cname-a.raw.jsonl'), bad]);
    expect(r.status).toBe(0);
    const events = ndjson(r.stdout);
    expect(events.map((e) => [e.query.hostname, e.activity_id])).toEqual([
      ['www.example.com.', 2],
      ['nosuchhost.example.com.', 4],
    ]);
    const failures = ndjson(readFileSync(dlq, 'utf8'));
    expect(failures.map((f) => [f.reason, f.source, f.line])).toEqual([['invalid-time', 'ROUTE53', 2]]);
    expect(r.stderr).toMatch(/records in 3, events 2 \(ROUTE53 2\), failures 1 \(invalid-time 1\)/);
  });
});

