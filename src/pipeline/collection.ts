/**
 * Applying the data lake's source configuration during ingestion: records of sources, Regions, accounts or
 * versions that are not enabled are filtered (counted per reason, never written), and each run's results are
 * reported back so `getDataLakeSources` can tell COLLECTING from NOT_COLLECTING and MISCONFIGURED.
 */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { OcsfEvent, RecordContext } from '../core/types.js';
import type { S3ClientOptions } from '../io/s3.js';
import { openDataLake } from '../lake/data-lake.js';
import { compileCollectionPlan } from '../lake/plan.js';
import type { CollectionStats, DataLakeDocument } from '../lake/types.js';
import type { WrittenFile } from '../writer/writer.js';

export interface CollectionFilter {
  /** The filter reason (`region-not-enabled:us-west-1`, ...) or undefined when the event is collected. */
  reject(source: string, version: string, event: OcsfEvent, context: RecordContext): string | undefined;
}

/** Compiles the configuration snapshot (plain JSON, so each worker compiles its own copy). */
export function compileCollectionFilter(document: DataLakeDocument): CollectionFilter {
  const plan = compileCollectionPlan(document);
  return {
    reject(source, version, ev, ctx) {
      const cloud = ev.cloud as { region?: string; account?: { uid?: string } } | undefined;
      const d = plan.lookup(source, cloud?.region ?? ctx.region, cloud?.account?.uid ?? ctx.accountId);
      if (!d.collect) return `${d.reason}:${d.detail}`;
      return d.versions.includes(version) ? undefined : `version-not-enabled:${version}`;
    },
  };
}

/** Per (account, region, source, version) totals of a run, for `DataLake.recordCollection`. */
export function collectionStats(files: readonly WrittenFile[]): CollectionStats[] {
  const byKey = new Map<string, CollectionStats>();
  for (const f of files) {
    const key = `${f.partition.accountId}\u0000${f.partition.region}\u0000${f.source}\u0000${f.sourceVersion}`;
    let s = byKey.get(key);
    if (!s) {
      s = { account: f.partition.accountId, region: f.partition.region, sourceName: f.source, sourceVersion: f.sourceVersion, events: 0 };
      byKey.set(key, s);
    }
    s.events += f.rows;
    s.firstEventTime = Math.min(s.firstEventTime ?? f.minTime, f.minTime);
    s.lastEventTime = Math.max(s.lastEventTime ?? f.maxTime, f.maxTime);
  }
  return [...byKey.values()];
}

/** A lake's stored source configuration, and how to report a run's results back to it. */
export interface LakeCollection {
  document: DataLakeDocument;
  /** Records the files of a run (`runId`: makes a repeated report of the same run a no-op; default a new UUID). */
  record(files: readonly WrittenFile[], runId?: string): Promise<void>;
}

/**
 * The lake's source configuration, when `ocsf-lake sources` has set one up in `root`: ingestion then writes
 * only what it enables and records collection status after the run. A lake without one collects everything.
 * (Shared by `ocsf-lake ingest` and the Lambda handler; `s3Client`, when given, is used instead of a new one.)
 */
export async function lakeCollection(root: string, s3: S3ClientOptions | undefined, s3Client?: S3Client): Promise<LakeCollection | undefined> {
  const lake = openDataLake({ root, s3ClientOptions: s3, ...(s3Client !== undefined ? { s3Client } : {}) });
  const document = await lake.readConfiguration();
  if (document.revision === 0 && document.dataLakes.length === 0) return undefined;
  return {
    document,
    record: async (files, runId = randomUUID()) => {
      await lake.recordCollection(collectionStats(files), { runId });
    },
  };
}
