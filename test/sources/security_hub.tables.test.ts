/**
 * The mapping tables (`mappings/security_hub/*.json`) against the code: every row is well formed,
 * names a declared attribute, and is exercised — for every row there is a golden or conformance input
 * holding its raw field whose event carries the row's OCSF attribute and does not keep a consumed raw
 * field in unmapped. A row the code ignores, or code the table does not document, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { getSource } from '../../src/index.js';
import type { OcsfEvent } from '../../src/index.js';
import { flattenInto, flattenKeyed } from '../../src/core/unmapped.js';
import { ancestors, loadTable } from '../../src/sources/security_hub/tables.js';
import { walkUnmapped } from '../../src/sources/security_hub/values.js';
import { parseIsoMillis, toIsoUtc } from '../../src/core/time.js';
import type { FieldRow, MappingTable } from '../../src/sources/security_hub/tables.js';

const GOLDEN = new URL('../golden/security_hub/', import.meta.url);
const SHARED = new URL('../../../shared/', import.meta.url);
const inputs: Record<string, unknown>[] = [
  ...readdirSync(GOLDEN).filter((f) => f.endsWith('.raw.json')).map((f) => JSON.parse(readFileSync(new URL(f, GOLDEN), 'utf8'))),
  ...[0, 1, 2, 3].map((n) => JSON.parse(gunzipSync(readFileSync(new URL(`aws-native/1.0.0-rc.2/SH_FINDINGS/inputs/securityhub-inputs${n}.json.gz`, SHARED))).toString())),
  ...['compliance_finding/sechub-pci', 'detection_finding/sechub-guardduty', 'vulnerability_finding/inspector'].map((p) =>
    JSON.parse(readFileSync(new URL(`ocsf-examples/v1.1.0/security_hub/${p}.raw.json`, SHARED), 'utf8')),
  ),
];

/** Values at a dotted path, `[]` fanning out over arrays; ProductFields keys are taken verbatim. */
function at(v: unknown, path: string): unknown[] {
  if (path.startsWith('ProductFields.')) {
    const pf = (v as { ProductFields?: Record<string, unknown> }).ProductFields;
    const key = path.slice('ProductFields.'.length);
    return pf && key in pf ? [pf[key]] : [];
  }
  let cur: unknown[] = [v];
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    const arr = part.endsWith('[]');
    const k = arr ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const c of cur) {
      if (c === null || typeof c !== 'object') continue;
      const x = (c as Record<string, unknown>)[k];
      if (x === undefined || x === null) continue;
      if (arr && Array.isArray(x)) next.push(...x);
      else next.push(x);
    }
    cur = next;
  }
  return cur;
}

/** Number of scalar leaves under some values. */
function leaves(vs: unknown[]): number {
  let n = 0;
  for (const v of vs) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object') n += leaves(Array.isArray(v) ? v : Object.values(v));
    else n++;
  }
  return n;
}

const attr = (ocsf: string) => ocsf.replace(/\[\d*\]$/, '');

function check(table: MappingTable, version: string): void {
  const def = getSource('SH_FINDINGS')!;
  const declared = new Set(def.versions[version]!.attributes);
  const mapper = def.createMapper(version, {});
  const events = inputs.map((r) => mapper.map(r, {}) as OcsfEvent);
  const rows: FieldRow[] = [...table.fields, ...(table.evidence?.rows ?? [])];

  it('rows are well formed and name declared attributes', () => {
    for (const row of rows) {
      expect(row.ocsf && row.raw && row.transform && (row.spec || table.evidence?.rows.includes(row)), JSON.stringify(row)).toBeTruthy();
      expect(declared.has(attr(row.ocsf)), row.ocsf).toBe(true);
    }
    for (const c of Object.keys(table.classes)) expect(def.versions[version]!.classes).toContain(Number(c));
  });

  it.each(rows.map((r) => [`${r.ocsf} ← ${r.raw}`, r] as const))('%s is exercised', (_n, row) => {
    // Inputs holding the raw field whose event carries the OCSF attribute and no longer holds the raw
    // field in unmapped (unless the row says alsoUnmapped). Spills of unusable elements are allowed
    // elsewhere; at least one input must show the row working cleanly.
    let clean = 0;
    const kept: string[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const ev = events[i]!;
      const classes = row.classes ?? (table.evidence?.rows.includes(row) ? table.evidence.classes : undefined);
      if (classes && !classes.includes(ev.class_uid)) continue;
      if (at(inputs[i], row.raw).length === 0 || at(ev, row.ocsf).length === 0) continue;
      const leftover = row.alsoUnmapped ? [] : Object.keys(ev.unmapped ?? {}).filter((k) => k === row.raw || k === row.raw + '[]' || k.startsWith(row.raw + '.'));
      // Some raw values consumed: fewer kept leaves than raw values (an unusable sibling element may stay).
      const keptValues = leftover.reduce((n, k) => n + ev.unmapped![k]!.split(',').length, 0);
      if (keptValues < leaves(at(inputs[i], row.raw))) clean++;
      else kept.push(...leftover);
    }
    expect(clean, `no input exercises ${row.ocsf} ← ${row.raw} cleanly (kept in unmapped: ${kept.join(', ')})`).toBeGreaterThan(0);
  });
}

describe('mappings/security_hub/1.0.0-rc.2.json', () => check(loadTable('1.0.0-rc.2'), '1.0'));
describe('mappings/security_hub/1.1.0.json', () => check(loadTable('1.1.0'), '2.0'));

describe('unmapped walk helpers', () => {
  it('ancestors of consumed paths', () => {
    expect([...ancestors(['Vulnerabilities[].Cvss[].Source', 'Note.Text'])].sort()).toEqual(
      ['Note', 'Vulnerabilities', 'Vulnerabilities[]', 'Vulnerabilities[].Cvss', 'Vulnerabilities[].Cvss[]'].sort(),
    );
  });

  it('memoized flattening gives the same keys and values as core flattenInto', () => {
    const v = { a: 1, b: { c: [1, { d: 'x', e: [true, null, 'y'] }, []], f: {} }, g: '', h: null, i: [{ j: 1 }, { j: 2, k: { l: 3 } }] };
    for (let round = 0; round < 2; round++) {
      const core: Record<string, string> = {};
      const ours: Record<string, string> = {};
      flattenInto(core, 'X', v);
      flattenKeyed(ours, 'X', v, false);
      expect(ours).toEqual(core);
      const walked: Record<string, string> = {};
      walkUnmapped(walked, 'X', v, new Set(['X.b.c[].d']), ancestors(['X.b.c[].d']));
      const want = { ...core };
      delete want['X.b.c[].d'];
      expect(walked).toEqual(want);
    }
  });

  it('*_dt strings: toIsoUtc of the parsed time keeps canonical timestamps and normalizes the rest', () => {
    // (was the local isoOf helper; now core/time.ts, the same results)
    const dt = (raw: string) => toIsoUtc(parseIsoMillis(raw));
    expect(dt('2024-03-02T08:15:30.250Z')).toBe('2024-03-02T08:15:30.250Z');
    expect(dt('2024-01-15T03:20:11Z')).toBe('2024-01-15T03:20:11.000Z');
    expect(dt('2024-02-30T00:00:00.000Z')).toBe('2024-03-01T00:00:00.000Z');
    expect(dt('2023-02-29T00:00:00.000Z')).toBe('2023-03-01T00:00:00.000Z');
    expect(dt('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(dt('2024-01-01T24:00:00.000Z')).toBe('2024-01-02T00:00:00.000Z');
  });

  it('every table lists its deviations with a spec reference and a reason', () => {
    for (const v of ['1.0.0-rc.2', '1.1.0'] as const) {
      const t = loadTable(v);
      expect(t.deviations.length).toBeGreaterThan(5);
      for (const d of t.deviations) expect(d.what && d.spec && d.decision && d.reason).toBeTruthy();
    }
  });
});
