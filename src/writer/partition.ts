/**
 * Security Lake partitioning: which `region=/accountId=/eventDay=` directory an event goes to, and the
 * object key of a file. Every value is validated before it becomes a path segment, so no event content
 * (`../../x`, `/`, `%2F`, NUL, ...) can move a file outside the lake root.
 *
 * Where the values come from (decision, see README "Parquet writer"):
 * - region: the event's `cloud.region`, else the record context's `region` (S3 key, CloudWatch Logs ARN,
 *   `--region`), else the writer's `defaultRegion`; it must match the AWS region pattern.
 * - account: the event's `cloud.account.uid` (1.1.0) or `cloud.account_uid` (rc.2), else the context's
 *   `accountId`; it must be 12 digits, or an ARN whose account field is (Security Lake's own EKS output
 *   stores a whole ARN in `cloud.account.uid`, mapping-spec §7). No account at all → `external`
 *   (Security Lake's rule for records without an AWS account). A present but malformed value is a
 *   failure, never silently re-filed.
 * - eventDay: the UTC day of the event's `time`.
 */
import type { OcsfEvent, RecordContext } from '../core/types.js';
import { toEventDay } from '../core/time.js';
import type { SchemaViolation } from './columns.js';
import type { Layout } from './schema-tree.js';

/**
 * The shape of published AWS region names: a geographic area (`us`, `eu`, `ap`, `sa`, `ca`, `me`, `af`, `il`,
 * `mx`, `cn`; `eusc-<country>` for the European Sovereign Cloud), an optional partition qualifier (`gov`,
 * `iso`, `isob`, `isoe`, `isof`), a compass direction and one digit 1-9: `us-east-1`, `us-gov-west-1`,
 * `cn-north-1`, `ap-southeast-5`, `il-central-1`, `eusc-de-east-1`, `us-isob-east-1`. `us-east-10` and
 * `aa-bbbb-99` are refused: a partition named after a region that cannot exist is an attacker's or a bug's.
 * A new area AWS opens is one word to add here.
 */
export const AWS_REGION =
  /^(?:(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[bef]?)?|eusc-[a-z]{2})-(?:central|(?:north|south)(?:east|west)?|east|west)-[1-9]$/;
export const AWS_ACCOUNT = /^\d{12}$/;
/** An ARN with a 12-digit account field: `arn:<partition>:<service>:<region>:<account>:<resource>`. */
const ARN_ACCOUNT = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;
/** Security Lake's value for records without an AWS account. */
export const EXTERNAL_ACCOUNT = 'external';
/** Source names and versions as path segments: Security Lake's name patterns, never `.` or `..`. */
const SEGMENT = /^(?!\.{1,2}$)[\w\-:.]{1,64}$/;

export interface PartitionValues {
  region: string;
  accountId: string;
  eventDay: string;
}

// The last region and account that passed their patterns: events come in runs of one partition, and three
// regular expressions per event showed in writer.write's profile (`npm run bench:e2e`).
let goodRegion: unknown; // never '' (an empty region must fail the pattern)
let goodAccount: unknown;
let goodDay: unknown;

/** Region, account and day of an event, or why they cannot be path segments. */
export function partitionOf(ev: OcsfEvent, ctx: RecordContext | undefined, defaultRegion?: string): PartitionValues | SchemaViolation {
  const cloud = ev.cloud as { region?: unknown; account?: { uid?: unknown }; account_uid?: unknown } | undefined;
  let region: unknown = cloud?.region;
  let regionFrom = 'cloud.region';
  if (region === undefined || region === null) {
    region = ctx?.region ?? defaultRegion;
    regionFrom = ctx?.region !== undefined ? 'context.region' : 'defaultRegion';
  }
  if (region === undefined || region === null) {
    return { path: 'cloud.region', message: 'no region: the event has no cloud.region and its record context none (give a default region)' };
  }
  if (region === goodRegion) {
    // validated before
  } else if (typeof region !== 'string' || !AWS_REGION.test(region)) {
    return { path: regionFrom, message: `not an AWS region, cannot be a partition: ${JSON.stringify(String(region).slice(0, 80))}` };
  } else goodRegion = region;
  let account: unknown = cloud?.account?.uid;
  let accountFrom = 'cloud.account.uid';
  if (account === undefined || account === null) {
    account = cloud?.account_uid;
    accountFrom = 'cloud.account_uid';
  }
  if (account === undefined || account === null) {
    account = ctx?.accountId;
    accountFrom = 'context.accountId';
  }
  if (account === undefined || account === null || account === '') account = EXTERNAL_ACCOUNT;
  else if (account === goodAccount) {
    // validated before
  } else if (typeof account !== 'string' || !AWS_ACCOUNT.test(account)) {
    const arn = typeof account === 'string' ? ARN_ACCOUNT.exec(account) : null;
    if (arn === null) {
      return { path: accountFrom, message: `not a 12-digit AWS account id, cannot be a partition: ${JSON.stringify(String(account).slice(0, 80))}` };
    }
    account = arn[1]!;
  } else goodAccount = account;
  const time = ev.time;
  if (typeof time !== 'number' || !Number.isFinite(time)) return { path: 'time', message: 'time is not a number' };
  const eventDay = toEventDay(time);
  if (eventDay !== goodDay) {
    if (!/^\d{8}$/.test(eventDay)) return { path: 'time', message: `time ${time} is outside years 1000-9999` };
    goodDay = eventDay;
  }
  return { region: region as string, accountId: account as string, eventDay };
}

/** `aws/<SOURCE>/<version>` (native) or `ext/<name>/<version>` (custom): the table prefix of a schema. */
export function tablePrefix(layout: Layout, name: string, version: string): string {
  if (!SEGMENT.test(name)) throw new Error(`source name ${JSON.stringify(name)} cannot be a path segment`);
  if (!SEGMENT.test(version)) throw new Error(`source version ${JSON.stringify(version)} cannot be a path segment`);
  return `${layout === 'native' ? 'aws' : 'ext'}/${name}/${version}`;
}

/** `region=<r>/accountId=<a>/eventDay=<d>` after re-checking each value (defence in depth). */
export function partitionPath(p: PartitionValues): string {
  if (!AWS_REGION.test(p.region)) throw new Error(`invalid region segment ${JSON.stringify(p.region)}`);
  if (p.accountId !== EXTERNAL_ACCOUNT && !AWS_ACCOUNT.test(p.accountId)) throw new Error(`invalid account segment ${JSON.stringify(p.accountId)}`);
  if (!/^\d{8}$/.test(p.eventDay)) throw new Error(`invalid eventDay segment ${JSON.stringify(p.eventDay)}`);
  return `region=${p.region}/accountId=${p.accountId}/eventDay=${p.eventDay}`;
}

/**
 * Checks that an object key is a relative path of plain segments (no empty, `.` or `..` segment, no
 * backslash or NUL) so that it stays under the root of any sink.
 */
export function assertSafeKey(key: string): void {
  if (key.length === 0 || key.length > 1024 || key.startsWith('/') || /[\\\0]/.test(key)) {
    throw new Error(`unsafe object key ${JSON.stringify(key)}`);
  }
  for (const seg of key.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new Error(`unsafe object key ${JSON.stringify(key)}`);
  }
}
