/**
 * Real data (issue 3 item 9): every record under `../shared/raw/cloudtrail/` (3,337 records in S3 log
 * objects, JSON arrays and JSON lines) is mapped at source versions 1.0 and 2.0. No crash, every event
 * validates, every attribute an event sets is declared in the source's `attributes` list, and the only
 * failures and filtered records are the ones listed here by file and reason — records that really are
 * malformed or not in scope:
 * - the 103 OTRF records passed through Logstash, which removed `eventTime` (raw/README.md §1c);
 * - the S3 on Outposts PutObject data event of the S3 user guide (eventSource s3-outposts.amazonaws.com,
 *   for which Security Lake has no source).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const ROOT = resolve(process.cwd(), '../shared/raw/cloudtrail');
const validator = createValidator();

function dataFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...dataFiles(p));
    else if (/\.jsonl?$/.test(f)) out.push(p);
  }
  return out;
}

/** Attribute paths an event sets, in the `attributes` notation (`resources[].uid`, `unmapped`). */
function attributePaths(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    if (v.some((x) => x !== null && typeof x === 'object')) for (const x of v) attributePaths(x, prefix + '[]', out);
    else out.add(prefix);
    return;
  }
  if (v !== null && typeof v === 'object' && prefix !== 'unmapped') {
    for (const [k, x] of Object.entries(v)) attributePaths(x, prefix === '' ? k : `${prefix}.${k}`, out);
    return;
  }
  out.add(prefix);
}

describe.skipIf(!existsSync(ROOT))('CloudTrail real data (../shared/raw/cloudtrail)', () => {
  it.each(['1.0', '2.0'])('maps every record at source version %s: valid events, only the known failures', async (version) => {
    const session = createMapSession({ source: 'cloudtrail', sourceVersion: version });
    const failures = new Map<string, number>();
    const filtered = new Map<string, number>();
    const invalid: string[] = [];
    const paths = new Set<string>();
    for (const file of dataFiles(ROOT)) {
      for await (const o of session.mapInput(file, readFileSync(file))) {
        if (o.kind === 'failure') {
          const k = `${basename(file)}: ${o.failure.reason} (${o.failure.message})`;
          failures.set(k, (failures.get(k) ?? 0) + 1);
        } else if (o.kind === 'filtered') {
          const k = `${basename(file)}: ${o.filtered.reason} ${o.filtered.detail}`;
          filtered.set(k, (filtered.get(k) ?? 0) + 1);
        } else {
          const r = validator.validate(o.event);
          if (!r.valid) invalid.push(`${basename(file)} ${String(o.event.api && (o.event.api as { operation?: string }).operation)}: ${JSON.stringify(r.errors)}`);
          attributePaths(o.event, '', paths);
        }
      }
    }
    const s = session.stats;
    expect(s.recordsIn).toBe(3337);
    expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
    expect(invalid).toEqual([]);
    expect(Object.fromEntries(failures)).toEqual({
      'ec2_proxy_s3_exfiltration_2020-09-14011940.json: missing-field (the record has no eventTime)': 103,
    });
    expect(Object.fromEntries(filtered)).toEqual({
      's3-userguide__cloudtrail-logging-understanding-s3-entries.jsonl: unsupported-data-event s3-outposts.amazonaws.com': 1,
    });
    expect(s.eventsByClass).toMatchObject(version === '1.0' ? { '3005': expect.any(Number), '3001': expect.any(Number), '3002': expect.any(Number) } : { '6003': expect.any(Number), '3001': expect.any(Number), '3002': expect.any(Number) });
    const declared = new Set(getSource('CLOUD_TRAIL_MGMT')!.versions[version]!.attributes);
    expect([...paths].filter((p) => !declared.has(p)).sort()).toEqual([]);
  });
});
