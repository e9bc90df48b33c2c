/**
 * Route 53 goldens: every `test/golden/route53/<case>.raw.<ext>` (inputs written for this project) is
 * mapped at source versions 1.0 and 2.0 and compared with `<case>.<version>.ocsf.json` (expected
 * events, checked by hand against mapping-spec §5 / §11.1 and mappings/route53/*.json). Every expected
 * event must also pass the OCSF validator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const DIR = new URL('../golden/route53/', import.meta.url);
const VERSIONS = ['1.0', '2.0'] as const;
const files = readdirSync(DIR);
const cases = files
  .filter((f) => /\.raw\.[a-z]+$/.test(f))
  .map((raw) => ({ name: raw.replace(/\.raw\.[a-z]+$/, ''), raw }));
const validator = createValidator();

function expected(name: string, version: string): Record<string, unknown>[] {
  return JSON.parse(readFileSync(new URL(`${name}.${version}.ocsf.json`, DIR), 'utf8'));
}

describe('route53 goldens', () => {
  it('has an expected file per version and covers issue 4 item 6 for Route 53', () => {
    for (const c of cases) for (const v of VERSIONS) expect(files).toContain(`${c.name}.${v}.ocsf.json`);
    const all = cases.flatMap((c) => expected(c.name, '1.0')) as Record<string, any>[];
    const has = (f: (e: Record<string, any>) => boolean) => all.some(f);
    for (const type of ['A', 'AAAA', 'CNAME']) {
      expect([type, has((e) => e.rcode === 'NoError' && e.answers?.some((a: { type: string }) => a.type === type))]).toEqual([type, true]);
    }
    expect(has((e) => e.rcode === 'NXDomain' && e.answers === undefined)).toBe(true);
    expect(has((e) => e.rcode === 'ServError')).toBe(true);
    for (const d of ['No Action', 'Blocked', 'Allowed']) expect([d, has((e) => e.disposition === d)]).toEqual([d, true]); // ALERT, BLOCK, ALLOW
    expect(has((e) => e.src_endpoint.instance_uid !== undefined)).toBe(true);
    expect(has((e) => e.dst_endpoint?.instance_uid?.startsWith('rslvr-in-'))).toBe(true);
  });

  describe.each(VERSIONS)('source version %s', (version) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const session = createMapSession({ source: 'ROUTE53', sourceVersion: version });
      const events: unknown[] = [];
      const other: unknown[] = [];
      for await (const o of session.mapInput(c.raw, readFileSync(new URL(c.raw, DIR)))) {
        if (o.kind === 'event') events.push(o.event);
        else other.push(o);
      }
      expect(other).toEqual([]);
      const want = expected(c.name, version);
      expect(events).toStrictEqual(want);
      for (const ev of want) expect(validator.validate(ev).errors).toEqual([]);
    });
  });
});
