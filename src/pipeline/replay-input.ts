/**
 * Dead-letter files as inputs: each entry goes back through its source's decoders and mapper (grouped by source,
 * version, header line and envelope context, so text formats such as VPC flow logs get their header again), and
 * entries that carry only an OCSF event (mapped, then refused by the sink) come out as that event. One dead-letter
 * file is one input object of the ledger, so replaying it commits like any input.
 */
import { gunzipSync } from 'node:zlib';
import { createMapSession } from '../core/engine.js';
import type { MapOptions, MapSession, Outcome } from '../core/engine.js';
import { isGzip } from '../core/input.js';
import { MapFailure } from '../core/outcome.js';
import type { OcsfEvent, RecordContext, SourceOptions } from '../core/types.js';
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

/** The outcomes of every entry of one dead-letter file. */
export async function* replayOutcomes(name: string, bytes: Uint8Array, sessions: ReplaySessions): AsyncGenerator<Outcome> {
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
    if ((entry.raw === null || entry.raw === undefined) && entry.event !== undefined) {
      const [source] = (entry.mapper ?? entry.source).split(' ')[0]!.split('@');
      if (version === undefined) {
        yield { kind: 'failure', failure: new MapFailure('unsupported-version', `dead-letter entry has no source version (mapper ${entry.mapper ?? 'unknown'})`, entry.source, null, context) };
      } else yield { kind: 'event', source: source!, version, event: entry.event as OcsfEvent, context, raw: null };
    } else if (isBase64Raw(entry.raw)) {
      // Raw bytes travel with what their line needs to be read again: its header and the envelope's region/account.
      const raw = Buffer.from(entry.raw.base64, 'base64');
      const ctx = { ...(entry.region ? { region: entry.region } : {}), ...(entry.accountId ? { accountId: entry.accountId } : {}) };
      const bytes = entry.header !== undefined ? Buffer.concat([Buffer.from(entry.header + '\n'), raw]) : raw;
      binary.push({ name: `${name}#${lineNo}`, source: entry.source, ...(version !== undefined ? { version } : {}), bytes, context: ctx });
    } else {
      const key = `${entry.source}\u0000${version ?? ''}\u0000${entry.header ?? ''}\u0000${entry.region ?? ''}\u0000${entry.accountId ?? ''}`;
      let g = groups.get(key);
      if (!g) {
        const ctx = { ...(entry.region ? { region: entry.region } : {}), ...(entry.accountId ? { accountId: entry.accountId } : {}) };
        groups.set(key, (g = { source: entry.source, ...(version !== undefined ? { version } : {}), ...(entry.header !== undefined ? { header: entry.header } : {}), context: ctx, lines: [] }));
      }
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

function isBase64Raw(raw: unknown): raw is { base64: string; bytes: number } {
  return raw !== null && typeof raw === 'object' && typeof (raw as { base64?: unknown }).base64 === 'string';
}
