/**
 * ocsf-lake public API. Named exports only; every export is documented in README.md.
 */
import './sources/index.js';

export { AWS_SOURCE_NAMES, OCSF_VERSIONS } from './core/types.js';
export type { AwsSourceName, OcsfEvent, OcsfVersion, RecordContext, SourceOptions, SourceVersion } from './core/types.js';
export { MapFailure, Filtered, FAILURE_REASONS, isRejection } from './core/outcome.js';
export type { FailureReason, Rejection } from './core/outcome.js';
export {
  defineSource,
  registerSource,
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
