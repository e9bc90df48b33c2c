/** CLI flags for S3-compatible endpoints, and loading a lake's source configuration, shared by lake commands. */
import { randomUUID } from 'node:crypto';
import { openDataLake } from '../lake/data-lake.js';
import type { DataLakeDocument } from '../lake/types.js';
import type { S3ClientOptions } from '../io/s3.js';
import { collectionStats } from '../pipeline/collection.js';
import type { WrittenFile } from '../writer/writer.js';
import type { OptionSpec } from './command.js';

export const S3_FLAGS: Record<string, OptionSpec> = {
  endpoint: { type: 'string' },
  'path-style': { type: 'boolean' },
  'kms-key-id': { type: 'string' },
};

/** S3 client settings from `--endpoint` / `--path-style` (the SDK's defaults otherwise). */
export function s3OptionsFromArgs(values: Record<string, unknown>): S3ClientOptions | undefined {
  if (typeof values.endpoint !== 'string') return undefined;
  return { endpoint: values.endpoint, forcePathStyle: values['path-style'] === true };
}

/**
 * The lake's source configuration, when `ocsf-lake sources` has set one up in `root`: ingestion then writes
 * only what it enables and records collection status after the run. A lake without one collects everything.
 */
export async function lakeCollection(
  root: string,
  s3: S3ClientOptions | undefined,
): Promise<{ document: DataLakeDocument; record: (files: readonly WrittenFile[]) => Promise<void> } | undefined> {
  const lake = openDataLake({ root, s3ClientOptions: s3 });
  const document = await lake.readConfiguration();
  if (document.revision === 0 && document.dataLakes.length === 0) return undefined;
  const runId = randomUUID();
  return {
    document,
    record: async (files) => {
      await lake.recordCollection(collectionStats(files), { runId });
    },
  };
}
