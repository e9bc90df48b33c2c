/**
 * `ocsf-lake coverage` on the CloudTrail samples of ../shared/raw, its figures checked against a count made
 * here from the mapped events and their raw records (one map pass, counted independently of the report).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import type { CoverageReport } from '../../src/index.js';
import { ROOT, runCli } from '../cli-bin.js';

const DIR = join(ROOT, '..', 'shared', 'raw', 'cloudtrail', 'awsdocs');

async function expected() {
  const session = createMapSession({ source: 'auto' });
  let events = 0;
  let recipient = 0;
  let recipientUnmapped = 0;
  let other = 0;
  const filled = new Set<string>();
  for (const name of readdirSync(DIR).sort()) {
    for await (const o of session.mapInput(join(DIR, name), readFileSync(join(DIR, name)))) {
      if (o.kind !== 'event') continue;
      events++;
      const raw = o.raw as Record<string, unknown>;
      const ev = o.event as Record<string, unknown>;
      if ('recipientAccountId' in raw) recipient++;
      if ((ev.unmapped as Record<string, unknown> | undefined)?.recipientAccountId !== undefined) recipientUnmapped++;
      if (ev.activity_id === 99) other++;
      for (const k of Object.keys(ev)) filled.add(k);
    }
  }
  return { stats: session.stats, events, recipient, recipientUnmapped, other, filled };
}

describe('ocsf-lake coverage', () => {
  it('reports the events, unmapped keys, fallbacks and raw fields of the samples, as an independent count finds them', async () => {
    const r = runCli(['coverage', '--json', '--top', '200', DIR]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as CoverageReport;
    const x = await expected();
    expect(report.recordsIn).toBe(x.stats.recordsIn);
    expect(report.events).toBe(x.events);
    expect(report.recordsIn).toBe(report.events + report.failures + report.filtered);
    const ct = report.sources.find((s) => s.source === 'CLOUD_TRAIL_MGMT')!;
    expect(ct.events).toBe(x.events);
    // recipientAccountId has no OCSF attribute in 2.0 (mapping-spec: unmapped), so it is kept only in unmapped.
    expect(x.recipient).toBeGreaterThan(0);
    expect(ct.unmapped.find((u) => u.key === 'recipientAccountId')).toMatchObject({ events: x.recipientUnmapped, sample: expect.stringMatching(/^\d{12}$/) });
    expect(x.recipientUnmapped).toBe(x.recipient);
    expect(ct.rawFields.find((f) => f.path === 'recipientAccountId')).toMatchObject({ path: 'recipientAccountId', records: x.recipient, mapped: false });
    // Where the mapping spec puts them (docs/mapping-spec.md, CloudTrail): eventName → api.operation, awsRegion → cloud.region.
    expect(ct.rawFields.find((f) => f.path === 'eventName')).toMatchObject({ mapped: true, records: x.events, to: [{ attribute: 'api.operation', records: x.events }] });
    expect(ct.rawFields.find((f) => f.path === 'awsRegion')?.to[0]).toEqual({ attribute: 'cloud.region', records: x.events });
    expect(ct.fallbacks.find((f) => f.path === 'activity_id' && f.id === 99)?.events ?? 0).toBe(x.other);
    expect(ct.attributes.find((a) => a.path === 'class_uid')).toEqual({ path: 'class_uid', events: x.events });
    for (const never of ct.neverFilled) expect(x.filled.has(never)).toBe(false);
  });

  it('prints the same as text', () => {
    const r = runCli(['coverage', '--top', '60', DIR]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^CLOUD_TRAIL_MGMT 2\.0: \d+ events$/m);
    expect(r.stdout).toMatch(/^ {4}recipientAccountId +\d+ +e\.g\. \d{12}$/m);
    expect(r.stdout).toContain('  raw fields kept only in unmapped');
    expect(r.stdout).toMatch(/^ {4}eventName +\d+ +→ api\.operation \(\d+\)$/m);
  });
});
