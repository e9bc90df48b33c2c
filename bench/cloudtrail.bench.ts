/**
 * CloudTrail mapping throughput (records/s per core), per OCSF class and source version, with
 * `JSON.parse` of the same records as the reference line of each suite (issue 3 item 10; aim: mapping a
 * parsed record costs at most a third of parsing it, i.e. a ratio ≥ 3×).
 *
 * Records: every valid record of ../shared/raw/cloudtrail (3,234 real management events over 260
 * eventNames) plus the S3 / Lambda data events of test/golden/cloudtrail, grouped by the class they map
 * to. Each suite has: JSON.parse of the records (reference), map at 1.0 and at 2.0 on pre-parsed
 * records; the `all` suite adds JSON.parse + map and the whole engine (sniff, Records framing, route,
 * map, accounting) on the records as one `{"Records":[...]}` object.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMapSession, getSource } from '../src/index.js';
import type { Mapper, OcsfEvent } from '../src/index.js';
import { routeCloudTrail } from '../src/sources/cloudtrail/route.js';
import { QUICK, runSuite, type BenchCase } from './lib.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
type Rec = Record<string, unknown>;

function rawRecords(): Rec[] {
  const out: Rec[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.jsonl') || (p.includes('otrf') && f.endsWith('.json'))) {
        for (const l of readFileSync(p, 'utf8').split('\n')) if (l.trim()) out.push(JSON.parse(l) as Rec);
      } else if (f.endsWith('.json')) {
        const v = JSON.parse(readFileSync(p, 'utf8')) as Rec | Rec[];
        out.push(...(Array.isArray(v) ? v : ((v.Records as Rec[] | undefined) ?? [v])));
      }
    }
  };
  walk(join(ROOT, '../shared/raw/cloudtrail'));
  const golden = join(ROOT, 'test/golden/cloudtrail');
  out.push(...(JSON.parse(readFileSync(join(golden, 's3_data_events.raw.json'), 'utf8')).Records as Rec[]));
  out.push(JSON.parse(readFileSync(join(golden, 'lambda_invoke.raw.json'), 'utf8')) as Rec);
  return out;
}

const mappers: Record<string, Record<string, Mapper>> = {};
for (const v of ['1.0', '2.0']) {
  mappers[v] = {};
  for (const s of ['CLOUD_TRAIL_MGMT', 'S3_DATA', 'LAMBDA_EXECUTION']) mappers[v]![s] = getSource(s)!.createMapper(v, {});
}

// Keep the records that map, with their member and class (at 2.0; the class is the same at 1.0).
interface Item {
  line: string;
  rec: Rec;
  source: string;
}
const byClass = new Map<string, Item[]>();
for (const rec of rawRecords()) {
  const source = routeCloudTrail(rec, {});
  if (typeof source !== 'string') continue;
  const ev = mappers['2.0']![source]!.map(rec, {}) as OcsfEvent;
  if (typeof ev.class_uid !== 'number') continue;
  const cls = ev.class_name as string;
  if (!byClass.has(cls)) byClass.set(cls, []);
  byClass.get(cls)!.push({ line: JSON.stringify(rec), rec, source });
}
const all = [...byClass.values()].flat();
const REPEAT = QUICK ? 1 : 2;

let sink: unknown;

function suiteCases(items: Item[], label: string): BenchCase[] {
  const batch = Array.from({ length: REPEAT }, () => items).flat();
  const lines = batch.map((i) => i.line);
  const recs = batch.map((i) => JSON.parse(i.line) as Rec);
  const m1 = batch.map((i) => mappers['1.0']![i.source]!);
  const m2 = batch.map((i) => mappers['2.0']![i.source]!);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  const n = batch.length;
  return [
    {
      name: `JSON.parse (${n} ${label} records)`,
      items: n,
      bytes,
      reference: true,
      fn: () => {
        for (let i = 0; i < n; i++) sink = JSON.parse(lines[i]!);
      },
    },
    {
      name: 'map 1.0 (OCSF 1.0.0-rc.2), parsed records',
      items: n,
      bytes,
      fn: () => {
        for (let i = 0; i < n; i++) sink = m1[i]!.map(recs[i], {});
      },
    },
    {
      name: 'map 2.0 (OCSF 1.1.0), parsed records',
      items: n,
      bytes,
      fn: () => {
        for (let i = 0; i < n; i++) sink = m2[i]!.map(recs[i], {});
      },
    },
  ];
}

const allCases = suiteCases(all, 'CloudTrail');
const blob = Buffer.from(JSON.stringify({ Records: all.map((i) => i.rec) }));
async function engine(version: string): Promise<void> {
  const session = createMapSession({ source: 'cloudtrail', sourceVersion: version });
  let n = 0;
  for await (const o of session.mapInput('bench.json', blob)) if (o.kind === 'event') n++;
  if (n !== all.length) throw new Error(`engine mapped ${n} of ${all.length}`);
}
const allLines = all.map((i) => i.line);
allCases.push(
  {
    name: 'JSON.parse + route + map 2.0',
    items: all.length,
    bytes: blob.length,
    fn: () => {
      for (let i = 0; i < allLines.length; i++) {
        const r = JSON.parse(allLines[i]!) as Rec;
        const s = routeCloudTrail(r, {});
        if (typeof s === 'string') sink = mappers['2.0']![s]!.map(r, {});
      }
    },
  },
  { name: 'engine 1.0: {"Records":[...]} → events', items: all.length, bytes: blob.length, fn: () => engine('1.0') },
  { name: 'engine 2.0: {"Records":[...]} → events', items: all.length, bytes: blob.length, fn: () => engine('2.0') },
);

await runSuite('cloudtrail-all', allCases);
for (const [cls, items] of byClass) {
  await runSuite(`cloudtrail-${cls.toLowerCase().replace(/\s+/g, '_')}`, suiteCases(items, cls));
}
if (sink === Symbol.for('never')) console.log(sink);
