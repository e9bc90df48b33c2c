/**
 * Which sources and versions the data lake accepts, and input validation with the API model's
 * patterns (`../shared/docs/security-lake.md` §1.1, §2.2).
 *
 * - Accepted names: the API model's `AwsLogSourceName` enum, plus any source registered in this
 *   library's registry (so user-defined sources can be governed the same way).
 * - Accepted versions: the versions Security Lake defines for the name (`1.0` and `2.0`; `EKS_AUDIT`
 *   and `WAF` only `2.0`, §0.2) plus the versions the registered definition declares.
 * - Default (`sourceVersion` omitted or `latest`): the registry's `latestVersion` when the source is
 *   registered, else Security Lake's latest (`2.0`).
 * - A (source, version) that is accepted but that this library cannot emit (e.g. `WAF 2.0`) can be
 *   enabled, as in Security Lake; `getDataLakeSources` then reports it MISCONFIGURED.
 */
import { getSource, latestVersion } from '../core/source.js';
import { BadRequestException } from './errors.js';
import { AWS_LOG_SOURCE_NAMES } from './types.js';
import type { AwsLogSourceName } from './types.js';

/** Source versions Security Lake defines per AWS source (§0.2, §1.2). */
export const SECURITY_LAKE_VERSIONS: Readonly<Record<AwsLogSourceName, readonly string[]>> = {
  ROUTE53: ['1.0', '2.0'],
  VPC_FLOW: ['1.0', '2.0'],
  SH_FINDINGS: ['1.0', '2.0'],
  CLOUD_TRAIL_MGMT: ['1.0', '2.0'],
  LAMBDA_EXECUTION: ['1.0', '2.0'],
  S3_DATA: ['1.0', '2.0'],
  EKS_AUDIT: ['2.0'],
  WAF: ['2.0'],
};

/** Region pattern of the API model (§2.2). */
export const REGION_RE = /^(us(-gov)?|af|ap|ca|eu|me|sa)-(central|north|(north(?:east|west))|south|south(?:east|west)|east|west)-\d+$/;
/** `AwsLogSourceVersion` pattern (§1.1). */
export const SOURCE_VERSION_RE = /^(latest|[0-9]\.[0-9])$/;
export const ACCOUNT_RE = /^\d{12}$/;
/** Accounts the pipeline may report status for: 12 digits, or `external[_<id>]` for non-AWS records. */
export const STATUS_ACCOUNT_RE = /^(\d{12}|external(_[A-Za-z0-9-]{1,64})?)$/;

const AWS_NAMES: ReadonlySet<string> = new Set(AWS_LOG_SOURCE_NAMES);

export function isAwsLogSourceName(name: string): name is AwsLogSourceName {
  return AWS_NAMES.has(name);
}

/** Numeric comparison of `major.minor` version strings. */
export function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

/** Sorts version strings numerically (`1.0` < `2.0` < `10.0`). */
export function sortVersions(vs: Iterable<string>): string[] {
  return [...vs].sort(compareVersions);
}

/** True when the name is an AWS log source name or a registered source. */
export function isKnownSource(name: string): boolean {
  return AWS_NAMES.has(name) || getSource(name) !== undefined;
}

/** Versions the data lake accepts for a source (sorted), or [] for an unknown name. */
export function acceptedVersions(name: string): string[] {
  const def = getSource(name);
  const aws = isAwsLogSourceName(name) ? SECURITY_LAKE_VERSIONS[name] : [];
  return sortVersions(new Set([...aws, ...(def ? Object.keys(def.versions) : [])]));
}

/** The version that `sourceVersion` omitted or `latest` resolves to. */
export function defaultVersion(name: string): string {
  const def = getSource(name);
  if (def) return latestVersion(def);
  return acceptedVersions(name).at(-1)!;
}

/** True when this library has a mapper for (source, version): the registry declares that version. */
export function canEmit(name: string, version: string): boolean {
  const def = getSource(name);
  return def !== undefined && Object.prototype.hasOwnProperty.call(def.versions, version);
}

/** True when the registered source is a custom source (written under `ext/` rather than `aws/`). */
export function isCustomSource(name: string): boolean {
  return getSource(name)?.custom === true;
}

// ---------------------------------------------------------------------------------------------------
// Validation helpers (all throw BadRequestException)

export function checkRegions(value: unknown, field: string, required: boolean): string[] | undefined {
  if (value === undefined && !required) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequestException(`${field} must be a non-empty list of Regions`);
  }
  for (const r of value) {
    if (typeof r !== 'string' || !REGION_RE.test(r)) throw new BadRequestException(`${field}: invalid Region ${JSON.stringify(r)}`);
  }
  return [...new Set(value as string[])].sort();
}

export function checkAccounts(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequestException(`${field} must be a non-empty list of 12-digit account ids (omit it for every account)`);
  }
  for (const a of value) {
    if (typeof a !== 'string' || !ACCOUNT_RE.test(a)) {
      throw new BadRequestException(`${field}: invalid account id ${JSON.stringify(a)} (12 digits expected)`);
    }
  }
  return [...new Set(value as string[])].sort();
}

export function checkSourceName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequestException(`${field} is required`);
  if (!isKnownSource(value)) {
    throw new BadRequestException(
      `${field}: unknown source ${JSON.stringify(value)}; expected one of ${[...AWS_LOG_SOURCE_NAMES].join(', ')} or a registered source`,
    );
  }
  return value;
}

/**
 * Resolves `sourceVersion` for a source: pattern check, `latest`/omitted → {@link defaultVersion},
 * then the version must be accepted for that source.
 */
export function resolveVersion(name: string, value: unknown, field: string): string {
  if (value === undefined || value === 'latest') return defaultVersion(name);
  if (typeof value !== 'string' || !SOURCE_VERSION_RE.test(value)) {
    throw new BadRequestException(`${field}: invalid version ${JSON.stringify(value)} (pattern ^(latest|[0-9]\\.[0-9])$)`);
  }
  const ok = acceptedVersions(name);
  if (!ok.includes(value)) {
    throw new BadRequestException(`${field}: ${name} does not support version ${value} (supported: ${ok.join(', ')})`);
  }
  return value;
}

export function checkMaxResults(value: unknown): number {
  if (value === undefined) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw new BadRequestException(`maxResults must be an integer from 1 to 100`);
  }
  return value;
}

/** Pagination tokens: base64url of `{o: offset, k: operation}`. */
export function encodeToken(op: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: op, o: offset })).toString('base64url');
}
export function decodeToken(op: string, token: unknown): number {
  if (token === undefined) return 0;
  try {
    const t = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { k?: unknown; o?: unknown };
    if (t.k === op && typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0) return t.o;
  } catch {
    // fall through
  }
  throw new BadRequestException(`InvalidToken: nextToken ${JSON.stringify(token)} is not a token of ${op}`);
}
