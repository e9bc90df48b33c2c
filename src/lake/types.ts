/**
 * Request and response shapes of the source-management API. Names and fields follow Amazon Security
 * Lake's API model (`../shared/docs/security-lake.md` §2.2–2.7); fields marked "extension" are ours.
 * Also the stored documents (configuration and collection status) and the pipeline-facing types.
 */

/** `AwsLogSourceName` enum of the API model, in model order (§1.1). */
export const AWS_LOG_SOURCE_NAMES = [
  'ROUTE53',
  'VPC_FLOW',
  'SH_FINDINGS',
  'CLOUD_TRAIL_MGMT',
  'LAMBDA_EXECUTION',
  'S3_DATA',
  'EKS_AUDIT',
  'WAF',
] as const;
export type AwsLogSourceName = (typeof AWS_LOG_SOURCE_NAMES)[number];

// ---------------------------------------------------------------------------------------------------
// Data lake lifecycle (§2.7)

export interface DataLakeEncryptionConfiguration {
  kmsKeyId?: string;
}
export interface DataLakeLifecycleConfiguration {
  expiration?: { days?: number };
  transitions?: { days?: number; storageClass?: string }[];
}
export interface DataLakeReplicationConfiguration {
  regions?: string[];
  roleArn?: string;
}
export interface DataLakeConfiguration {
  region: string;
  encryptionConfiguration?: DataLakeEncryptionConfiguration;
  lifecycleConfiguration?: DataLakeLifecycleConfiguration;
  replicationConfiguration?: DataLakeReplicationConfiguration;
}
export interface Tag {
  key: string;
  value: string;
}

/**
 * `CreateDataLake`. `configurations` is the AWS field; `regions` (extension) is a shorthand for
 * configurations that only name a Region. At least one Region in all. Calling it for a Region that is
 * already enabled updates that Region with the parameters given (§2.7).
 */
export interface CreateDataLakeRequest {
  regions?: string[];
  configurations?: DataLakeConfiguration[];
  /** Stored and reported only (no Glue partitions are managed by this library). */
  metaStoreManagerRoleArn?: string;
  tags?: Tag[];
}
/** `UpdateDataLake`: like create, but every Region must already be enabled. */
export type UpdateDataLakeRequest = CreateDataLakeRequest;
export type DataLakeStatus = 'INITIALIZED' | 'PENDING' | 'COMPLETED' | 'FAILED';
export interface DataLakeResource {
  /** `arn:aws:securitylake:<region>:<ownerAccountId or empty>:data-lake/default`. */
  dataLakeArn: string;
  region: string;
  /** `arn:aws:s3:::<bucket>` for an S3 lake; absent for a local directory. */
  s3BucketArn?: string;
  createStatus: DataLakeStatus;
  updateStatus?: { requestId?: string; status?: DataLakeStatus; exception?: { code?: string; reason?: string } };
  encryptionConfiguration: DataLakeEncryptionConfiguration;
  lifecycleConfiguration?: DataLakeLifecycleConfiguration;
  replicationConfiguration?: DataLakeReplicationConfiguration;
}
export interface CreateDataLakeResponse {
  dataLakes: DataLakeResource[];
}
export type UpdateDataLakeResponse = CreateDataLakeResponse;
export interface DeleteDataLakeRequest {
  regions: string[];
}
export type DeleteDataLakeResponse = Record<string, never>;
export interface ListDataLakesRequest {
  regions?: string[];
}
export interface ListDataLakesResponse {
  dataLakes: DataLakeResource[];
}

// ---------------------------------------------------------------------------------------------------
// AWS log sources (§2.2, §2.3)

export interface AwsLogSourceConfiguration {
  sourceName: string;
  /** `^(latest|[0-9]\.[0-9])$`; omitted or `latest` = the latest version this library supports. */
  sourceVersion?: string;
  /** 12-digit account ids; omitted = every account, including accounts seen later. */
  accounts?: string[];
  /** Required, at least one; the data lake must be enabled in each. */
  regions: string[];
}
export interface CreateAwsLogSourceRequest {
  sources: AwsLogSourceConfiguration[];
}
export interface CreateAwsLogSourceOptions {
  /**
   * Extension: enable only the latest version. Each entry's version must be the latest supported
   * one (omitted/`latest` resolve to it), and every older version of the same source is disabled for
   * the same Regions and accounts.
   */
  latestOnly?: boolean;
}
export interface CreateAwsLogSourceResponse {
  /** Accounts that are not members of the lake's organization (see `setOrganizationAccounts`); nothing was changed for them. */
  failed: string[];
}
/** Same shape as create. An omitted `sourceVersion` here means every enabled version (§2.4). */
export type DeleteAwsLogSourceRequest = CreateAwsLogSourceRequest;
export type DeleteAwsLogSourceResponse = CreateAwsLogSourceResponse;

// ---------------------------------------------------------------------------------------------------
// GetDataLakeSources (§2.5)

export type SourceCollectionStatus = 'COLLECTING' | 'MISCONFIGURED' | 'NOT_COLLECTING';

export interface GetDataLakeSourcesRequest {
  accounts?: string[];
  /** 1–100. */
  maxResults?: number;
  nextToken?: string;
}
export interface DataLakeSourceStatus {
  /** Where the stored logs are (or would be): `<lake>/aws/<SOURCE>/<version>/region=<r>/accountId=<a>/`. */
  resource: string;
  status: SourceCollectionStatus;
  /** Extension: the Region and version this status is for (absent when nothing is enabled or recorded). */
  region?: string;
  sourceVersion?: string;
  /** Extension: totals recorded by the pipeline through `recordCollection`, over every run. */
  eventCount: number;
  failureCount: number;
  /** Extension: the latest event `time` recorded (ISO 8601 UTC). */
  lastEventTime?: string;
  /** Extension: when the pipeline last recorded a run for it (ISO 8601 UTC). */
  lastCollectedAt?: string;
  /** Extension: why this status (always set). */
  detail: string;
}
export interface DataLakeSource {
  account: string;
  sourceName: string;
  eventClasses?: string[];
  sourceStatuses: DataLakeSourceStatus[];
}
export interface GetDataLakeSourcesResponse {
  /** The data lake ARN when exactly one Region is enabled; `null` otherwise (as in AWS's CLI example). */
  dataLakeArn: string | null;
  dataLakeSources: DataLakeSource[];
  nextToken?: string;
}

// ---------------------------------------------------------------------------------------------------
// ListLogSources (§2.6)

export interface AwsLogSourceResource {
  sourceName?: string;
  sourceVersion?: string;
}
/** Union of the API model; this library only produces `awsLogSource` members. */
export type LogSourceResource = { awsLogSource: AwsLogSourceResource } | { customLogSource: { sourceName?: string; sourceVersion?: string } };
export interface ListLogSourcesRequest {
  accounts?: string[];
  regions?: string[];
  /** Keep only these sources (`sourceVersion` omitted: any version). */
  sources?: LogSourceResource[];
  maxResults?: number;
  nextToken?: string;
}
export interface LogSource {
  /** A 12-digit account, or {@link ALL_ACCOUNTS} for what is enabled for every account. */
  account: string;
  region: string;
  sources: LogSourceResource[];
}
export interface ListLogSourcesResponse {
  sources: LogSource[];
  nextToken?: string;
}

/** `account` value of a ListLogSources entry that holds the sources enabled for every account. */
export const ALL_ACCOUNTS = '*';

// ---------------------------------------------------------------------------------------------------
// Stored documents

/** One enabled (source, version, region) and the accounts it covers. */
export interface SourceEnablement {
  sourceName: string;
  sourceVersion: string;
  region: string;
  /** True when created without `accounts`: every account, also accounts seen later. */
  allAccounts: boolean;
  /** Accounts enabled one by one (only when `allAccounts` is false). */
  accounts: string[];
  /** Accounts removed from an every-account enablement (only when `allAccounts` is true). */
  exceptAccounts: string[];
}

export interface StoredDataLake {
  region: string;
  createdAt: string;
  updatedAt: string;
  lastRequestId: string;
  encryptionConfiguration?: DataLakeEncryptionConfiguration;
  lifecycleConfiguration?: DataLakeLifecycleConfiguration;
  replicationConfiguration?: DataLakeReplicationConfiguration;
}

/** The configuration document, `<root>/_ocsf_lake/datalake`. */
export interface DataLakeDocument {
  format: 'ocsf-lake.datalake';
  formatVersion: 1;
  /** Incremented by every write. */
  revision: number;
  updatedAt?: string;
  /** Accounts of the lake's organization; when set, other accounts fail and are never collected. */
  organizationAccounts?: string[];
  metaStoreManagerRoleArn?: string;
  tags?: Tag[];
  dataLakes: StoredDataLake[];
  sources: SourceEnablement[];
}

/** Totals recorded for one (account, region, source, version). */
export interface CollectionStatusEntry {
  region: string;
  sourceName: string;
  sourceVersion: string;
  runs: number;
  eventCount: number;
  failureCount: number;
  /** Epoch ms of the earliest / latest event `time` recorded. */
  firstEventTime?: number;
  lastEventTime?: number;
  lastRun: { runId?: string; at: string; events: number; failures: number; error?: string };
  /** Run ids already counted (the last 32), so a repeated `recordCollection` is not counted twice. */
  recentRunIds: string[];
}

/** The collection status of one account, `<root>/_ocsf_lake/status/<account>`. */
export interface AccountStatusDocument {
  format: 'ocsf-lake.collection-status';
  formatVersion: 1;
  revision: number;
  updatedAt?: string;
  account: string;
  entries: CollectionStatusEntry[];
}

// ---------------------------------------------------------------------------------------------------
// Pipeline-facing

/** What the pipeline reports after a run, per (account, region, source, version). */
export interface CollectionStats {
  /** 12-digit account id, or `external` / `external_<id>` for records without an AWS account. */
  account: string;
  region: string;
  sourceName: string;
  sourceVersion: string;
  /** Events written. */
  events: number;
  /** Records dead-lettered. */
  failures?: number;
  /** Epoch ms of the earliest / latest event `time` written. */
  firstEventTime?: number;
  lastEventTime?: number;
  /** A run-level error for this key (e.g. the sink failed); with `events: 0` it makes the status MISCONFIGURED. */
  error?: string;
}
export interface RecordCollectionOptions {
  /** Id of the run; a run id already recorded for a key is skipped (idempotent retries). */
  runId?: string;
  /** When the run happened (default now). */
  at?: Date | number | string;
}
export interface RecordCollectionResult {
  /** Keys whose totals were updated. */
  recorded: number;
  /** Keys skipped because `runId` had already been recorded for them. */
  duplicates: number;
}
