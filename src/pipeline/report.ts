/**
 * What a user does next after a run: where the dead letters are, which source failed for which reason (with one
 * sample message and, for the causes a flag fixes, the flag), which AWS records fell back to the `external`
 * account, class names beside class ids, and files and bytes per table. Built from the run's result and the dead
 * letters it wrote (read back: a dead-letter file holds one source and one reason), so the pipeline stays as is.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadPackageJson } from '../core/package-data.js';
import type { S3ClientOptions } from '../io/s3.js';
import type { IngestResult } from './ingest.js';

export interface FailureGroup {
  /** sourceName (or family / `auto` when the source was not known yet). */
  source: string;
  reason: string;
  records: number;
  /** The message of one of these dead letters. */
  sample: string;
  /** The input of that dead letter. */
  sampleInput?: string;
  /** What fixes it, when the cause is a known, fixable one. */
  hint?: string;
}

export interface RunReport {
  /** Where this run's dead letters are (absent: none were written). */
  deadLetters?: { location: string; files: number };
  /** Failures by source × reason, most records first. */
  failures: FailureGroup[];
  /** Partition fallbacks an AWS source should not need: `external` accounts, a Region from `--region`. */
  warnings: string[];
  /** Events per OCSF class, with the class caption (`6003 API Activity`). */
  classes: { uid: number; name: string; events: number }[];
  /** Files, bytes and events per table prefix (`aws/CLOUD_TRAIL_MGMT/2.0`, `ext/<name>/1.0`). */
  tables: { table: string; files: number; bytes: number; events: number }[];
}

/** `failOn` of {@link runFailed}: which outcomes make a run count as failed (CLI: `--fail-on-failures`). */
export type FailOn = 'unread' | 'failures';

/** Reasons that mean an input could not be read at all: the run did not see everything it was given. */
export const UNREAD_REASONS: readonly string[] = ['read-error', 'object-missing'];

/**
 * True when the run should end with a non-zero exit: records not stored or the accounting unbalanced, an input
 * not read or not taken on (a warning) — always —, and with `failOn: 'failures'` any failed record.
 */
export function runFailed(result: IngestResult, failOn: FailOn = 'unread'): boolean {
  if (!result.balanced || result.dlqErrors.length > 0 || result.warnings.length > 0) return true;
  if (failOn === 'failures') return result.counts.failures > 0;
  return UNREAD_REASONS.some((r) => (result.counts.failuresByReason[r] ?? 0) > 0);
}

export interface ReportOptions {
  /** The run's `out` (a directory or `s3://bucket/prefix`). */
  out: string;
  /** S3 client settings to read dead letters back from an `s3://` out. */
  s3?: S3ClientOptions;
  /** The `--region` / `context.region` the run was given, if any. */
  region?: string;
  /** The `--account` / `context.accountId` the run was given, if any. */
  accountId?: string;
}

/** Builds the report of a finished `ingest()` or `replay()`. */
export async function buildRunReport(result: IngestResult, opts: ReportOptions): Promise<RunReport> {
  const report: RunReport = { failures: await failureGroups(result.dlqFiles, opts), warnings: [], classes: [], tables: [] };
  if (result.dlqFiles.length > 0) report.deadLetters = { location: joinOut(opts.out, 'dlq/'), files: result.dlqFiles.length };
  report.warnings = partitionWarnings(result, opts);
  const names = classNames();
  report.classes = Object.entries(result.counts.eventsByClass)
    .map(([uid, events]) => ({ uid: Number(uid), name: names.get(Number(uid)) ?? '', events }))
    .sort((a, b) => b.events - a.events || a.uid - b.uid);
  const tables = new Map<string, RunReport['tables'][number]>();
  for (const f of result.files) {
    const table = f.key.slice(0, f.key.indexOf('/region='));
    const t = tables.get(table) ?? { table, files: 0, bytes: 0, events: 0 };
    t.files++;
    t.bytes += f.bytes;
    t.events += f.rows;
    tables.set(table, t);
  }
  report.tables = [...tables.values()].sort((a, b) => (a.table < b.table ? -1 : 1));
  return report;
}

function joinOut(out: string, key: string): string {
  return out.startsWith('s3://') ? `${out.replace(/\/+$/, '')}/${key}` : join(out, key);
}

async function failureGroups(dlqFiles: readonly string[], opts: ReportOptions): Promise<FailureGroup[]> {
  if (dlqFiles.length === 0) return [];
  const read = await reader(opts);
  const groups = new Map<string, FailureGroup>();
  for (const key of dlqFiles) {
    let text: string;
    try {
      text = gunzipSync(await read(key)).toString('utf8');
    } catch {
      continue; // a dead letter replaced or moved since: the counts above still say how many failed
    }
    const nl = text.indexOf('\n');
    const first = JSON.parse(nl === -1 ? text : text.slice(0, nl)) as { source: string; reason: string; message: string; input?: string };
    let records = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) records++;
    if (!text.endsWith('\n')) records++;
    const id = `${first.source}\0${first.reason}`;
    const g = groups.get(id);
    if (g) g.records += records;
    else {
      const group: FailureGroup = { source: first.source, reason: first.reason, records, sample: first.message, ...(first.input !== undefined ? { sampleInput: first.input } : {}) };
      const hint = hintFor(group, opts.out);
      if (hint !== undefined) group.hint = hint;
      groups.set(id, group);
    }
  }
  return [...groups.values()].sort((a, b) => b.records - a.records || (a.source < b.source ? -1 : 1));
}

async function reader(opts: ReportOptions): Promise<(key: string) => Promise<Uint8Array>> {
  if (!opts.out.startsWith('s3://')) return (key) => readFile(join(opts.out, key));
  // The SDK is loaded only when the lake is on S3.
  const [{ createS3Client }, { GetObjectCommand }] = await Promise.all([import('../io/s3.js'), import('@aws-sdk/client-s3')]);
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(opts.out)!;
  const prefix = m[2]!.replace(/\/+$/, '');
  const client = createS3Client(opts.s3);
  return async (key) => {
    const res = await client.send(new GetObjectCommand({ Bucket: m[1]!, Key: prefix === '' ? key : `${prefix}/${key}` }));
    return res.Body!.transformToByteArray();
  };
}

/** The flag or command that fixes a known cause, with the replay that recovers the records. */
function hintFor(g: FailureGroup, out: string): string | undefined {
  const replay = `then: ocsf-lake replay --out ${out} ${joinOut(out, `dlq/${g.source}/${g.reason}`)}`;
  if (g.reason === 'invalid-partition' && g.sample.includes('no region')) {
    return `these ${g.source} records name no Region: pass --region REGION (the Region they come from); ${replay.replace('replay', 'replay --region REGION')}`;
  }
  if (g.source === 'VPC_FLOW' && (g.reason === 'field-count-mismatch' || g.reason === 'unknown-field')) {
    const extra = g.reason === 'unknown-field' ? ' (or --allow-unknown-fields to keep unknown fields in unmapped)' : '';
    return `lines without a header line are read with the default v2 format: pass --vpc-format '<the flow log's format>'${extra}; ${replay.replace('replay', "replay --vpc-format '...'")}`;
  }
  if (g.reason === 'unsupported-version') return 'pick a supported version with --source-version (ocsf-lake schema --source SOURCE lists them)';
  if (g.reason === 'unknown-format') return 'not a log of the selected source: check --source (auto tries every source), or leave the file out of the input';
  if (g.reason === 'read-error' || g.reason === 'object-missing') return 'check the path and its permissions, then run ingest again on it';
  if (g.reason === 'mapper-error') return 'a bug in the mapper: please report it with the dead letter';
  return undefined;
}

/** AWS sources whose events had to fall back to `accountId=external`, and the Region given for records naming none. */
function partitionWarnings(result: IngestResult, opts: ReportOptions): string[] {
  const external = new Map<string, number>();
  for (const [partition, events] of Object.entries(result.counts.eventsByPartition)) {
    const m = /^aws\/([^/]+)\/[^/]+\/region=[^/]+\/accountId=external\//.exec(`${partition}/`);
    if (m) external.set(m[1]!, (external.get(m[1]!) ?? 0) + events);
  }
  const out: string[] = [];
  for (const [source, events] of [...external].sort()) {
    out.push(`${events.toLocaleString('en-US')} ${source} event${events === 1 ? '' : 's'} name no AWS account (neither the input's S3 key nor the records): filed under accountId=external; pass --account ACCOUNT_ID when they come from one account`);
  }
  if (opts.region !== undefined && result.counts.eventsWritten > 0) {
    out.push(`records that name no Region (input key, envelope or fields), if any, are filed under --region ${opts.region}`);
  }
  return out;
}

let names: Map<number, string> | undefined;

/** OCSF class captions by class_uid, from the generated schema index (the latest OCSF version wins). */
export function classNames(): Map<number, string> {
  if (names) return names;
  const index = loadPackageJson<{ versions: Record<string, Record<string, { class_caption: string }>> }>('schemas/index.json');
  names = new Map();
  for (const version of Object.keys(index.versions).sort()) {
    for (const [uid, c] of Object.entries(index.versions[version]!)) names.set(Number(uid), c.class_caption);
  }
  return names;
}

/** The report as text, printed after the summary table (which lists the classes, with {@link classNames}). */
export function formatRunReport(r: RunReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines: string[] = [];
  if (r.tables.length > 0) {
    lines.push('tables');
    for (const t of r.tables) lines.push(`  ${t.table.padEnd(40)} ${n(t.events).padStart(12)} events  ${n(t.files).padStart(5)} files  ${(t.bytes / 1e6).toFixed(2).padStart(9)} MB`);
  }
  if (r.failures.length > 0) {
    lines.push('', 'failures by source and reason');
    for (const f of r.failures) {
      lines.push(`  ${`${f.source} ${f.reason}`.padEnd(40)} ${n(f.records).padStart(12)}`);
      lines.push(`      e.g. ${f.sample.length > 160 ? `${f.sample.slice(0, 157)}...` : f.sample}`);
      if (f.hint !== undefined) lines.push(`      fix: ${f.hint}`);
    }
  }
  if (r.deadLetters) lines.push('', `dead letters      ${r.deadLetters.location} (${n(r.deadLetters.files)} file${r.deadLetters.files === 1 ? '' : 's'})`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
