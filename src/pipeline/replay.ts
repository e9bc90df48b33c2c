/**
 * `replay(dlqInputs, options)`: re-ingests dead-lettered records (after a fix) with the same accounting as
 * `ingest`. Entries are grouped by source (and header line, for text formats such as VPC flow logs) into
 * synthetic inputs that go through the source's decoders and mappers again; entries that carry only an OCSF
 * event (the sink failed after mapping) are written as they are. Records that fail again are dead-lettered
 * again, so nothing is lost either way.
 */
import { gunzipSync } from 'node:zlib';
import { isGzip } from '../core/input.js';
import { MapFailure } from '../core/outcome.js';
import type { OcsfEvent } from '../core/types.js';
import { createLakeWriter, failuresToMapFailures, FlushError } from '../writer/writer.js';
import type { WrittenFile } from '../writer/writer.js';
import { LIBRARY_VERSION } from '../core/version.js';
import { createS3Client } from '../io/s3.js';
import { createDeadLetterWriter } from './dead-letter.js';
import type { DeadLetterEntry } from './dead-letter.js';
import { ingest, shardOut } from './ingest.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import { InputListingError, listInputs } from './inputs.js';
import type { InputSource } from './inputs.js';
import { sinkFor } from './shard.js';
import { balanced, countFile, emptyCounts, mergeCounts } from './summary.js';

export type ReplayOptions = Omit<IngestOptions, 'source' | 'sourceVersion'>;

interface Group {
  source: string;
  header?: string;
  /** Region/account the envelope gave the original records (e.g. a CloudWatch Logs owner). */
  context: { region?: string; accountId?: string };
  lines: string[];
}

/** Replays every dead-letter file under the given paths (files, directories or `s3://` prefixes). */
export async function replay(dlqInputs: readonly InputSource[], opts: ReplayOptions): Promise<IngestResult> {
  const started = Date.now();
  const groups = new Map<string, Group>();
  const events: { entry: DeadLetterEntry; event: OcsfEvent }[] = [];
  const binary: { name: string; source: string; bytes: Uint8Array; context: { region?: string; accountId?: string } }[] = [];
  const unreadable: MapFailure[] = [];
  const s3Client = dlqInputs.some((i) => typeof i === 'string' && i.startsWith('s3://')) ? createS3Client(opts.s3) : undefined;

  for await (const obj of listInputs(dlqInputs, { s3Client })) {
    if (obj instanceof InputListingError) {
      unreadable.push(new MapFailure(obj.reason, obj.message, 'replay', { input: obj.input }, { input: obj.input }));
      continue;
    }
    let text: string;
    try {
      const bytes = await obj.read();
      text = Buffer.from(isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
    } catch (err) {
      unreadable.push(new MapFailure('read-error', `${obj.name}: ${(err as Error).message}`, 'replay', { input: obj.name }, { input: obj.name }));
      continue;
    }
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo++;
      if (line.trim() === '') continue;
      let entry: DeadLetterEntry;
      try {
        entry = JSON.parse(line) as DeadLetterEntry;
      } catch (err) {
        unreadable.push(new MapFailure('invalid-json', `${obj.name} line ${lineNo} is not a dead-letter entry: ${(err as Error).message}`, 'replay', line, { input: obj.name, line: lineNo }));
        continue;
      }
      if ((entry.raw === null || entry.raw === undefined) && entry.event !== undefined) {
        events.push({ entry, event: entry.event as OcsfEvent });
      } else if (isBase64Raw(entry.raw)) {
        // Raw bytes travel with what their line needs to be read again: its header and the envelope's region/account.
        const bytes = Buffer.from(entry.raw.base64, 'base64');
        const context = { ...(entry.region ? { region: entry.region } : {}), ...(entry.accountId ? { accountId: entry.accountId } : {}) };
        binary.push({ name: `${obj.name}#${lineNo}`, source: entry.source, bytes: entry.header !== undefined ? Buffer.concat([Buffer.from(entry.header + '\n'), bytes]) : bytes, context });
      } else {
        const key = `${entry.source}\u0000${entry.header ?? ''}\u0000${entry.region ?? ''}\u0000${entry.accountId ?? ''}`;
        let g = groups.get(key);
        if (!g) {
          const context = { ...(entry.region ? { region: entry.region } : {}), ...(entry.accountId ? { accountId: entry.accountId } : {}) };
          groups.set(key, (g = { source: entry.source, ...(entry.header !== undefined ? { header: entry.header } : {}), context, lines: [] }));
        }
        g.lines.push(typeof entry.raw === 'string' ? entry.raw : JSON.stringify(entry.raw));
      }
    }
  }

  const counts = emptyCounts();
  const results: IngestResult[] = [];
  let n = 0;
  for (const g of groups.values()) {
    const text = (g.header !== undefined ? g.header + '\n' : '') + g.lines.join('\n') + '\n';
    results.push(await ingest([{ name: `replay-${n++}:${g.source}`, bytes: Buffer.from(text), context: g.context }], { ...opts, source: g.source, workers: 1 }));
  }
  for (const b of binary) results.push(await ingest([{ name: b.name, bytes: b.bytes, context: b.context }], { ...opts, source: b.source, workers: 1 }));
  for (const r of results) mergeCounts(counts, r.counts);

  const files: WrittenFile[] = results.flatMap((r) => r.files);
  const dlqFiles = results.flatMap((r) => r.dlqFiles);
  const dlqErrors = results.flatMap((r) => r.dlqErrors);
  if (events.length > 0 || unreadable.length > 0) {
    const direct = await writeEvents(events, unreadable, opts);
    mergeCounts(counts, direct.counts);
    files.push(...direct.files);
    dlqFiles.push(...direct.dlqFiles);
    dlqErrors.push(...direct.dlqErrors);
  }
  return { counts, balanced: balanced(counts), files, dlqFiles, dlqErrors, elapsedMs: Date.now() - started, workers: 1 };
}

/** Writes already-mapped events straight to the lake (their mapping succeeded; the sink had failed). */
async function writeEvents(events: { entry: DeadLetterEntry; event: OcsfEvent }[], unreadable: MapFailure[], opts: ReplayOptions) {
  const sink = sinkFor(shardOut(opts));
  const files: WrittenFile[] = [];
  const writer = createLakeWriter({ sink, layout: opts.layout, compression: opts.compression, ...opts.writer, onFile: (f) => files.push(f) });
  const dlq = createDeadLetterWriter({ sink, libraryVersion: LIBRARY_VERSION });
  const counts = emptyCounts();
  const fail = (f: MapFailure, mapper?: string, ev?: unknown) => {
    counts.failures++;
    counts.failuresByReason[f.reason] = (counts.failuresByReason[f.reason] ?? 0) + 1;
    dlq.add(f, mapper, ev);
  };
  for (const f of unreadable) {
    counts.recordsIn++;
    fail(f);
  }
  for (const { entry, event } of events) {
    counts.recordsIn++;
    const [source, version] = (entry.mapper ?? entry.source).split(' ')[0]!.split('@');
    const ctx = { input: entry.input, line: entry.line, offset: entry.offset, index: entry.index, region: entry.region, accountId: entry.accountId };
    if (!version) {
      fail(new MapFailure('unsupported-version', `dead-letter entry has no source version (mapper ${entry.mapper ?? 'unknown'})`, entry.source, null, ctx), undefined, event);
      continue;
    }
    const rejected = writer.write(event, { source: source!, sourceVersion: version, context: ctx });
    if (rejected) fail(new MapFailure(rejected.reason, rejected.message, source!, null, ctx, rejected.errors), `${source}@${version}`, event);
  }
  try {
    await writer.close();
  } catch (err) {
    if (!(err instanceof FlushError)) throw err;
  }
  for (const f of failuresToMapFailures(writer.takeFailed())) fail(new MapFailure(f.reason, f.message, f.source, null, f.context), f.source, f.raw);
  for (const f of files) countFile(counts, f);
  counts.files = files.length;
  const dlqErrors: string[] = [];
  let dlqFiles: string[] = [];
  try {
    dlqFiles = await dlq.flush();
  } catch (err) {
    dlqErrors.push((err as Error).message);
  }
  return { counts, files, dlqFiles, dlqErrors };
}

function isBase64Raw(raw: unknown): raw is { base64: string; bytes: number } {
  return raw !== null && typeof raw === 'object' && typeof (raw as { base64?: unknown }).base64 === 'string';
}
