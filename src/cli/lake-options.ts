/** CLI flags for S3-compatible endpoints, and loading a lake's source configuration, shared by lake commands. */
import type { S3ClientOptions } from '../io/s3.js';
import type { OptionSpec } from './command.js';
import { UsageError } from './io.js';
import { COMPRESSIONS } from '../writer/parquet.js';
import type { Compression } from '../writer/parquet.js';

/** Where and how a run writes: `--out`, `--layout`, `--compression`, `--json` summary (ingest, replay). */
export const OUTPUT_FLAGS: Record<string, OptionSpec> = {
  out: { type: 'string', value: 'DIR|s3://BUCKET/PREFIX', description: 'lake root to write (required); a probe object is written and deleted first to check it' },
  layout: {
    type: 'string',
    default: 'auto',
    value: 'auto|native|custom',
    description: "table layout: native = Security Lake's aws/<SOURCE>/<ver>/, custom = ext/<name>/; auto picks per source",
  },
  compression: { type: 'string', default: 'zstd', value: 'zstd|gzip|snappy', description: 'Parquet column compression' },
  json: { type: 'boolean', description: 'print the run summary as JSON on stdout instead of a table' },
  'fail-on-failures': { type: 'boolean', description: 'exit 1 when any record failed (for CI); otherwise only unread inputs and unstored dead letters do' },
};

export interface OutputOptions {
  out: string;
  layout: 'native' | 'custom' | 'auto';
  compression: Compression;
}

/** Checks the output flags; usage errors name the flag. */
export function outputOptionsFromArgs(values: Record<string, unknown>): OutputOptions {
  const out = values.out as string | undefined;
  if (!out) throw new UsageError('--out DIR|s3://bucket/prefix is required');
  const layout = values.layout as string;
  if (layout !== 'native' && layout !== 'custom' && layout !== 'auto') throw new UsageError(`--layout must be auto, native or custom, got ${layout}`);
  const compression = String(values.compression).toUpperCase() as Compression;
  if (!COMPRESSIONS.includes(compression)) throw new UsageError(`--compression must be one of ${COMPRESSIONS.join(', ').toLowerCase()}`);
  return { out, layout, compression };
}

export const S3_FLAGS: Record<string, OptionSpec> = {
  endpoint: { type: 'string', value: 'URL', description: 'S3-compatible endpoint for s3:// inputs and --out (MinIO, LocalStack)', defaultText: "the SDK's, from AWS_REGION" },
  'path-style': { type: 'boolean', description: 'address S3 buckets by path (http://host/bucket/key), as most S3-compatible servers need' },
  'kms-key-id': { type: 'string', value: 'KEY_ARN', description: 'encrypt objects written to S3 with this KMS key (SSE-KMS)', defaultText: "the bucket's default encryption" },
};

/** S3 client settings from `--endpoint` / `--path-style` (the SDK's defaults otherwise). */
export function s3OptionsFromArgs(values: Record<string, unknown>): S3ClientOptions | undefined {
  if (typeof values.endpoint !== 'string') return undefined;
  return { endpoint: values.endpoint, forcePathStyle: values['path-style'] === true };
}

/** The lake's source configuration (moved to src/pipeline/collection.ts, shared with the Lambda handler). */
export { lakeCollection } from '../pipeline/collection.js';
