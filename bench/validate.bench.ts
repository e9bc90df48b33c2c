/**
 * Validation throughput per OCSF class (events/s): `createValidator().validate` on batches of the published
 * ocsf/examples events (one class per case, every event a distinct object), against `JSON.parse` of the same
 * events' JSON text (the reference). Also a batch where every event is invalid (3 errors each), and the
 * same valid batch as Parquet-like rows (nulls, bigint, Date) that need normalization first.
 * Needs ../shared/ocsf-examples.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createValidator } from '../src/validate/index.js';
import { QUICK, runSuite, type BenchCase } from './lib.js';

const SHARED = fileURLToPath(new URL('../../shared/ocsf-examples/', import.meta.url));
const N = QUICK ? 200 : 1000;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ocsf.json') ? [p] : [];
  });
}

const validator = createValidator();
const byClass = new Map<string, string>(); // "<version> <class_name>" → JSON text of one valid event
for (const f of [...walk(join(SHARED, 'v1.1.0')), ...walk(join(SHARED, 'v1.0.0-rc.2'))].sort()) {
  const text = readFileSync(f, 'utf8');
  const ev = JSON.parse(text);
  if (!validator.validate(ev).valid) continue; // e.g. the EKS sample's *_dt artifact
  const key = `${ev.metadata.version} ${String(ev.class_name).toLowerCase().replace(/ /g, '_')}`;
  if (!byClass.has(key)) byClass.set(key, JSON.stringify(ev));
}

const cases: BenchCase[] = [];
const allTexts = [...byClass.values()].flatMap((t) => Array.from({ length: Math.ceil(N / byClass.size) }, () => t));
const allBytes = allTexts.reduce((n, t) => n + Buffer.byteLength(t), 0);
cases.push({
  name: `JSON.parse (mixed, ${allTexts.length} events)`,
  items: allTexts.length,
  bytes: allBytes,
  reference: true,
  fn: () => {
    for (const t of allTexts) JSON.parse(t);
  },
});
const allEvents = allTexts.map((t) => JSON.parse(t));
cases.push({
  name: 'validate (mixed)',
  items: allEvents.length,
  bytes: allBytes,
  fn: () => {
    for (const e of allEvents) if (!validator.validate(e).valid) throw new Error('unexpectedly invalid');
  },
});
for (const [key, text] of byClass) {
  const events = Array.from({ length: N }, () => JSON.parse(text));
  cases.push({
    name: `validate ${key}`,
    items: N,
    bytes: N * Buffer.byteLength(text),
    fn: () => {
      for (const e of events) if (!validator.validate(e).valid) throw new Error(`${key} unexpectedly invalid`);
    },
  });
}
const api = byClass.get('1.1.0 api_activity');
if (api) {
  const invalid = Array.from({ length: N }, () => {
    const e = JSON.parse(api);
    e.activity_name = 'Wrong';
    e.foo = 1;
    delete e.api;
    return e;
  });
  cases.push({
    name: 'validate 1.1.0 api_activity, all invalid (3 errors each)',
    items: N,
    fn: () => {
      for (const e of invalid) if (validator.validate(e).errors.length !== 3) throw new Error('expected 3 errors');
    },
  });
  const rows = Array.from({ length: N }, () => {
    const e = JSON.parse(api);
    return { ...e, time: BigInt(e.time), type_uid: BigInt(e.type_uid), time_dt: new Date(e.time), raw_data: null, count: null };
  });
  cases.push({
    name: 'validate 1.1.0 api_activity, Parquet-like rows (normalized first)',
    items: N,
    fn: () => {
      for (const e of rows) if (!validator.validate(e).valid) throw new Error('unexpectedly invalid');
    },
  });
}

await runSuite('validate', cases, 'events');
