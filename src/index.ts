/**
 * ocsf-lake public API. Named exports only; every export is documented in README.md.
 */
import './sources/index.js';

export { AWS_SOURCE_NAMES, OCSF_VERSIONS } from './core/types.js';
export type { AwsSourceName, OcsfEvent, OcsfVersion, RecordContext, SourceOptions, SourceVersion } from './core/types.js';
export { MapFailure, Filtered, FAILURE_REASONS, isRejection } from './core/outcome.js';
export { DEFAULT_LIMITS, LimitError } from './core/limits.js';
export type { InputLimits } from './core/limits.js';
export type { FailureReason, Rejection } from './core/outcome.js';
export { registerSource } from './core/user-source.js';
export {
  defineSource,
  unregisterSource,
  getSource,
  listSources,
  latestVersion,
  resolveSources,
  SourceError,
} from './core/source.js';
export type { Decoder, DecodeInput, Mapper, RawRecord, SourceDefinition, SourceVersionSpec } from './core/source.js';
export { createMapSession, formatSummary } from './core/engine.js';
export type { MapOptions, MapSession, MapStats, Outcome } from './core/engine.js';
export { flattenInto, collectUnmapped } from './core/unmapped.js';
export { parseIsoMillis, toIsoUtc, toEventDay } from './core/time.js';
export { parseJsonValues, parseLines, isObject } from './core/json-input.js';
export { toCwlPayload, decodeCwlData, isCwlPayload } from './core/cloudwatch.js';
export { builtinSources } from './sources/index.js';
export {
  DataLake,
  openDataLake,
  compileCollectionPlan,
  COLLECTION_FILTER_REASONS,
  ALL_ACCOUNTS,
  AWS_LOG_SOURCE_NAMES,
  SECURITY_LAKE_VERSIONS,
  LocalConfigStore,
  S3ConfigStore,
  SecurityLakeException,
  BadRequestException,
  AccessDeniedException,
  ResourceNotFoundException,
  ConflictException,
  ThrottlingException,
  InternalServerException,
} from './lake/index.js';
export type {
  OpenDataLakeOptions,
  CollectionPlan,
  CollectionDecision,
  NotCollectedReason,
  CollectionStats,
  RecordCollectionOptions,
  RecordCollectionResult,
  ConfigStore,
  AwsLogSourceConfiguration,
  CreateAwsLogSourceRequest,
  CreateAwsLogSourceOptions,
  CreateAwsLogSourceResponse,
  DeleteAwsLogSourceRequest,
  DeleteAwsLogSourceResponse,
  CreateDataLakeRequest,
  CreateDataLakeResponse,
  DeleteDataLakeRequest,
  ListDataLakesRequest,
  ListDataLakesResponse,
  DataLakeResource,
  DataLakeConfiguration,
  GetDataLakeSourcesRequest,
  GetDataLakeSourcesResponse,
  DataLakeSource,
  DataLakeSourceStatus,
  SourceCollectionStatus,
  ListLogSourcesRequest,
  ListLogSourcesResponse,
  LogSource,
  LogSourceResource,
  DataLakeDocument,
  AccountStatusDocument,
} from './lake/index.js';
export { createValidator, validateEvent, normalizeEvent, createNormalizer, MAP_ATTRIBUTES, TABLE_COLUMNS } from './validate/index.js';
export type { Validator, ValidatorOptions, ValidationResult, ValidationError, SchemaVariantInfo, NormalizeOptions } from './validate/index.js';
export { createLakeWriter, failuresToMapFailures, FlushError } from './writer/writer.js';
export type { LakeWriter, LakeWriterOptions, WriteMeta, WrittenFile, FileFailure, FlushResult, RollReason, WriterStats } from './writer/writer.js';
export { createLocalSink } from './writer/sinks/local.js';
export type { LocalSinkOptions } from './writer/sinks/local.js';
export { createS3Sink, parseS3Url, isTransientS3Error } from './writer/sinks/s3.js';
export type { S3Sink, S3SinkOptions } from './writer/sinks/s3.js';
export { SinkError } from './writer/sinks/sink.js';
export type { Sink, LakeStore, StoredObject, RetryOptions } from './writer/sinks/sink.js';
export { deriveSchema, schemaFor, customSchemas, SchemaDerivationError } from './writer/arrow-schema.js';
export type { DeriveOptions } from './writer/arrow-schema.js';
export { toArrowSchema, glueColumns, glueType, athenaDdl, describeColumns, PARTITION_COLUMNS } from './writer/schema-tree.js';
export type { WriterSchema, ColumnField, ColumnType, LeafKind, Layout } from './writer/schema-tree.js';
export { compileColumns } from './writer/columns.js';
export type { CompiledColumns, SchemaViolation } from './writer/columns.js';
export type { Compression } from './writer/parquet.js';
export { partitionOf, EXTERNAL_ACCOUNT } from './writer/partition.js';
export type { PartitionValues } from './writer/partition.js';
export { readParquetEvents, checkParquetFile, registerParquetReader, expandLakeInputs } from './writer/read.js';
export type { ParquetEvents, FileCheckIssue } from './writer/read.js';
export {
  planCatalog,
  registerCatalog,
  createTableDdl,
  createDatabaseDdl,
  planDdl,
  addPartitionsDdl,
  databaseName,
  tableName,
  CatalogError,
} from './catalog/index.js';
export type { CatalogOptions, CatalogPlan, CatalogTable, PartitionProjection, RegisterOptions, RegisterReport, RegisterResult } from './catalog/index.js';
export { handler, createLambdaHandler, lambdaOptionsFromEnv, parseLambdaEvent, decodeS3Key, LambdaIngestError, LAMBDA_ENV } from './pipeline/lambda.js';
export type { LambdaHandler, LambdaHandlerOptions, LambdaContext, LambdaSummary, LambdaTrigger, SqsBatchResponse, S3ObjectRef, NotificationMessage, ParsedLambdaEvent } from './pipeline/lambda.js';
export { ingest, DEFAULT_COMMIT_EVERY } from './pipeline/ingest.js';
export type { IngestOptions, IngestProgress, IngestResult } from './pipeline/ingest.js';
export type { CommitEvery } from './pipeline/shard.js';
export { Ledger } from './ledger/ledger.js';
export type { CommittedInput, CommitOutcome } from './ledger/ledger.js';
export { checkLakeIntegrity } from './ledger/integrity.js';
export type { IntegrityReport } from './ledger/integrity.js';
export type { InputIdentity, LedgerEntry, LedgerFile, LedgerInput } from './ledger/entry.js';
export { replay } from './pipeline/replay.js';
export type { ReplayOptions } from './pipeline/replay.js';
export type { InputSource } from './pipeline/inputs.js';
export type { ValidateMode } from './pipeline/shard.js';
export type { RunCounts } from './pipeline/summary.js';
export type { DeadLetterEntry } from './pipeline/dead-letter.js';
export { formatCounts, balanced, accounted } from './pipeline/summary.js';
export { buildRunReport, formatRunReport, runFailed, classNames } from './pipeline/report.js';
export type { RunReport, FailureGroup, FailOn, ReportOptions } from './pipeline/report.js';
export { openLakeQuery, lakeViews, DuckDbMissingError } from './query/lake.js';
export { coverage, formatCoverage } from './pipeline/coverage.js';
export type { CoverageOptions, CoverageReport, SourceCoverage } from './pipeline/coverage.js';
export type { LakeQuery, LakeView } from './query/lake.js';
export { writeSamples, generateSampleFiles, SAMPLE_SOURCES, DEFAULT_SPREAD } from './samples/index.js';
export type { SampleOptions, SampleSource, SampleFile, SampleSpread } from './samples/index.js';
