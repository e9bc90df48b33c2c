/**
 * Per-stage profile of our pipeline on one data set: each stage is run on its own, over all the records,
 * with the same functions `ingest()` uses, and timed separately (a stage's time is the difference between
 * two cumulative runs where it cannot run alone):
 *
 * 1. read       – `readFileSync` of every input file (page cache warm);
 * 2. decompress – `gunzipSync` with 1 MiB chunks (what the engine does: `gunzipSalvage`);
 * 3. parse      – gunzip + the source's own decoder (sniff, UTF-8 decode, JSON.parse / line reader, framing),
 *                 minus (2);
 * 4. map        – the engine (`createMapSession().mapInput`: decode, route, map, accounting), minus (2)+(3);
 * 5. setup      – the writer's schema derivation and column compilation (`schemaOf`, once per source);
 * 6. write()    – `LakeWriter.write` per event: schema check, partition, buffering;
 * 7. columns    – sort by time + `compileColumns(schema).build()` per partition file, in 65,536-row batches;
 * 8. encode     – `encodeParquet` (Arrow IPC stream → parquet-wasm, ZSTD) on the built batches;
 *                 "of which IPC" times `tableToIPC` alone on the same batches (not added to the sum);
 * 9. sink       – `createLocalSink().put` of every file (no fsync, like the timed runs).
 *
 * Stages 6–9 group the events the way the 1-worker pipeline does (one file per source table and partition);
 * the events are kept in memory for it, so run this child with a large heap.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Table, tableToIPC } from 'apache-arrow';
import type { RecordBatch } from 'apache-arrow';
import '../../src/sources/index.js';
import { createMapSession } from '../../src/core/engine.js';
import { makeDecodeInput, sniffHead } from '../../src/core/input.js';
import { MapFailure, Filtered } from '../../src/core/outcome.js';
import { latestVersion, resolveSources } from '../../src/core/source.js';
import type { Decoder, Mapper } from '../../src/core/source.js';
import type { OcsfEvent, RecordContext } from '../../src/core/types.js';
import { contextFromKey } from '../../src/pipeline/inputs.js';
import { compileColumns } from '../../src/writer/columns.js';
import { encodeParquet } from '../../src/writer/parquet.js';
import { partitionOf, partitionPath, tablePrefix } from '../../src/writer/partition.js';
import type { PartitionValues } from '../../src/writer/partition.js';
import { schemaMetadata, statisticsColumns } from '../../src/writer/schema-tree.js';
import { createLakeWriter } from '../../src/writer/writer.js';
import { createLocalSink } from '../../src/writer/sinks/local.js';
import type { Sink } from '../../src/writer/sinks/sink.js';
import type { DataSet } from './data.js';
import { ingestSelector } from './run-one.js';
import type { RunResult } from './run-one.js';

export interface Stage {
  stage: string;
  ms: number;
  /** Not part of the sum (a sub-measurement of another stage). */
  sub?: boolean;
}

/** Issue 8 target "mapping alone ≥ 3× JSON.parse": both measured here on the same already-decoded records. */
export interface MappingAlone {
  records: number;
  /** route + mapper.map on parsed records, records/s. */
  mapPerSec: number;
  /** JSON.parse of the same records (each record's JSON text), records/s; absent for text sources (VPC). */
  jsonParsePerSec?: number;
  /**
   * CloudTrail: `JSON.stringify` alone of the parts the 2.0 mapping must serialise (mapping-spec §3:
   * `requestParameters` → `api.request.data`, `responseElements` → `api.response.data`, compact JSON), on
   * the same records, records/s. Every mapper of this spec pays it, however it is written.
   */
  requiredStringifyPerSec?: number;
}

export interface ProfileDetail {
  stages: Stage[];
  mappingAlone?: MappingAlone;
  events: number;
  files: number;
  rowsPerBatch: number;
}

const GUNZIP = { chunkSize: 1 << 20 } as const;
const ROWS_PER_BATCH = 65_536;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function timed<T>(fn: () => T): [T, number] {
  gc();
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}
async function timedAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  gc();
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

interface Kept {
  event: OcsfEvent;
  source: string;
  version: string;
  context: RecordContext;
}

export async function profile(set: DataSet, out: string): Promise<Omit<RunResult, 'contender' | 'source' | 'maxRss'>> {
  const sel = ingestSelector(set.source);
  const names = set.files;
  const stages: Stage[] = [];

  // 1. read
  const [inputs, readMs] = timed(() => names.map((f) => ({ name: join(set.dir, f), bytes: readFileSync(join(set.dir, f)) })));
  stages.push({ stage: 'read files', ms: readMs });

  // 2. decompress
  const [, gunzipMs] = timed(() => {
    let n = 0;
    for (const i of inputs) n += gunzipSync(i.bytes, GUNZIP).length;
    return n;
  });
  stages.push({ stage: 'decompress (gunzip)', ms: gunzipMs });

  // 3. decode = gunzip + sniff + the source's decoder
  const decoders: Decoder[] = [...new Set(resolveSources(sel.source).flatMap((d) => d.decoders))];
  const [, decodeMs] = await timedAsync(async () => {
    let n = 0;
    for (const i of inputs) {
      const data = gunzipSync(i.bytes, GUNZIP);
      const head = sniffHead(data);
      const dec = decoders.find((d) => d.sniff(head, data));
      if (!dec) throw new Error(`no decoder for ${i.name}`);
      const ctx: RecordContext = { ...sel.context, ...contextFromKey(i.name), input: i.name };
      for await (const item of dec.decode(makeDecodeInput(i.name, data, ctx, {})) as AsyncIterable<unknown>) {
        if (item instanceof MapFailure) throw new Error(`decode failure: ${item.message}`);
        if (!(item instanceof Filtered)) n++;
      }
    }
    return n;
  });
  stages.push({ stage: 'parse (source decoder)', ms: Math.max(0, decodeMs - gunzipMs) });

  // 4. engine: decode + route + map
  const [events, engineMs] = await timedAsync(async () => {
    const session = createMapSession({ source: sel.source, ...(sel.context ? { context: sel.context } : {}) });
    let n = 0;
    for (const i of inputs) {
      for await (const o of session.mapInput(i.name, i.bytes, contextFromKey(i.name))) {
        if (o.kind === 'event') n++;
        else if (o.kind === 'failure') throw new Error(`map failure: ${o.failure.message}`);
      }
    }
    return n;
  });
  stages.push({ stage: 'map (route + mapper + engine)', ms: Math.max(0, engineMs - decodeMs) });

  const mappingAlone = await measureMappingAlone(set, sel, inputs, decoders);

  // Keep the events (untimed) for the writer stages.
  const kept: Kept[] = [];
  {
    const session = createMapSession({ source: sel.source, ...(sel.context ? { context: sel.context } : {}) });
    for (const i of inputs) {
      for await (const o of session.mapInput(i.name, i.bytes, contextFromKey(i.name))) {
        if (o.kind === 'event') kept.push({ event: o.event, source: o.source, version: o.version, context: o.context });
      }
    }
  }
  inputs.length = 0;

  // 5. setup: schema derivation + column compilation
  const nullSink: Sink = { url: 'null://', put: async () => undefined };
  const writer = createLakeWriter({ sink: nullSink, maxFileRows: 2 ** 31, maxFileBytes: 2 ** 52, memoryBudgetBytes: 2 ** 52, maxAgeMs: 1e12, tickMs: 0 });
  const tables = [...new Set(kept.map((k) => `${k.source}\u0000${k.version}`))].map((s) => s.split('\u0000') as [string, string]);
  const [, setupMs] = timed(() => {
    for (const [s, v] of tables) compileColumns(writer.schemaOf(s, v));
  });
  stages.push({ stage: 'writer setup (schema + codegen)', ms: setupMs });

  // 6. write(): check + partition + buffer
  const [, writeMs] = timed(() => {
    for (const k of kept) {
      const rej = writer.write(k.event, { source: k.source, sourceVersion: k.version, context: k.context });
      if (rej !== undefined) throw new Error(`writer rejected an event: ${rej.message}`);
    }
  });
  stages.push({ stage: 'writer.write (check + partition + buffer)', ms: writeMs });

  // Group like the writer (untimed).
  const groups = new Map<string, { source: string; version: string; p: PartitionValues; events: OcsfEvent[] }>();
  for (const k of kept) {
    const p = partitionOf(k.event, k.context);
    if ('path' in p) throw new Error(p.message);
    const id = `${k.source}/${k.version}/${p.region}/${p.accountId}/${p.eventDay}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { source: k.source, version: k.version, p, events: [] }));
    g.events.push(k.event);
  }
  kept.length = 0;

  // 7-9 per file
  const sink = createLocalSink(out, { fsync: false });
  let buildMs = 0;
  let ipcMs = 0;
  let encodeMs = 0;
  let putMs = 0;
  let files = 0;
  gc();
  for (const g of groups.values()) {
    const schema = writer.schemaOf(g.source, g.version);
    const cols = compileColumns(schema);
    let t0 = performance.now();
    const sorted = g.events.slice().sort((a, b) => a.time - b.time);
    const batches: RecordBatch[] = [];
    for (let i = 0; i < sorted.length; i += ROWS_PER_BATCH) batches.push(cols.build(sorted, i, Math.min(sorted.length, i + ROWS_PER_BATCH)));
    buildMs += performance.now() - t0;
    t0 = performance.now();
    for (const b of batches) tableToIPC(new Table(b), 'stream');
    ipcMs += performance.now() - t0;
    t0 = performance.now();
    let bi = 0;
    const file = await encodeParquet(() => batches[bi++], { compression: 'ZSTD', rowGroupRows: ROWS_PER_BATCH, metadata: schemaMetadata(schema), statisticsColumns: statisticsColumns(schema) });
    encodeMs += performance.now() - t0;
    t0 = performance.now();
    await sink.put(`${tablePrefix('native', g.source, g.version)}/${partitionPath(g.p)}/profile-${files}.parquet`, file.chunks, file.bytes);
    putMs += performance.now() - t0;
    files++;
  }
  await sink.close?.();
  stages.push({ stage: 'column build (sort + Arrow buffers)', ms: buildMs });
  stages.push({ stage: 'Parquet encode (IPC + parquet-wasm ZSTD)', ms: encodeMs });
  stages.push({ stage: '  of which Arrow IPC (tableToIPC)', ms: ipcMs, sub: true });
  stages.push({ stage: 'write files (local sink)', ms: putMs });

  const total = stages.filter((s) => !s.sub).reduce((n, s) => n + s.ms, 0);
  const detail: ProfileDetail = { stages, mappingAlone, events, files, rowsPerBatch: ROWS_PER_BATCH };
  return { records: set.records, elapsedMs: total, cpuMs: total, outBytes: 0, outFiles: files, threads: 1, detail };
}

/** At most this many records for the mapping-alone measurement (they are kept parsed in memory). */
const MAPPING_SAMPLE = 50_000;

/**
 * Mapping alone: the first {@link MAPPING_SAMPLE} decoded records, mapped by their member's mapper (after the
 * family's `route()`), against `JSON.parse` of the same records' JSON text. Best of 3 passes each.
 */
async function measureMappingAlone(
  set: DataSet,
  sel: { source: string; context?: RecordContext },
  inputs: { name: string; bytes: Uint8Array }[],
  decoders: Decoder[],
): Promise<MappingAlone> {
  const defs = resolveSources(sel.source);
  const mappers = new Map<string, Mapper>(defs.map((d) => [d.name, d.createMapper(latestVersion(d), {})]));
  const route = defs[0]!.route;
  const records: { value: unknown; context: RecordContext }[] = [];
  for (const i of inputs) {
    if (records.length >= MAPPING_SAMPLE) break;
    const data = gunzipSync(i.bytes, GUNZIP);
    const head = sniffHead(data);
    const dec = decoders.find((d) => d.sniff(head, data))!;
    const ctx: RecordContext = { ...sel.context, ...contextFromKey(i.name), input: i.name };
    for await (const item of dec.decode(makeDecodeInput(i.name, data, ctx, {})) as AsyncIterable<unknown>) {
      if (item instanceof MapFailure || item instanceof Filtered) continue;
      records.push(item as { value: unknown; context: RecordContext });
      if (records.length >= MAPPING_SAMPLE) break;
    }
  }
  const n = records.length;
  const mapOnce = (): number => {
    let ok = 0;
    for (let k = 0; k < n; k++) {
      const r = records[k]!;
      let member = defs[0]!.name;
      if (route) {
        const m = route(r.value, r.context);
        if (typeof m !== 'string') continue;
        member = m;
      }
      const mapper = mappers.get(member);
      if (mapper === undefined) continue;
      sinkValue = mapper.map(r.value, r.context);
      ok++;
    }
    return ok;
  };
  const best = (fn: () => unknown): number => {
    let min = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      gc();
      const t0 = performance.now();
      fn();
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  };
  const mapMs = best(mapOnce);
  const out: MappingAlone = { records: n, mapPerSec: (n * 1000) / mapMs };
  if (set.source === 'cloudtrail') {
    const parts: unknown[] = [];
    for (const r of records) {
      const v = r.value as { requestParameters?: unknown; responseElements?: unknown };
      if (v.requestParameters !== undefined && v.requestParameters !== null) parts.push(v.requestParameters);
      if (v.responseElements !== undefined && v.responseElements !== null) parts.push(v.responseElements);
    }
    const stringifyMs = best(() => {
      for (let k = 0; k < parts.length; k++) sinkValue = JSON.stringify(parts[k]);
    });
    out.requiredStringifyPerSec = (n * 1000) / stringifyMs;
  }
  if (set.source !== 'vpc_flow') {
    const texts = records.map((r) => JSON.stringify(r.value));
    const parseMs = best(() => {
      for (let k = 0; k < n; k++) sinkValue = JSON.parse(texts[k]!);
    });
    out.jsonParsePerSec = (n * 1000) / parseMs;
  }
  return out;
}

let sinkValue: unknown;
export function keepAlive(): unknown {
  return sinkValue;
}
