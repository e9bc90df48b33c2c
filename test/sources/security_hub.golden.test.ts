/**
 * Security Hub goldens: every `test/golden/security_hub/<case>.raw.json` (findings written for this
 * project) is mapped at source versions 1.0 and 2.0 and compared with `<case>.<version>.ocsf.json`
 * (the expected event, checked by hand against mapping-spec §6 / §11.4 and
 * mappings/security_hub/*.json). Every expected event must pass the OCSF validator, and every attribute
 * it carries must be declared in the source's `versions[v].attributes` (the Parquet writer's schema).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const DIR = new URL('../golden/security_hub/', import.meta.url);
const VERSIONS = ['1.0', '2.0'] as const;
const files = readdirSync(DIR);
const cases = files.filter((f) => f.endsWith('.raw.json')).map((raw) => ({ name: raw.slice(0, -'.raw.json'.length), raw }));
const validator = createValidator();

function expected(name: string, version: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.${version}.ocsf.json`, DIR), 'utf8'));
}

/** Attribute paths of an event in the `attributes` notation: `a.b`, `a[].b`, scalar arrays as `a`. */
function attributePaths(v: unknown, path: string, out: Set<string>): void {
  if (Array.isArray(v)) {
    if (v.some((e) => e !== null && typeof e === 'object')) for (const e of v) attributePaths(e, path + '[]', out);
    else out.add(path);
  } else if (v !== null && typeof v === 'object' && path !== 'unmapped') {
    for (const [k, c] of Object.entries(v)) attributePaths(c, path === '' ? k : `${path}.${k}`, out);
  } else out.add(path);
}

describe('security_hub goldens', () => {
  it('covers issue 5 item 5 for ASFF, with an expected file per version', () => {
    const names = cases.map((c) => c.name);
    for (const required of ['control-passed', 'control-failed', 'inspector-package', 'guardduty-runtime', 'macie-s3', 'three-resources', 'suppressed', 'guardduty-api-archived']) {
      expect(names).toContain(required);
    }
    for (const c of cases) for (const v of VERSIONS) expect(files).toContain(`${c.name}.${v}.ocsf.json`);
    // What the cases exercise, read from the expected files rather than trusted from their names.
    const v2 = Object.fromEntries(cases.map((c) => [c.name, expected(c.name, '2.0')]));
    const classes = new Set(Object.values(v2).map((e) => e.class_uid));
    expect([...classes].sort()).toEqual([2002, 2003, 2004]);
    expect(Object.values(v2).some((e) => e.activity_id === 2)).toBe(true);
    expect(expected('control-passed', '2.0')).toMatchObject({ class_uid: 2003, compliance: { status: 'PASSED' } });
    expect(expected('control-failed', '2.0')).toMatchObject({ class_uid: 2003, compliance: { status: 'FAILED' } });
    const inspector = expected('inspector-package', '2.0') as { vulnerabilities: { cve: { cvss: unknown[] }; is_fix_available: boolean }[] };
    expect(inspector.vulnerabilities[0]!.cve.cvss).toHaveLength(2);
    expect(inspector.vulnerabilities[0]!.is_fix_available).toBe(true);
    const gd = expected('guardduty-runtime', '2.0') as { evidences: { actor: { process: unknown }; src_endpoint: { ip: string } }[]; resources: unknown[] };
    expect(gd.evidences[0]!.actor.process).toBeDefined();
    expect(gd.evidences[0]!.src_endpoint.ip).toBe('203.0.113.77');
    expect(gd.resources).toHaveLength(3);
    expect(expected('macie-s3', '2.0')).toMatchObject({ class_uid: 2004, metadata: { product: { name: 'Macie' } } });
    expect(expected('three-resources', '1.0').resources).toHaveLength(3);
    expect(expected('guardduty-api-archived', '1.0')).toMatchObject({ state_id: 3, unmapped: { RecordState: 'ARCHIVED' } });
    expect(expected('suppressed', '2.0')).toMatchObject({ status_id: 3, status: 'Suppressed' });
    // Third-party products routed by content (§6.1): Compliance → 2003, Vulnerabilities → 2002, neither → 2004.
    expect(expected('three-resources', '2.0').class_uid).toBe(2003);
    expect(expected('third-party-vulnerability', '2.0').class_uid).toBe(2002);
    expect(expected('third-party-malware', '2.0').class_uid).toBe(2004);
  });

  describe.each(VERSIONS)('source version %s', (version) => {
    const declared = new Set(getSource('SH_FINDINGS')!.versions[version]!.attributes);

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const session = createMapSession({ source: 'SH_FINDINGS', sourceVersion: version });
      const events: unknown[] = [];
      const other: unknown[] = [];
      for await (const o of session.mapInput(c.raw, readFileSync(new URL(c.raw, DIR)))) {
        if (o.kind === 'event') events.push(o.event);
        else other.push(o);
      }
      expect(other).toEqual([]);
      const want = expected(c.name, version);
      expect(events).toStrictEqual([want]);
      expect(validator.validate(want).errors).toEqual([]);
      const paths = new Set<string>();
      attributePaths(want, '', paths);
      expect([...paths].filter((p) => !declared.has(p))).toEqual([]);
    });
  });
});
