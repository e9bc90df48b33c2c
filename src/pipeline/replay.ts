/**
 * `replay(dlqInputs, options)`: re-ingests dead-lettered records (after a fix) with the same accounting as
 * `ingest`, through the lake's ledger: each dead-letter file is one input object, mapped again entry by entry
 * (`replay-input.ts`). Records that fail again are dead-lettered again, in the same commit that consumes the
 * file they came from; a committed replay retires the files it consumed (moved under `_ocsf_lake/replayed/`, or
 * deleted with `deleteReplayed`), so replaying twice never writes an event twice nor duplicates a dead letter.
 */
import { runIngest } from './ingest.js';
import type { IngestOptions, IngestResult } from './ingest.js';
import type { InputSource } from './inputs.js';

export interface ReplayOptions extends Omit<IngestOptions, 'source' | 'sourceVersion'> {
  /** Delete the dead-letter files a committed replay consumed instead of keeping them under `_ocsf_lake/replayed/`. */
  deleteReplayed?: boolean;
}

/** Replays every dead-letter file under the given paths (files, directories or `s3://` prefixes). */
export function replay(dlqInputs: readonly InputSource[], opts: ReplayOptions): Promise<IngestResult> {
  const { deleteReplayed, ...rest } = opts;
  // One thread: a dead-letter file regroups records of any source, and the files are small.
  return runIngest(dlqInputs, { ...rest, source: 'auto', workers: 1 }, { replay: true, deleteReplayed: deleteReplayed === true });
}
