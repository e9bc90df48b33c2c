/**
 * Security Hub mapping throughput (findings/s): JSON.parse + map of ASFF findings at source versions 1.0
 * (Security Finding 2001) and 2.0 (Vulnerability / Compliance / Detection Finding), map alone on
 * pre-parsed findings, and the whole engine (sniff, NDJSON framing, map, accounting) on the same
 * findings as one input object; reference: `JSON.parse` of the same lines. The corpus is every real
 * finding under ../shared/raw/securityhub/ (Security Hub controls, GuardDuty, Inspector, Config, Access
 * Analyzer, Prowler) plus the project's goldens (GuardDuty runtime, Inspector v2 packages, Macie, ...)
 * ten times each, and a separate case of findings at ASFF's limits (32 resources, 50 ProductFields).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMapSession, getSource } from '../src/index.js';
import type { Mapper } from '../src/index.js';
import { QUICK, runSuite, type BenchCase } from './lib.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RAW = resolve(ROOT, '../shared/raw/securityhub');
const GOLDEN = resolve(ROOT, 'test/golden/security_hub');

/** Every ASFF finding of a JSON / NDJSON file, envelopes unwrapped. */
function findingsOf(text: string): Record<string, unknown>[] {
  let values: unknown[];
  try {
    values = [JSON.parse(text)];
  } catch {
    values = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }
  const out: Record<string, unknown>[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.Findings)) o.Findings.forEach(visit);
      else if (o.detail && typeof o.detail === 'object') visit((o.detail as Record<string, unknown>).findings ?? []);
      else if (typeof o.Id === 'string') out.push(o);
    }
  };
  values.forEach(visit);
  return out;
}

const real: Record<string, unknown>[] = [];
(function walk(dir: string) {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.jsonl?$/.test(f)) real.push(...findingsOf(readFileSync(p, 'utf8')));
  }
})(RAW);
const goldens = readdirSync(GOLDEN).filter((f) => f.endsWith('.raw.json')).map((f) => JSON.parse(readFileSync(join(GOLDEN, f), 'utf8')));
const corpus = [...real, ...Array.from({ length: QUICK ? 3 : 10 }, () => goldens).flat()];

function atLimits(i: number): Record<string, unknown> {
  const f = structuredClone(goldens.find((g) => String(g.Id).includes('guardduty') && Array.isArray(g.Resources) && g.Resources.length === 3)!);
  f.Id = `${f.Id}-${i}`;
  f.Resources = Array.from({ length: 32 }, (_, k) => ({
    Type: 'AwsEc2Instance',
    Id: `arn:aws:ec2:us-east-1:567890123456:instance/i-${String(i * 32 + k).padStart(17, '0')}`,
    Partition: 'aws',
    Region: 'us-east-1',
    Tags: { Name: `node-${k}`, env: 'prod' },
    Details: { AwsEc2Instance: { Type: 'm6i.large', IpV4Addresses: [`10.0.${k}.${i % 250}`], VpcId: 'vpc-0a1b2c3d', SubnetId: 'subnet-0f1e2d3c' } },
  }));
  const pf = f.ProductFields as Record<string, string>;
  for (let k = 0; Object.keys(pf).length < 50; k++) pf[`aws/guardduty/service/extra/${k}`] = `value-${k}-${'x'.repeat(60)}`;
  return f;
}

function lineSet(findings: Record<string, unknown>[]) {
  const lines = findings.map((f) => JSON.stringify(f));
  return { lines, bytes: lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0), ndjson: Buffer.from(lines.join('\n') + '\n'), parsed: lines.map((l) => JSON.parse(l)) };
}

const mix = lineSet(corpus);
const large = lineSet(Array.from({ length: QUICK ? 50 : 200 }, (_, i) => atLimits(i)));
const source = getSource('SH_FINDINGS')!;
const v1 = source.createMapper('1.0', {});
const v2 = source.createMapper('2.0', {});
const ctx = {};

function check(mapper: Mapper, parsed: unknown[]): void {
  for (const r of parsed) if (!('class_uid' in (mapper.map(r, ctx) as object))) throw new Error('bench finding failed to map');
}
for (const m of [v1, v2]) {
  check(m, mix.parsed);
  check(m, large.parsed);
}

const N = mix.lines.length;
const L = large.lines.length;
const cases: BenchCase[] = [
  {
    name: `JSON.parse (${N} findings)`,
    items: N,
    bytes: mix.bytes,
    reference: true,
    fn: () => {
      for (let i = 0; i < mix.lines.length; i++) JSON.parse(mix.lines[i]!);
    },
  },
  {
    name: 'JSON.parse + map 1.0 (OCSF 1.0.0-rc.2)',
    items: N,
    bytes: mix.bytes,
    fn: () => {
      for (let i = 0; i < mix.lines.length; i++) v1.map(JSON.parse(mix.lines[i]!), ctx);
    },
  },
  {
    name: 'JSON.parse + map 2.0 (OCSF 1.1.0)',
    items: N,
    bytes: mix.bytes,
    fn: () => {
      for (let i = 0; i < mix.lines.length; i++) v2.map(JSON.parse(mix.lines[i]!), ctx);
    },
  },
  {
    name: 'map 2.0 alone (pre-parsed)',
    items: N,
    fn: () => {
      for (let i = 0; i < mix.parsed.length; i++) v2.map(mix.parsed[i], ctx);
    },
  },
  {
    name: 'engine 2.0: NDJSON input object → events',
    items: N,
    bytes: mix.bytes,
    fn: async () => {
      const session = createMapSession({ source: 'SH_FINDINGS', sourceVersion: '2.0' });
      for await (const _ of session.mapInput('findings.ndjson', mix.ndjson)) void _;
    },
  },
  {
    name: `JSON.parse, findings at ASFF limits (${L}: 32 resources, 50 ProductFields)`,
    items: L,
    bytes: large.bytes,
    fn: () => {
      for (let i = 0; i < large.lines.length; i++) JSON.parse(large.lines[i]!);
    },
  },
  {
    name: 'JSON.parse + map 2.0, findings at ASFF limits',
    items: L,
    bytes: large.bytes,
    fn: () => {
      for (let i = 0; i < large.lines.length; i++) v2.map(JSON.parse(large.lines[i]!), ctx);
    },
  },
];

await runSuite('security_hub', cases, 'findings');
