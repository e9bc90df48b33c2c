/**
 * Dead-letter files as inputs: each entry goes back through its source's decoders and mapper (grouped by source,
 * version, header line and envelope context, so text formats such as VPC flow logs get their header again), and
 * entries that carry only an OCSF event (mapped, then refused by the sink) come out as that event. An entry whose
 * record was too large to keep refers to its input object instead; that record is read back from the object (a
 * `read-error` again when it is gone). One dead-letter file is one input object of the ledger, so replaying it
 * commits like any input.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { createMapSession } from '../core/engine.js';
import type { MapOptions, MapSession, Outcome } from '../core/engine.js';
import { gunzipSalvage, isGzip } from '../core/input.js';
import { inflateCap, resolveLimits } from '../core/limits.js';
import { MapFailure } from '../core/outcome.js';
import type { OcsfEvent, RecordContext, SourceOptions } from '../core/types.js';
import type { S3ClientOptions } from '../io/s3.js';
import { parseS3Url } from '../io/s3-url.js';
import type { DeadLetterEntry } from './dead-letter.js';

interface Group {
  source: string;
  version?: string;
  header?: string;
  context: RecordContext;
  lines: string[];
}

export interface ReplaySessions {
  /** The map session of a source at a version (default: its latest), made once. */
  get(source: string, version: string | undefined): MapSession;
}

export function replaySessions(opts: { context?: RecordContext; options?: SourceOptions; limits?: MapOptions['limits'] }): ReplaySessions {
  const sessions = new Map<string, MapSession>();
  return {
    get(source, version) {
      const id = `${source}@${version ?? ''}`;
      let s = sessions.get(id);
      if (!s) sessions.set(id, (s = createMapSession({ source, sourceVersion: version, context: opts.context, options: opts.options, limits: opts.limits })));
      return s;
    },
  };
}

/** `SOURCE@version ocsf-lake/x` → version. */
function mapperVersion(mapper: string | undefined): string | undefined {
  return mapper?.split(' ')[0]!.split('@')[1] || undefined;
}

/**
 * The input objects that dead letters too large to hold their record refer to. One object is kept at a time,
 * decompressed once: the entries of one input come together, so N references into it cost one read.
 */
export interface ReferencedInputs {
  /** An input object as stored, and (inflated on first use) its decompressed bytes and decoded text. */
  read(input: string): Promise<{ stored: Uint8Array; data(): Uint8Array; text(): string }>;
}

export function referencedInputs(opts: { limits?: MapOptions['limits']; s3?: S3ClientOptions }): ReferencedInputs {
  const limits = resolveLimits(opts.limits);
  let s3: Promise<import('@aws-sdk/client-s3').S3Client> | undefined;
  let cached: { input: string; stored: Uint8Array; data(): Uint8Array; text(): string } | undefined;
  async function readStored(input: string): Promise<Uint8Array> {
    if (!input.startsWith('s3://')) return readFile(input);
    s3 ??= import('../io/s3.js').then((m) => m.createS3Client(opts.s3));
    const [{ s3Object }, client] = await Promise.all([import('./inputs.js'), s3]);
    const { bucket, prefix: key } = parseS3Url(input);
    return s3Object(client, bucket, key).read();
  }
  return {
    async read(input) {
      if (cached?.input !== input) {
        cached = undefined; // the previous object is released before the next one is read
        const stored = await readStored(input);
        let data: Uint8Array | undefined;
        let text: string | undefined;
        cached = {
          input,
          stored,
          data() {
            if (data === undefined) {
              if (!isGzip(stored)) data = stored;
              else {
                // Inflated as the engine inflated it, within the run's limits.
                const r = gunzipSalvage(stored, inflateCap(stored.length, limits));
                if (r.error?.reason === 'decompressed-too-large') throw r.error;
                data = r.data;
              }
            }
            return data;
          },
          text() {
            // The decoders' text: lenient UTF-8 with a leading BOM dropped, so character offsets match.
            return (text ??= new TextDecoder('utf-8').decode(this.data()));
          },
        };
      }
      return cached;
    },
  };
}

type ByteRef = { ref: { input?: string; start: number; end: number }; bytes: number };
type TextRef = { ref: { input?: string; line?: number; offset?: number }; chars: number };

/**
 * The record a reference names: bytes `start..end` of the decompressed input, or the `chars` characters of
 * its decoded text from `offset`. A range over the whole object (as stored, e.g. an input refused before it
 * was inflated, or decompressed) is that object, `whole`. Throws when the input is gone or the range does not fit.
 */
async function resolveRef(raw: ByteRef | TextRef, inputs: ReferencedInputs): Promise<{ record: Uint8Array | string; whole: boolean }> {
  const { input } = raw.ref;
  if (input === undefined) throw new Error('the reference names no input');
  const obj = await inputs.read(input);
  if ('start' in raw.ref) {
    const { start, end } = raw.ref;
    if (start === 0 && end === obj.stored.length) return { record: obj.stored, whole: true };
    const data = obj.data();
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= data.length)) {
      throw new Error(`bytes ${start}..${end} are not within it (${data.length} bytes decompressed)`);
    }
    if (start === 0 && end === data.length) return { record: obj.stored, whole: true };
    return { record: Buffer.from(data.subarray(start, end)), whole: false }; // a copy: the cached input is dropped for the next one
  }
  const { offset } = raw.ref;
  const { chars } = raw as TextRef;
  const text = obj.text();
  if (offset === undefined || !Number.isInteger(offset) || offset < 0 || !Number.isInteger(chars) || offset + chars > text.length) {
    throw new Error(`characters ${offset ?? '?'}..${offset === undefined ? '?' : offset + chars} are not within it (${text.length} characters)`);
  }
  return { record: text.slice(offset, offset + chars), whole: false };
}

function describeRef(raw: ByteRef | TextRef): string {
  const r = raw.ref;
  return 'start' in r ? `${r.input ?? '?'} bytes ${r.start}..${r.end}` : `${r.input ?? '?'} line ${r.line ?? '?'} offset ${r.offset ?? '?'} (${(raw as TextRef).chars} chars)`;
}

/** A referenced record, mapped on its own; `origin` is what its dead letter said, kept if it fails again. */
interface Referenced {
  name: string;
  source: string;
  version?: string;
  bytes: Uint8Array;
  context: RecordContext;
  origin?: { raw: ByteRef | TextRef; context: RecordContext };
}

/** The outcomes of every entry of one dead-letter file; references to input objects are read with `inputs`. */
export async function* replayOutcomes(name: string, bytes: Uint8Array, sessions: ReplaySessions, inputs: ReferencedInputs = referencedInputs({})): AsyncGenerator<Outcome> {
  let text: string;
  try {
    text = Buffer.from(isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (err) {
    yield { kind: 'failure', failure: new MapFailure('read-error', `${name}: ${(err as Error).message}`, 'replay', { input: name }, { input: name }) };
    return;
  }
  const groups = new Map<string, Group>();
  const binary: { name: string; source: string; version?: string; bytes: Uint8Array; context: RecordContext }[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    let entry: DeadLetterEntry;
    try {
      entry = JSON.parse(line) as DeadLetterEntry;
    } catch (err) {
      yield { kind: 'failure', failure: new MapFailure('invalid-json', `${name} line ${lineNo} is not a dead-letter entry: ${(err as Error).message}`, 'replay', line, { input: name, line: lineNo }) };
      continue;
    }
    const version = mapperVersion(entry.mapper);
    const context: RecordContext = { input: entry.input, line: entry.line, offset: entry.offset, index: entry.index, region: entry.region, accountId: entry.accountId };
    // Region/account of the delivery envelope or key, which the raw record alone may not say.
    const envelope = { ...(entry.region ? { region: entry.region } : {}), ...(entry.accountId ? { accountId: entry.accountId } : {}) };
    if ((entry.raw === null || entry.raw === undefined) && entry.event !== undefined) {
      const [source] = (entry.mapper ?? entry.source).split(' ')[0]!.split('@');
      if (version === undefined) {
        yield { kind: 'failure', failure: new MapFailure('unsupported-version', `dead-letter entry has no source version (mapper ${entry.mapper ?? 'unknown'})`, entry.source, null, context) };
      } else yield { kind: 'event', source: source!, version, event: entry.event as OcsfEvent, context, raw: null };
    } else if (isRef(entry.raw)) {
      // A record too large for its dead letter is read back from its input object.
      const origin = { raw: withHeader(entry.raw, entry.header), context };
      let r: Awaited<ReturnType<typeof resolveRef>>;
      try {
        r = await resolveRef(entry.raw, inputs);
      } catch (err) {
        yield { kind: 'failure', failure: new MapFailure('read-error', `cannot read the record of ${describeRef(entry.raw)}: ${(err as Error).message}`, entry.source, origin.raw, context) };
        continue;
      }
      const v = version !== undefined ? { version } : {};
      // Mapped at once, so that only one large record is held at a time. A whole object is mapped under its own
      // name, so what fails in it again refers to it as before.
      if (r.whole) yield* mapReferenced(sessions, { name: entry.raw.ref.input!, source: entry.source, ...v, bytes: r.record as Uint8Array, context: envelope });
      else {
        const record = typeof r.record === 'string' ? Buffer.from(r.record + '\n') : r.record;
        const bytes = entry.header !== undefined ? Buffer.concat([Buffer.from(entry.header + '\n'), record]) : record;
        yield* mapReferenced(sessions, { name: `${name}#${lineNo}`, source: entry.source, ...v, bytes, context: envelope, origin });
      }
    } else if (isBase64Raw(entry.raw)) {
      // Raw bytes travel with what their line needs to be read again: its header and the envelope's region/account.
      const raw = Buffer.from(entry.raw.base64, 'base64');
      const bytes = entry.header !== undefined ? Buffer.concat([Buffer.from(entry.header + '\n'), raw]) : raw;
      binary.push({ name: `${name}#${lineNo}`, source: entry.source, ...(version !== undefined ? { version } : {}), bytes, context: envelope });
    } else {
      const key = `${entry.source}\u0000${version ?? ''}\u0000${entry.header ?? ''}\u0000${entry.region ?? ''}\u0000${entry.accountId ?? ''}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { source: entry.source, ...(version !== undefined ? { version } : {}), ...(entry.header !== undefined ? { header: entry.header } : {}), context: envelope, lines: [] }));
      g.lines.push(typeof entry.raw === 'string' ? entry.raw : JSON.stringify(entry.raw));
    }
  }
  let n = 0;
  for (const g of groups.values()) {
    const body = (g.header !== undefined ? g.header + '\n' : '') + g.lines.join('\n') + '\n';
    yield* sessionOrFailure(sessions, g.source, g.version, `${name}:replay-${n++}:${g.source}`, Buffer.from(body), g.context, g.lines);
  }
  for (const b of binary) yield* sessionOrFailure(sessions, b.source, b.version, b.name, b.bytes, b.context, [{ base64: Buffer.from(b.bytes).toString('base64'), bytes: b.bytes.length }]);
}

async function* mapReferenced(sessions: ReplaySessions, r: Referenced): AsyncGenerator<Outcome> {
  const raws = [r.origin?.raw ?? { ref: { input: r.name, start: 0, end: r.bytes.length }, bytes: r.bytes.length }];
  for await (const o of sessionOrFailure(sessions, r.source, r.version, r.name, r.bytes, r.context, raws)) {
    // A record read back that fails again keeps its reference: the bytes it would now name are this replay's.
    if (o.kind === 'failure' && r.origin !== undefined && isRef(o.failure.raw)) {
      const f = o.failure;
      const again = new MapFailure(f.reason, f.message, f.source, r.origin.raw, { ...f.context, ...r.origin.context }, f.errors);
      yield o.mapper === undefined ? { kind: 'failure', failure: again } : { kind: 'failure', failure: again, mapper: o.mapper };
    } else yield o;
  }
}

/** The reference with the header line its record's fields need (as the engine gives a text line's raw). */
function withHeader<T extends object>(raw: T, header: string | undefined): T {
  if (header !== undefined) Object.defineProperty(raw, 'deadLetterHeader', { value: () => header });
  return raw;
}

/** Maps a regrouped input with its source's session; a source no longer known fails each of its records. */
async function* sessionOrFailure(sessions: ReplaySessions, source: string, version: string | undefined, name: string, bytes: Uint8Array, context: RecordContext, raws: readonly unknown[]): AsyncGenerator<Outcome> {
  let session: MapSession;
  try {
    session = sessions.get(source, version);
  } catch (err) {
    for (const raw of raws) {
      yield { kind: 'failure', failure: new MapFailure('unsupported-version', `cannot replay ${source}${version ? '@' + version : ''}: ${(err as Error).message}`, source, raw, { ...context, input: name }) };
    }
    return;
  }
  yield* session.mapInput(name, bytes, context);
}

function isRef(raw: unknown): raw is ByteRef | TextRef {
  return raw !== null && typeof raw === 'object' && typeof (raw as { ref?: unknown }).ref === 'object' && (raw as { ref?: unknown }).ref !== null;
}

function isBase64Raw(raw: unknown): raw is { base64: string; bytes: number } {
  return raw !== null && typeof raw === 'object' && typeof (raw as { base64?: unknown }).base64 === 'string';
}
