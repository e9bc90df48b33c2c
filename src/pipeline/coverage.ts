/**
 * Field coverage of a mapping on a user's own logs: per source and version, which OCSF attributes the events
 * fill and how often, which declared attributes are never filled, which raw keys end in `unmapped` (how often,
 * with a sample value), which enum ids fell back to `Unknown` (0) or `Other` (99) — an unknown `eventName`,
 * identity type, ASFF product or VPC value lands there — and which raw fields were seen, whether the mapper
 * consumed them or only kept them in `unmapped`, and to which attributes their values went. A diagnostic: it walks whole records and events, which the
 * ingest hot path never does.
 */
import { createMapSession } from '../core/engine.js';
import { getSource } from '../core/source.js';
import type { RecordContext, SourceOptions } from '../core/types.js';
import { InputListingError, listInputs } from './inputs.js';
import type { InputSource } from './inputs.js';
import type { S3ClientOptions } from '../io/s3.js';
import { isS3Url } from '../io/s3-url.js';

export interface CoverageOptions {
  /** sourceName, family or `auto` (default). */
  source?: string;
  sourceVersion?: string;
  context?: RecordContext;
  options?: SourceOptions;
  /** Entries kept per list (default 25); counts are always complete. */
  top?: number;
  /** S3 client settings for `s3://` inputs. */
  s3?: S3ClientOptions;
}

export interface SourceCoverage {
  source: string;
  version: string;
  events: number;
  /** OCSF leaf attributes (arrays as `[]`) and the events that fill them, most filled first. */
  attributes: { path: string; events: number }[];
  /** Attributes the source declares it can set, filled in none of these events. */
  neverFilled: string[];
  /** Keys of `unmapped` with the events holding them and one sample value. */
  unmapped: { key: string; events: number; sample: string }[];
  /** Enum ids at 0 (Unknown) or 99 (Other), with the caption or raw value beside them. */
  fallbacks: { path: string; id: number; events: number; sample?: string }[];
  /**
   * Raw leaf fields seen; `mapped` false when every occurrence was kept only in `unmapped`; `to`: the OCSF
   * attributes that held the same value in the same event (most often first), which is where the mapper put it
   * when it copied the value (a converted value, such as a time, is not traced).
   */
  rawFields: { path: string; records: number; mapped: boolean; to: { attribute: string; records: number }[] }[];
}

export interface CoverageReport {
  recordsIn: number;
  events: number;
  failures: number;
  filtered: number;
  inputs: number;
  unreadable: string[];
  sources: SourceCoverage[];
}

interface Acc {
  source: string;
  version: string;
  events: number;
  attributes: Map<string, number>;
  unmapped: Map<string, { events: number; sample: string }>;
  fallbacks: Map<string, { path: string; id: number; events: number; sample?: string }>;
  raw: Map<string, { records: number; unmapped: number; to: Map<string, number> }>;
}

const INDEX = /\.\d+(?=\.|$)|\[\d+\]/g;

/** Leaf values of a JSON value with their paths (arrays as `[]`). */
function leafValues(v: unknown, prefix: string, out: [string, unknown][], depth = 0): void {
  if (depth > 32) return;
  if (Array.isArray(v)) {
    for (const x of v) leafValues(x, `${prefix}[]`, out, depth + 1);
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) leafValues(x, prefix === '' ? k : `${prefix}.${k}`, out, depth + 1);
  } else if (prefix !== '') out.push([prefix, v]);
}

/** Values distinctive enough to trace from a raw field to an attribute (not `true`, `0`, `""` or `-`). */
function traceKey(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length >= 3 ? `s:${v}` : undefined;
  if (typeof v === 'number') return Math.abs(v) >= 2 ? `n:${v}` : undefined;
  return undefined;
}

/** `*_id` enum values at 0 or 99, with their sibling caption. */
function fallbacksOf(v: unknown, prefix: string, out: { path: string; id: number; sample?: string }[], depth = 0): void {
  if (depth > 16 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) fallbacksOf(x, `${prefix}[]`, out, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(o)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (k === 'unmapped' || k === 'observables') continue;
    if (k.endsWith('_id') && (x === 0 || x === 99)) {
      const caption = o[k.slice(0, -3)] ?? o[`${k.slice(0, -3)}_name`];
      // The caption says more than the id only when the mapper kept the raw value there (Other with a name).
      out.push({ path, id: x, ...(typeof caption === 'string' && caption !== 'Other' && caption !== 'Unknown' ? { sample: caption } : {}) });
    } else if (typeof x === 'object') fallbacksOf(x, path, out, depth + 1);
  }
}

const sampleOf = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)).slice(0, 120);

/** Maps `inputs` (files, directories, `s3://` prefixes, streams, bytes) and reports their coverage. */
export async function coverage(inputs: readonly InputSource[], opts: CoverageOptions = {}): Promise<CoverageReport> {
  const session = createMapSession({ source: opts.source ?? 'auto', ...(opts.sourceVersion ? { sourceVersion: opts.sourceVersion } : {}), context: opts.context ?? {}, options: opts.options ?? {} });
  const accs = new Map<string, Acc>();
  const unreadable: string[] = [];
  let count = 0;
  const s3Client = inputs.some((i) => typeof i === 'string' && isS3Url(i)) ? (await import('../io/s3.js')).createS3Client(opts.s3) : undefined;
  for await (const obj of listInputs(inputs, { s3Client })) {
    if (obj instanceof InputListingError) {
      unreadable.push(obj.message);
      continue;
    }
    count++;
    let bytes: Uint8Array;
    try {
      bytes = await obj.read();
    } catch (err) {
      unreadable.push(`${obj.name}: ${(err as Error).message}`);
      continue;
    }
    for await (const o of session.mapInput(obj.name, bytes, obj.context)) {
      if (o.kind !== 'event') continue;
      const id = `${o.source}@${o.version}`;
      let acc = accs.get(id);
      if (!acc) accs.set(id, (acc = { source: o.source, version: o.version, events: 0, attributes: new Map(), unmapped: new Map(), fallbacks: new Map(), raw: new Map() }));
      acc.events++;
      const ev = o.event as Record<string, unknown>;
      const { unmapped, ...rest } = ev;
      const leaves: [string, unknown][] = [];
      leafValues(rest, '', leaves);
      const paths = new Set<string>();
      const byValue = new Map<string, Set<string>>();
      for (const [p, v] of leaves) {
        paths.add(p);
        const k = traceKey(v);
        if (k !== undefined) (byValue.get(k) ?? byValue.set(k, new Set()).get(k)!).add(p);
      }
      for (const p of paths) acc.attributes.set(p, (acc.attributes.get(p) ?? 0) + 1);
      const unmappedKeys = new Set<string>();
      if (unmapped !== null && typeof unmapped === 'object') {
        for (const [k, v] of Object.entries(unmapped)) {
          const key = k.replace(INDEX, '[]');
          unmappedKeys.add(key);
          const u = acc.unmapped.get(key);
          if (u) u.events++;
          else acc.unmapped.set(key, { events: 1, sample: sampleOf(v) });
        }
      }
      const fb: { path: string; id: number; sample?: string }[] = [];
      fallbacksOf(rest, '', fb);
      for (const f of fb) {
        const k = `${f.path}=${f.id}`;
        const e = acc.fallbacks.get(k);
        if (e) e.events++;
        else acc.fallbacks.set(k, { ...f, events: 1 });
      }
      if (o.raw !== null && typeof o.raw === 'object') {
        const raw: [string, unknown][] = [];
        leafValues(o.raw, '', raw);
        const seen = new Map<string, Set<string>>();
        for (const [p, v] of raw) {
          const to = seen.get(p) ?? seen.set(p, new Set()).get(p)!;
          const k = traceKey(v);
          if (k !== undefined) for (const a of byValue.get(k) ?? []) to.add(a);
        }
        for (const [p, to] of seen) {
          const r = acc.raw.get(p) ?? { records: 0, unmapped: 0, to: new Map<string, number>() };
          r.records++;
          if (unmappedKeys.has(p) || [...unmappedKeys].some((k) => p.startsWith(`${k}.`) || p.startsWith(`${k}[]`))) r.unmapped++;
          for (const a of to) r.to.set(a, (r.to.get(a) ?? 0) + 1);
          acc.raw.set(p, r);
        }
      }
    }
  }
  const top = opts.top ?? 25;
  const byCount = <T extends { events: number }>(a: T[]) => a.sort((x, y) => y.events - x.events);
  const sources = [...accs.values()]
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.version < b.version ? -1 : 1))
    .map((acc): SourceCoverage => {
      const declared = getSource(acc.source)?.versions[acc.version]?.attributes ?? [];
      const filled = new Set(acc.attributes.keys());
      const neverFilled = declared.filter((a) => a !== 'unmapped' && ![...filled].some((p) => p === a || p.startsWith(`${a}.`) || p.startsWith(`${a}[]`)));
      return {
        source: acc.source,
        version: acc.version,
        events: acc.events,
        attributes: byCount([...acc.attributes].map(([path, events]) => ({ path, events }))).slice(0, top),
        neverFilled: neverFilled.sort(),
        unmapped: byCount([...acc.unmapped].map(([key, u]) => ({ key, ...u }))).slice(0, top),
        fallbacks: byCount([...acc.fallbacks.values()]).slice(0, top),
        rawFields: [...acc.raw]
          .map(([path, r]) => ({
            path,
            records: r.records,
            mapped: r.unmapped < r.records,
            to: [...r.to].map(([attribute, records]) => ({ attribute, records })).sort((a, b) => b.records - a.records).slice(0, 3),
          }))
          .sort((a, b) => Number(a.mapped) - Number(b.mapped) || b.records - a.records)
          .slice(0, top),
      };
    });
  const s = session.stats;
  return { recordsIn: s.recordsIn, events: s.events, failures: s.failures, filtered: s.filtered, inputs: count, unreadable, sources };
}

/** The report as text tables. */
export function formatCoverage(r: CoverageReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [`records in ${n(r.recordsIn)}: events ${n(r.events)}, failures ${n(r.failures)}, filtered ${n(r.filtered)} (${n(r.inputs)} inputs)`];
  for (const s of r.sources) {
    const pct = (k: number) => `${((k * 100) / s.events).toFixed(1)}%`;
    lines.push('', `${s.source} ${s.version}: ${n(s.events)} events`);
    lines.push('  attributes filled (most filled first)');
    for (const a of s.attributes) lines.push(`    ${a.path.padEnd(56)} ${n(a.events).padStart(9)}  ${pct(a.events).padStart(6)}`);
    if (s.neverFilled.length > 0) lines.push(`  declared but never filled: ${s.neverFilled.join(', ')}`);
    if (s.unmapped.length > 0) {
      lines.push('  unmapped keys (raw fields kept as strings)');
      for (const u of s.unmapped) lines.push(`    ${u.key.padEnd(56)} ${n(u.events).padStart(9)}  e.g. ${u.sample}`);
    }
    if (s.fallbacks.length > 0) {
      lines.push('  fallbacks (enum ids at 0 Unknown or 99 Other)');
      for (const f of s.fallbacks) lines.push(`    ${`${f.path}=${f.id}`.padEnd(56)} ${n(f.events).padStart(9)}${f.sample !== undefined ? `  e.g. ${f.sample}` : ''}`);
    }
    const traced = s.rawFields.filter((f) => f.mapped && f.to.length > 0);
    if (traced.length > 0) {
      lines.push('  raw fields → OCSF attributes (where the same value landed)');
      for (const f of traced) lines.push(`    ${f.path.padEnd(40)} ${n(f.records).padStart(9)}  → ${f.to.map((t) => `${t.attribute} (${n(t.records)})`).join(', ')}`);
    }
    const only = s.rawFields.filter((f) => !f.mapped);
    if (only.length > 0) {
      lines.push('  raw fields kept only in unmapped');
      for (const f of only) lines.push(`    ${f.path.padEnd(56)} ${n(f.records).padStart(9)}`);
    }
  }
  for (const u of r.unreadable) lines.push(`unreadable: ${u}`);
  return lines.join('\n');
}
