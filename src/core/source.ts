/**
 * The source plugin contract and the registry. A source is one plain object made with
 * {@link defineSource}; the built-ins are registered at import time and users add their own with
 * {@link registerSource}. Sources of one delivery stream (CloudTrail's management, S3 data and Lambda
 * data events) share a `family`: one decode pass, then `route()` picks the member for each record.
 */
import type { InputLimits } from './limits.js';
import type { MapFailure, Filtered, Rejection } from './outcome.js';
import type { OcsfEvent, OcsfVersion, RecordContext, SourceOptions, SourceVersion } from './types.js';

/**
 * A decompressed input object handed to decoders. `text` is decoded lazily; invalid UTF-8 bytes become
 * U+FFFD there, and the engine fails the records they touch (`invalid-utf8`), so decoders need not care.
 */
export interface DecodeInput {
  /** File path, `s3://bucket/key` or `-`. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The whole input as a string (at most 512 MiB: `limits.maxInputBytes` keeps it under V8's longest string). */
  readonly text: string;
  /** Context every record of this input starts from (region/account from options or the object key). */
  readonly context: RecordContext;
  readonly options: SourceOptions;
  /** The run's bounds: decoders that cut text into records fail a record over `maxRecordBytes` alone. */
  readonly limits: InputLimits;
}

/** One raw record out of a decoder, with where it was found. */
export interface RawRecord {
  value: unknown;
  context: RecordContext;
}

/** Turns one delivery format (S3 log object, NDJSON, CloudWatch Logs payload, ...) into raw records. */
export interface Decoder {
  /** Stable format name, e.g. `cloudtrail-records`, `ndjson`, `vpc-text`, `cwl-subscription`. */
  readonly format: string;
  /**
   * Content detection on the start of the decompressed input (`head` is at most 64 KiB of text,
   * `bytes` the raw start). Decoders are tried in declaration order; the first match wins.
   */
  sniff(head: string, bytes: Uint8Array): boolean;
  /** Yields raw records, or rejections for parts of the input that cannot become records. */
  decode(input: DecodeInput): Iterable<RawRecord | Rejection> | AsyncIterable<RawRecord | Rejection>;
}

/** Maps one raw record to one OCSF event, or says why not. Built once per (source, version, options). */
export interface Mapper {
  readonly source: string;
  readonly version: SourceVersion;
  readonly ocsfVersion: OcsfVersion;
  map(raw: unknown, context: RecordContext): OcsfEvent | Rejection;
}

export interface SourceVersionSpec {
  /** OCSF version the mapper emits at this source version. */
  ocsfVersion: OcsfVersion;
  /** OCSF class_uids this source can emit at this version. */
  classes: readonly number[];
  /** `metadata.profiles` the source sets (e.g. `["cloud","datetime"]`). */
  profiles: readonly string[];
  /**
   * Every attribute path the mapper can set, dotted, arrays as `[]` (e.g. `actor.user.name`,
   * `resources[].uid`, `unmapped`). The Parquet writer derives its schema from these plus the
   * OCSF JSON Schema, so an attribute missing here is rejected at write time, never dropped.
   */
  attributes: readonly string[];
}

export interface SourceDefinition {
  /** Security Lake `sourceName` (`CLOUD_TRAIL_MGMT`, ...) or a custom source name. */
  readonly name: string;
  /** Human title for help and docs. */
  readonly title: string;
  /** Family name shared by sources decoded from the same stream (`cloudtrail`). */
  readonly family?: string;
  /** Supported source versions, e.g. `{"1.0": {...}, "2.0": {...}}`. */
  readonly versions: Readonly<Record<SourceVersion, SourceVersionSpec>>;
  /** Decoders for the delivery formats, in sniffing order. Family members share the same list. */
  readonly decoders: readonly Decoder[];
  /**
   * Family members only: the member sourceName a raw record belongs to, or a `Filtered`/`MapFailure`
   * (e.g. a data event of an unsupported service). Must be identical for every member of a family.
   */
  route?(raw: unknown, context: RecordContext): string | Rejection;
  /** Builds the mapper for one version; compile tables here, not per record. */
  createMapper(version: SourceVersion, options: SourceOptions): Mapper;
  /** True for user-defined sources written to the custom-source layout (`ext/`). */
  readonly custom?: boolean;
}

/** Identity helper that type-checks a source description and fills defaults. */
export function defineSource(def: SourceDefinition): SourceDefinition {
  const versions = Object.keys(def.versions);
  if (versions.length === 0) throw new SourceError(`source ${def.name} declares no versions`);
  if (!/^[\w\-:.]{1,64}$/.test(def.name)) throw new SourceError(`invalid source name ${JSON.stringify(def.name)}`);
  if (def.family !== undefined && typeof def.route !== 'function') {
    throw new SourceError(`source ${def.name} is in family ${def.family} but has no route()`);
  }
  return Object.freeze({ ...def });
}

/** A configuration error (thrown at setup, never per record). */
export class SourceError extends Error {
  override name = 'SourceError';
}

const registry = new Map<string, SourceDefinition>();

/** Adds a source to the registry. Throws if the name is taken (pass `replace` to override a built-in). */
export function registerSource(def: SourceDefinition, opts: { replace?: boolean } = {}): void {
  if (registry.has(def.name) && !opts.replace) throw new SourceError(`source ${def.name} is already registered`);
  registry.set(def.name, def);
}

/** Removes a user-registered source (mainly for tests). */
export function unregisterSource(name: string): boolean {
  return registry.delete(name);
}

export function getSource(name: string): SourceDefinition | undefined {
  return registry.get(name);
}

export function listSources(): SourceDefinition[] {
  return [...registry.values()];
}

/** Latest supported version of a source (highest version string). */
export function latestVersion(def: SourceDefinition): SourceVersion {
  return Object.keys(def.versions).sort(compareVersions).at(-1)!;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Resolves a user's `--source` value (a sourceName, case-insensitive, or a family name such as
 * `cloudtrail`) to the registered sources it names.
 */
export function resolveSources(selector: string): SourceDefinition[] {
  const exact = registry.get(selector) ?? registry.get(selector.toUpperCase());
  if (exact) return [exact];
  const family = listSources().filter((s) => s.family !== undefined && s.family.toLowerCase() === selector.toLowerCase());
  if (family.length > 0) return family;
  const known = [...new Set(listSources().flatMap((s) => (s.family ? [s.name, s.family] : [s.name])))].join(', ');
  throw new SourceError(`unknown source ${JSON.stringify(selector)}; known: ${known}`);
}

/** Type guard used by the engine on mapper results. */
export type MapResult = OcsfEvent | MapFailure | Filtered;
