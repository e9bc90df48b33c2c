/**
 * Decode → route → map for one or more inputs, with exact accounting: every record in ends as one
 * event, one failure or one filtered record. This is what `ocsf-lake map` runs; the Parquet pipeline
 * builds on the same session.
 */
import { MapFailure, Filtered } from './outcome.js';
import { gunzipSalvage, InputError, isGzip, makeDecodeInput, rawBytes, sniffHead } from './input.js';
import type { EngineDecodeInput } from './input.js';
import { deeperThan, inflateCap, resolveLimits } from './limits.js';
import type { InputLimits } from './limits.js';
import { latestVersion, listSources, resolveSources, SourceError } from './source.js';
import type { Decoder, Mapper, RawRecord, SourceDefinition } from './source.js';
import type { OcsfEvent, RecordContext, SourceOptions, SourceVersion } from './types.js';

export interface MapOptions {
  /** A sourceName (`CLOUD_TRAIL_MGMT`), a family (`cloudtrail`), or `auto` (detect per input). */
  source: string;
  /** Source version for every selected source; default: each source's latest. */
  sourceVersion?: SourceVersion;
  /** Defaults for every record (e.g. `{ region, accountId }` given by the user). */
  context?: RecordContext;
  /** Source-specific options (e.g. `{ vpcFormat }`). */
  options?: SourceOptions;
  /** Bounds on input objects and records (see {@link InputLimits}); each field defaults to {@link DEFAULT_LIMITS}. */
  limits?: Partial<InputLimits>;
}

export type Outcome =
  | { kind: 'event'; source: string; version: SourceVersion; event: OcsfEvent; context: RecordContext; /** The raw record it was mapped from. */ raw: unknown }
  | { kind: 'failure'; failure: MapFailure; /** `SOURCE@version` of the mapper that refused the record (absent for decode/route failures). */ mapper?: string }
  | { kind: 'filtered'; filtered: Filtered; context: RecordContext };

/** Counters of one session. `recordsIn === events + failures + filtered` always holds. */
export interface MapStats {
  recordsIn: number;
  events: number;
  failures: number;
  filtered: number;
  eventsBySource: Record<string, number>;
  eventsByClass: Record<string, number>;
  failuresByReason: Record<string, number>;
  filteredByReason: Record<string, number>;
}

/** One decode lane: a single source or a family sharing decoders and `route()`. */
interface Lane {
  name: string;
  decoders: readonly Decoder[];
  route?: SourceDefinition['route'];
  /** Mappers of the selected members, by sourceName. */
  mappers: Map<string, Mapper>;
}

export interface MapSession {
  readonly stats: MapStats;
  /** Maps one input object (raw bytes, gzip or not). Never throws for bad data. */
  mapInput(name: string, bytes: Uint8Array, context?: RecordContext): AsyncGenerator<Outcome>;
  /** Human one-line summary of the counters. */
  summary(): string;
}

/** Creates a session for the selected sources; throws {@link SourceError} on usage errors. */
export function createMapSession(opts: MapOptions): MapSession {
  const options = opts.options ?? {};
  const limits = resolveLimits(opts.limits);
  const lanes = buildLanes(opts.source, opts.sourceVersion, options);
  const stats: MapStats = {
    recordsIn: 0,
    events: 0,
    failures: 0,
    filtered: 0,
    eventsBySource: {},
    eventsByClass: {},
    failuresByReason: {},
    filteredByReason: {},
  };
  const sourceLabel = opts.source;

  function fail(f: MapFailure, mapper?: string): Outcome {
    stats.recordsIn++;
    stats.failures++;
    stats.failuresByReason[f.reason] = (stats.failuresByReason[f.reason] ?? 0) + 1;
    return mapper === undefined ? { kind: 'failure', failure: f } : { kind: 'failure', failure: f, mapper };
  }
  function filter(f: Filtered, context: RecordContext): Outcome {
    stats.recordsIn++;
    stats.filtered++;
    const key = f.detail ? `${f.reason}:${f.detail}` : f.reason;
    stats.filteredByReason[key] = (stats.filteredByReason[key] ?? 0) + 1;
    return { kind: 'filtered', filtered: f, context };
  }
  function event(source: string, mapper: Mapper, ev: OcsfEvent, context: RecordContext, raw: unknown): Outcome {
    stats.recordsIn++;
    stats.events++;
    stats.eventsBySource[source] = (stats.eventsBySource[source] ?? 0) + 1;
    const cls = String(ev.class_uid);
    stats.eventsByClass[cls] = (stats.eventsByClass[cls] ?? 0) + 1;
    return { kind: 'event', source, version: mapper.version, event: ev, context, raw };
  }

  async function* mapInput(name: string, bytes: Uint8Array, context: RecordContext = {}): AsyncGenerator<Outcome> {
    const base: RecordContext = { ...opts.context, ...context, input: name };
    let data: Uint8Array = bytes;
    let gzipError: InputError | undefined;
    if (isGzip(bytes)) {
      const r = gunzipSalvage(bytes, inflateCap(bytes.length, limits));
      if (r.error?.reason === 'decompressed-too-large') {
        // Nothing of the object is mapped: a re-run with a higher limit then maps all of it, once.
        yield fail(new MapFailure(r.error.reason, `${name}: ${r.error.message}`, sourceLabel, rawBytes(bytes, name), base));
        return;
      }
      data = r.data;
      gzipError = r.error;
    } else if (/\.gz$/i.test(name) && bytes.length > 0 && !isParquet(bytes)) {
      yield fail(new MapFailure('not-gzip', `${name} is named .gz but is not gzip`, sourceLabel, rawBytes(bytes, name), base));
      return;
    } else if (bytes.length > limits.maxInputBytes) {
      yield fail(new MapFailure('input-too-large', `${name}: ${bytes.length} bytes exceed limits.maxInputBytes (${limits.maxInputBytes})`, sourceLabel, rawBytes(bytes, name), base));
      return;
    }
    if (data.length === 0 || isBlank(data)) {
      if (gzipError) yield fail(new MapFailure(gzipError.reason, `${name}: ${gzipError.message}`, sourceLabel, rawBytes(bytes, name), base));
      else yield fail(new MapFailure('empty-input', `${name} is empty`, sourceLabel, '', base));
      return;
    }
    const head = sniffHead(data);
    const found = pickDecoder(lanes, head, data);
    if (!found) {
      yield fail(new MapFailure('unknown-format', `${name}: no decoder of ${lanes.map((l) => l.name).join(', ')} recognizes this input (starts with ${JSON.stringify(head.slice(0, 80))})`, sourceLabel, rawBytes(data, name), base));
      if (gzipError) yield fail(new MapFailure(gzipError.reason, `${name}: ${gzipError.message}`, sourceLabel, '', base));
      return;
    }
    const { lane, decoder } = found;
    const input = makeDecodeInput(name, data, base, options, limits);
    let records = 0;
    try {
      for await (const item of decoder.decode(input) as AsyncIterable<RawRecord | MapFailure | Filtered>) {
        if (++records > limits.maxRecordsPerInput) {
          // The rest of the object is one failure: counting it would mean decoding it.
          yield fail(new MapFailure('too-many-records', `${name}: more than ${limits.maxRecordsPerInput} records (limits.maxRecordsPerInput); the rest of the input is not read`, lane.name, { input: name, fromRecord: records - 1 }, base));
          break;
        }
        if (item instanceof MapFailure) yield fail(item);
        else if (item instanceof Filtered) yield filter(item, base);
        else yield mapRecord(lane, item, input);
      }
    } catch (err) {
      const reason = err instanceof InputError ? err.reason : 'read-error';
      // The whole input is the failed record: keep its bytes, as for unknown formats, so that the dead letter
      // can be replayed after a fix.
      yield fail(new MapFailure(reason, `${name}: ${(err as Error).message}`, lane.name, rawBytes(data, name), base));
    }
    if (gzipError) yield fail(new MapFailure(gzipError.reason, `${name}: ${gzipError.message}`, lane.name, '', base));
  }

  function mapRecord(lane: Lane, rec: RawRecord, input: EngineDecodeInput): Outcome {
    // Before any walk over the record: routing, mapping, `unmapped` and validation then stay within the bound.
    if (isJsonContainer(rec.value) && deeperThan(rec.value, limits.maxDepth)) {
      return fail(new MapFailure('too-deep', `the record nests objects/arrays deeper than ${limits.maxDepth} levels (limits.maxDepth)`, lane.name, rec.value, rec.context));
    }
    if (input.damage !== undefined) {
      const bad = utf8Failure(rec, input, lane.name);
      if (bad !== undefined) return fail(bad);
    }
    let member: string;
    if (lane.route) {
      const r = lane.route(rec.value, rec.context);
      if (r instanceof MapFailure) return fail(r);
      if (r instanceof Filtered) return filter(r, rec.context);
      member = r;
    } else member = lane.name;
    const mapper = lane.mappers.get(member);
    if (!mapper) return filter(new Filtered('other-source', member, lane.name), rec.context);
    let out: OcsfEvent | MapFailure | Filtered;
    try {
      out = mapper.map(rec.value, rec.context);
    } catch (err) {
      out = new MapFailure('mapper-error', `${member} mapper threw: ${(err as Error).stack ?? err}`, member, rec.value, rec.context);
    }
    if (out instanceof MapFailure) return fail(out, `${member}@${mapper.version}`);
    if (out instanceof Filtered) return filter(out, rec.context);
    return event(member, mapper, out, rec.context, rec.value);
  }

  function summary(): string {
    return formatSummary(stats);
  }

  return { stats, mapInput, summary };
}

/** `records in 10, events 8 (CLOUD_TRAIL_MGMT 8), failures 1 (invalid-json 1), filtered 1 (...)`. */
export function formatSummary(s: MapStats): string {
  const parts = (o: Record<string, number>) => {
    const e = Object.entries(o);
    return e.length ? ` (${e.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
  };
  return `records in ${s.recordsIn}, events ${s.events}${parts(s.eventsBySource)}, failures ${s.failures}${parts(s.failuresByReason)}, filtered ${s.filtered}${parts(s.filteredByReason)}`;
}

function buildLanes(selector: string, version: SourceVersion | undefined, options: SourceOptions): Lane[] {
  const selected = selector.toLowerCase() === 'auto' ? listSources() : resolveSources(selector);
  const lanes = new Map<string, Lane>();
  for (const def of selected) {
    const v = version ?? latestVersion(def);
    if (!def.versions[v]) {
      if (selector.toLowerCase() === 'auto' || selected.length > 1 && version === undefined) continue;
      const supported = Object.keys(def.versions);
      const msg = supported.length === 1
        ? `${def.name} exists only from source version ${supported[0]} (asked for ${v})`
        : `${def.name} has no source version ${v} (supported: ${supported.join(', ')})`;
      throw new SourceError(msg);
    }
    const laneName = def.family ?? def.name;
    let lane = lanes.get(laneName);
    if (!lane) {
      lane = { name: laneName, decoders: def.decoders, route: def.route, mappers: new Map() };
      lanes.set(laneName, lane);
    }
    lane.mappers.set(def.name, def.createMapper(v, options));
  }
  if (lanes.size === 0) throw new SourceError(`no source matches ${JSON.stringify(selector)} at version ${version}`);
  return [...lanes.values()];
}

function pickDecoder(lanes: Lane[], head: string, bytes: Uint8Array): { lane: Lane; decoder: Decoder } | undefined {
  for (const lane of lanes) for (const decoder of lane.decoders) if (decoder.sniff(head, bytes)) return { lane, decoder };
  return undefined;
}

function isParquet(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x31;
}

function isBlank(b: Uint8Array): boolean {
  for (let i = 0; i < b.length && i < 4096; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return b.length <= 4096;
}

/** Parsed JSON (a plain object or an array), as opposed to a decoder's own record class (e.g. a VPC text line). */
function isJsonContainer(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === Array.prototype || proto === null;
}

/**
 * For an input with invalid UTF-8 bytes: the failure of a record they touch, or undefined. A record on a
 * damaged line of its own (text and NDJSON lines) keeps that line's bytes as they were; a record that is
 * part of a larger value (an element of `Records`, a CloudWatch Logs message) fails when its decoded value
 * holds U+FFFD, the replacement of the bad bytes (a genuine U+FFFD in a damaged input fails the same way).
 */
function utf8Failure(rec: RawRecord, input: EngineDecodeInput, source: string): MapFailure | undefined {
  const line = rec.context.line;
  const damaged = line !== undefined ? input.damage!.lines.get(line) : undefined;
  if (damaged !== undefined && rec.context.index === undefined) {
    const raw = rawBytes(input.bytes, input.name, damaged.start, damaged.end);
    // A text line whose fields a header names (VPC) keeps that header for replay, as its other failures do.
    const header = (rec.value as { deadLetterHeader?: () => string } | null)?.deadLetterHeader;
    if (typeof header === 'function') Object.defineProperty(raw, 'deadLetterHeader', { value: header.bind(rec.value) });
    return new MapFailure('invalid-utf8', `line ${line} is not valid UTF-8 (first bad byte at offset ${damaged.bad})`, source, raw, rec.context);
  }
  if (!holdsReplacement(rec.value)) return undefined;
  return new MapFailure('invalid-utf8', 'the record held bytes that are not valid UTF-8 (replaced by U+FFFD in raw)', source, rec.value, rec.context);
}

function holdsReplacement(v: unknown): boolean {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return typeof s === 'string' && s.includes('\uFFFD');
}
