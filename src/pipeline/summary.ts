/**
 * Run accounting: `recordsIn === eventsWritten + failures + filtered + recordsNotStored` for every run, with the
 * breakdowns a user needs to trust it (per source, class, partition, failure reason and filter reason). A run is
 * balanced when that holds and nothing is left unstored: every record is an event in a committed file, a stored
 * dead letter, or a counted filtered record.
 */
import type { WrittenFile } from '../writer/writer.js';

export interface RunCounts {
  inputs: number;
  bytesIn: number;
  recordsIn: number;
  eventsWritten: number;
  failures: number;
  filtered: number;
  /**
   * Records read whose unit of work could not be stored (its files or dead letters failed): their input objects
   * stay uncommitted, so the next run over the same inputs redoes them.
   */
  recordsNotStored: number;
  /** Input objects skipped because the lake's ledger has them already (and the records it counted for them). */
  objectsSkipped: number;
  recordsSkipped: number;
  /** Units of work committed to the ledger. */
  units: number;
  files: number;
  bytesOut: number;
  /** `SOURCE@version` → events written. */
  eventsBySource: Record<string, number>;
  /** class_uid → events written. */
  eventsByClass: Record<string, number>;
  /** `aws/SOURCE/version/region=…/accountId=…/eventDay=…` → events written. */
  eventsByPartition: Record<string, number>;
  failuresByReason: Record<string, number>;
  /** `reason:detail` → records filtered. */
  filteredByReason: Record<string, number>;
}

export function emptyCounts(): RunCounts {
  return {
    inputs: 0,
    bytesIn: 0,
    recordsIn: 0,
    eventsWritten: 0,
    failures: 0,
    filtered: 0,
    recordsNotStored: 0,
    objectsSkipped: 0,
    recordsSkipped: 0,
    units: 0,
    files: 0,
    bytesOut: 0,
    eventsBySource: {},
    eventsByClass: {},
    eventsByPartition: {},
    failuresByReason: {},
    filteredByReason: {},
  };
}

/** Adds one durable file to the counts. */
export function countFile(c: RunCounts, f: WrittenFile): void {
  c.eventsWritten += f.rows;
  c.bytesOut += f.bytes;
  const src = `${f.source}@${f.sourceVersion}`;
  c.eventsBySource[src] = (c.eventsBySource[src] ?? 0) + f.rows;
  const part = f.key.slice(0, f.key.lastIndexOf('/'));
  c.eventsByPartition[part] = (c.eventsByPartition[part] ?? 0) + f.rows;
}

/** Sums shard counts into `into`. */
export function mergeCounts(into: RunCounts, c: RunCounts): RunCounts {
  for (const k of ['inputs', 'bytesIn', 'recordsIn', 'eventsWritten', 'failures', 'filtered', 'recordsNotStored', 'objectsSkipped', 'recordsSkipped', 'units', 'files', 'bytesOut'] as const) {
    into[k] += c[k];
  }
  for (const k of ['eventsBySource', 'eventsByClass', 'eventsByPartition', 'failuresByReason', 'filteredByReason'] as const) {
    for (const [key, n] of Object.entries(c[k])) into[k][key] = (into[k][key] ?? 0) + n;
  }
  for (const [k, n] of Object.entries(into.eventsByClass)) if (n === 0) delete into.eventsByClass[k];
  return into;
}

/** True when every record read is counted once: written, failed, filtered or not stored. */
export function accounted(c: RunCounts): boolean {
  return c.recordsIn === c.eventsWritten + c.failures + c.filtered + c.recordsNotStored;
}

/** True when every record is accounted for and stored: an event written, a stored dead letter or a filtered record. */
export function balanced(c: RunCounts): boolean {
  return accounted(c) && c.recordsNotStored === 0;
}

/** The summary table printed at the end of `ocsf-lake ingest`; `classNames` puts captions beside class ids. */
export function formatCounts(c: RunCounts, elapsedMs: number, classNames?: ReadonlyMap<number, string>): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = elapsedMs > 0 ? (c.recordsIn * 1000) / elapsedMs : 0;
  const notStored = c.recordsNotStored > 0 ? ` + ${n(c.recordsNotStored)} not stored` : '';
  const lines = [
    `inputs            ${n(c.inputs)} (${(c.bytesIn / 1e6).toFixed(1)} MB)`,
    ...(c.objectsSkipped > 0 ? [`skipped           ${n(c.objectsSkipped)} objects already ingested (${n(c.recordsSkipped)} records)`] : []),
    `records in        ${n(c.recordsIn)}`,
    `events written    ${n(c.eventsWritten)}`,
    `failures          ${n(c.failures)}`,
    `filtered          ${n(c.filtered)}`,
    ...(c.recordsNotStored > 0 ? [`not stored        ${n(c.recordsNotStored)} (their input objects stay uncommitted: run the same command again to redo them)`] : []),
    `accounting        ${balanced(c) ? 'balanced' : accounted(c) ? 'NOT BALANCED (records not stored)' : 'UNBALANCED'}: ${n(c.recordsIn)} = ${n(c.eventsWritten)} + ${n(c.failures)} + ${n(c.filtered)}${notStored}`,
    `files written     ${n(c.files)} (${(c.bytesOut / 1e6).toFixed(1)} MB Parquet), ${Object.keys(c.eventsByPartition).length} partitions`,
    `elapsed           ${(elapsedMs / 1000).toFixed(2)} s (${n(Math.round(rate))} records/s)`,
  ];
  const section = (title: string, o: Record<string, number>, limit = 20) => {
    const e = Object.entries(o).sort((a, b) => b[1] - a[1]);
    if (e.length === 0) return;
    lines.push('', title);
    for (const [k, v] of e.slice(0, limit)) lines.push(`  ${k.padEnd(40)} ${n(v).padStart(12)}`);
    if (e.length > limit) lines.push(`  … ${e.length - limit} more`);
  };
  section('events by source', c.eventsBySource);
  section('events by class', classNames ? Object.fromEntries(Object.entries(c.eventsByClass).map(([k, v]) => [`${k} ${classNames.get(Number(k)) ?? ''}`.trimEnd(), v])) : c.eventsByClass);
  section('failures by reason', c.failuresByReason);
  section('filtered by reason', c.filteredByReason);
  return lines.join('\n');
}
