/**
 * Whether a lake's table paths agree with its ledger: what `ocsf-lake validate <lake>` checks besides the events.
 * Every data file under `aws/` and `ext/` must belong to a live (committed, not superseded) entry, every file
 * of a live entry must exist with the size recorded (rows are compared by the caller, which reads the files),
 * no staging files may be left by runs that are over, and every entry must be published.
 */
import type { LakeStore } from '../writer/sinks/sink.js';
import { PUBLISHED_DIR, seqOf, STAGING_DIR } from './entry.js';
import { Ledger } from './ledger.js';

export interface IntegrityReport {
  /** Entries in the ledger, and those whose files are live. */
  entries: number;
  live: number;
  /** Lake-relative key → rows, for every data file of a live entry. */
  expectedRows: Map<string, number>;
  /** Each problem, one line (empty: the lake is consistent). */
  issues: string[];
}

const TABLE_FILE = /^(aws|ext)\/.+\.parquet$/;

export async function checkLakeIntegrity(store: LakeStore): Promise<IntegrityReport> {
  const ledger = await new Ledger(store).load();
  const issues: string[] = [];
  const expectedRows = new Map<string, number>();
  const expectedBytes = new Map<string, number>();
  const live = ledger.live();
  for (const e of live) {
    for (const f of e.files) {
      expectedRows.set(f.key, f.rows);
      expectedBytes.set(f.key, f.bytes);
    }
  }
  const stored = new Map((await store.list('')).map((o) => [o.key, o.size]));
  for (const [key, size] of stored) {
    if (!TABLE_FILE.test(key)) continue;
    if (!expectedBytes.has(key)) issues.push(`${key}: not referenced by any committed ledger entry`);
    else if (expectedBytes.get(key) !== size) issues.push(`${key}: ${size} bytes, the ledger recorded ${expectedBytes.get(key)}`);
  }
  for (const key of expectedBytes.keys()) if (!stored.has(key)) issues.push(`${key}: committed (ledger) but missing`);
  const published = new Set((await store.list(PUBLISHED_DIR)).map((o) => seqOf(o.key)));
  for (const e of ledger.entries.values()) {
    if (!published.has(e.seq)) issues.push(`ledger entry ${e.seq}: committed but not published (the next ingest into this lake publishes it)`);
  }
  const staged = [...stored.keys()].filter((k) => k.startsWith(`${STAGING_DIR}/`));
  if (staged.length > 0) issues.push(`${staged.length} staged file(s) under ${STAGING_DIR}/ (a run in progress, or one that died: the next ingest removes them)`);
  return { entries: ledger.entries.size, live: live.length, expectedRows, issues };
}
