/**
 * What one commit of the ledger records: a unit of work, i.e. the input objects it read and everything it wrote
 * from them. Entries are immutable JSON objects `_ocsf_lake/ledger/log/<seq>.json`, numbered densely from 1.
 */
import type { RunCounts } from '../pipeline/summary.js';
import { CONFIG_DIR } from '../lake/config-store.js';

/** Where the ledger, staging area, run markers and replayed dead letters live under the lake root (beside the configuration). */
export const LAKE_META_DIR = CONFIG_DIR;
export const LOG_DIR = `${LAKE_META_DIR}/ledger/log`;
export const PUBLISHED_DIR = `${LAKE_META_DIR}/ledger/published`;
export const STAGING_DIR = `${LAKE_META_DIR}/staging`;
export const RUNS_DIR = `${LAKE_META_DIR}/runs`;
/** Where `--out` checks write a probe object: inside the lake's own folder, so a crash never leaves one in view. */
export const PROBE_DIR = `${LAKE_META_DIR}/probe`;
/** Dead-letter files consumed by a committed replay, kept (under their `dlq/…` key) unless deleted on request. */
export const REPLAYED_DIR = `${LAKE_META_DIR}/replayed`;

/**
 * The identity of an input object: its URI plus what changes when its content does (size and ETag on S3, size
 * and modification time on disk, a SHA-256 of the bytes for streams and in-memory inputs).
 */
export interface InputIdentity {
  /** `file:///abs/path`, `s3://bucket/key`, `stdin:sha256:<hex>` or `mem:<name>`. */
  uri: string;
  size?: number;
  etag?: string;
  mtimeMs?: number;
  sha256?: string;
}

/** The part of an identity that must match for an object to count as already ingested. */
export function identityVersion(id: InputIdentity): string {
  return `${id.size ?? ''}|${id.etag ?? ''}|${id.mtimeMs ?? ''}|${id.sha256 ?? ''}`;
}

export interface LedgerInput extends InputIdentity {
  /** Records read from the object. */
  records: number;
}

export interface LedgerFile {
  /** Final lake-relative key (`aws/…/*.parquet`, `dlq/…/*.ndjson.gz`). */
  key: string;
  /** Where the unit wrote it before the commit (`_ocsf_lake/staging/<run>/<unit>/<key>`). */
  staged: string;
  rows: number;
  bytes: number;
}

export interface LedgerEntry {
  format: 1;
  seq: number;
  /** `<run>-<shard>-<n>`: unique per unit of work. */
  unit: string;
  run: string;
  committedAt: string;
  /** `ocsf-lake/<version>`. */
  library: string;
  command: 'ingest' | 'replay';
  /** `SOURCE@version` of the events written. */
  sources: string[];
  inputs: LedgerInput[];
  files: LedgerFile[];
  deadLetters: LedgerFile[];
  counts: Pick<RunCounts, 'recordsIn' | 'eventsWritten' | 'failures' | 'filtered'>;
  /** Entries whose files this one replaces (their inputs changed, or were re-ingested on purpose). */
  supersedes: number[];
  /** Dead-letter files this replay consumed: moved under {@link REPLAYED_DIR}, or deleted when `deleted`. */
  retire: { key: string; deleted: boolean }[];
}

export const logKey = (seq: number) => `${LOG_DIR}/${String(seq).padStart(12, '0')}.json`;
export const publishedKey = (seq: number) => `${PUBLISHED_DIR}/${String(seq).padStart(12, '0')}`;
const SEQ_RE = /(\d{12})(?:\.json)?$/;
export function seqOf(key: string): number | undefined {
  const m = SEQ_RE.exec(key);
  return m ? Number(m[1]) : undefined;
}
