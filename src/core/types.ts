/**
 * Shared vocabulary of the library: source names, versions, OCSF events and per-record context.
 * Nothing here runs; see `source.ts` for the plugin contract and `outcome.ts` for failures.
 */

/** Security Lake `sourceName`s of the AWS native sources this package maps. */
export const AWS_SOURCE_NAMES = [
  'CLOUD_TRAIL_MGMT',
  'S3_DATA',
  'LAMBDA_EXECUTION',
  'EKS_AUDIT',
  'ROUTE53',
  'SH_FINDINGS',
  'VPC_FLOW',
] as const;
export type AwsSourceName = (typeof AWS_SOURCE_NAMES)[number];

/** Security Lake source version (`"1.0"` emits OCSF 1.0.0-rc.2, `"2.0"` emits OCSF 1.1.0). */
export type SourceVersion = string;

/** OCSF schema versions with generated JSON Schemas in `schemas/`. */
export const OCSF_VERSIONS = ['1.0.0-rc.2', '1.1.0'] as const;
export type OcsfVersion = (typeof OCSF_VERSIONS)[number];

/**
 * One OCSF event as a plain object. Times are epoch milliseconds (`time`, `*_time`); the `datetime`
 * profile's `*_dt` siblings are RFC 3339 UTC strings with millisecond precision; `unmapped` is a flat
 * map of dotted raw paths to strings.
 */
export interface OcsfEvent {
  class_uid: number;
  activity_id: number;
  type_uid: number;
  time: number;
  metadata: { version: string; profiles?: string[]; [k: string]: unknown };
  unmapped?: Record<string, string>;
  [attribute: string]: unknown;
}

/**
 * Where a record came from and what the envelope told us about it. Decoders fill what the
 * delivery format carries (e.g. a CloudWatch Logs group ARN gives region and account); options given
 * by the user (`--region`, `--account`) are defaults. Never invented.
 */
export interface RecordContext {
  /** Input object: file path, `s3://bucket/key`, or `-` for stdin. */
  input?: string;
  /** 1-based line number in the decompressed input, where the format has lines. */
  line?: number;
  /** 0-based byte offset of the record in the decompressed input, where known. */
  offset?: number;
  /** Index of the record inside its envelope (e.g. position in `Records[]`). */
  index?: number;
  /** AWS region from the envelope or options. */
  region?: string;
  /** AWS account id from the envelope or options. */
  accountId?: string;
}

/** Source-specific options passed through from the CLI / API (e.g. `vpcFormat`). */
export type SourceOptions = Readonly<Record<string, unknown>>;
