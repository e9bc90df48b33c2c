/**
 * Test and benchmark fixtures for the Parquet writer: a test source shaped like Security Lake's
 * CloudTrail management events (three classes per version, the attributes its mapper sets) and a seeded
 * generator of valid OCSF events for it, with the variety the writer must handle (nested structs, lists
 * of structs, maps, timestamps, non-ASCII strings, optional parts absent, several regions/accounts/days).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineSource, listSources } from '../../src/core/source.js';
import type { SourceDefinition } from '../../src/core/source.js';
import type { OcsfEvent, RecordContext } from '../../src/core/types.js';
import type { ColumnType } from '../../src/writer/schema-tree.js';

export const TEST_SOURCE = 'TEST_TRAIL';

const V2_ATTRIBUTES = [
  'metadata.product.name',
  'metadata.product.vendor_name',
  'metadata.product.version',
  'metadata.product.feature.name',
  'metadata.uid',
  'metadata.event_code',
  'cloud.provider',
  'cloud.region',
  'cloud.account.uid',
  'api.operation',
  'api.version',
  'api.service.name',
  'api.request.uid',
  'api.request.data',
  'api.response.data',
  'api.response.error',
  'api.response.message',
  'actor.user.type',
  'actor.user.name',
  'actor.user.uid',
  'actor.user.uid_alt',
  'actor.user.credential_uid',
  'actor.user.account.uid',
  'actor.session.created_time_dt',
  'actor.session.is_mfa',
  'actor.session.issuer',
  'actor.invoked_by',
  'actor.idp.name',
  'http_request.user_agent',
  'src_endpoint.ip',
  'src_endpoint.domain',
  'src_endpoint.uid',
  'dst_endpoint.svc_name',
  'resources[].uid',
  'resources[].type',
  'resources[].owner.account.uid',
  'user.name',
  'user.uid',
  'user.uid_alt',
  'is_mfa',
  'status',
  'status_id',
  'unmapped',
  'observables[].name',
  'observables[].type',
  'observables[].type_id',
  'observables[].value',
];

const V1_ATTRIBUTES = [
  'metadata.product.name',
  'metadata.product.vendor_name',
  'metadata.product.version',
  'metadata.product.feature.name',
  'metadata.uid',
  'cloud.provider',
  'cloud.region',
  'api.operation',
  'api.service.name',
  'api.request.uid',
  'api.response.error',
  'api.response.message',
  'actor.user.type',
  'actor.user.uid',
  'actor.user.uuid',
  'actor.user.account_uid',
  'actor.user.credential_uid',
  'actor.session.created_time',
  'actor.session.mfa',
  'actor.session.issuer',
  'actor.invoked_by',
  'http_request.user_agent',
  'src_endpoint.ip',
  'src_endpoint.domain',
  'resources[].uid',
  'resources[].type',
  'resources[].account_uid',
  'dst_endpoint.svc_name',
  'user.name',
  'user.uid',
  'status',
  'status_id',
  'unmapped',
];

/** The test source: native layout, CloudTrail's three classes in both versions. */
export const testSource: SourceDefinition = defineSource({
  name: TEST_SOURCE,
  title: 'writer test source (CloudTrail-shaped)',
  versions: {
    '1.0': { ocsfVersion: '1.0.0-rc.2', classes: [3005, 3002, 3001], profiles: ['cloud'], attributes: V1_ATTRIBUTES },
    '2.0': { ocsfVersion: '1.1.0', classes: [6003, 3002, 3001], profiles: ['cloud', 'datetime'], attributes: V2_ATTRIBUTES },
  },
  decoders: [],
  createMapper() {
    throw new Error('the writer test source has no mapper');
  },
});

/** A custom (user-defined) source with one class, written to the `ext/` layout. */
export const customSource: SourceDefinition = defineSource({
  name: 'ACME_LOGINS',
  title: 'ACME logins (custom source)',
  custom: true,
  versions: {
    '1.0': { ocsfVersion: '1.1.0', classes: [3002], profiles: [], attributes: ['user.name', 'user.uid', 'status_id', 'status', 'unmapped', 'metadata.product.name', 'metadata.product.vendor_name', 'dst_endpoint.svc_name'] },
  },
  decoders: [],
  createMapper() {
    throw new Error('no mapper');
  },
});

/** Small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
export const ACCOUNTS = ['111122223333', '444455556666'];
/** 2024-03-01T00:00:00Z and the next day. */
export const DAY0 = Date.UTC(2024, 2, 1);

const OPS = [
  ['DescribeInstances', 'ec2.amazonaws.com', 2],
  ['RunInstances', 'ec2.amazonaws.com', 1],
  ['GetObject', 's3.amazonaws.com', 2],
  ['PutBucketPolicy', 's3.amazonaws.com', 3],
  ['DeleteRole', 'iam.amazonaws.com', 4],
  ['AssumeRole', 'sts.amazonaws.com', 2],
] as const;
const ACTIVITY = ['Unknown', 'Create', 'Read', 'Update', 'Delete'];

export interface GenOptions {
  seed?: number;
  version?: '1.0' | '2.0';
  /** Input object name used in contexts (default `in-<seed>.json`). */
  input?: string;
  days?: number;
}

export interface Generated {
  event: OcsfEvent;
  context: RecordContext;
}

/** `n` valid events of the test source (1.1.0 by default), times unordered within two days. */
export function generateEvents(n: number, o: GenOptions = {}): Generated[] {
  const r = rng(o.seed ?? 1);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const hex = (k: number) => Array.from({ length: k }, () => Math.floor(r() * 16).toString(16)).join('');
  const out: Generated[] = [];
  const input = o.input ?? `in-${o.seed ?? 1}.json`;
  const days = o.days ?? 2;
  for (let i = 0; i < n; i++) {
    const region = pick(REGIONS);
    const account = pick(ACCOUNTS);
    const time = DAY0 + Math.floor(r() * days * 86_400_000);
    const [op, service, activityId] = pick(OPS);
    const kind = r();
    const classKey = kind < 0.8 ? 'api' : kind < 0.9 ? 'auth' : 'account';
    const failed = r() < 0.06;
    const d: Draw = { classKey, op, service, activityId, time, region, account, failed, hex, r, i };
    const event = o.version === '1.0' ? v1Event(d) : v2Event(d);
    out.push({ event, context: { input, line: i + 1, offset: i * 1000 } });
  }
  return out;
}

/** The random draws one generated event is made of. */
interface Draw {
  classKey: string;
  op: string;
  service: string;
  activityId: number;
  time: number;
  region: string;
  account: string;
  failed: boolean;
  hex: (k: number) => string;
  r: () => number;
  i: number;
}

function v2Event({ classKey, op, service, activityId, time, region, account, failed, hex, r, i }: Draw): OcsfEvent {
  const [classUid, className, categoryUid, categoryName] =
    classKey === 'api' ? [6003, 'API Activity', 6, 'Application Activity'] : classKey === 'auth' ? [3002, 'Authentication', 3, 'Identity & Access Management'] : [3001, 'Account Change', 3, 'Identity & Access Management'];
  const act = classKey === 'api' ? activityId : 1;
  const actName = classKey === 'api' ? ACTIVITY[act]! : classKey === 'auth' ? 'Logon' : 'Create';
  const user = `user-${hex(5)}${i % 17 === 0 ? '-é漢' : ''}`;
  const ev: OcsfEvent = {
    metadata: {
      product: { name: 'CloudTrail', vendor_name: 'AWS', version: '1.08', feature: { name: 'Management' } },
      uid: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      event_code: 'AwsApiCall',
      profiles: ['cloud', 'datetime'],
      version: '1.1.0',
    },
    time,
    time_dt: new Date(time).toISOString(),
    cloud: { region, provider: 'AWS', account: { uid: account } },
    actor: {
      user: {
        type: 'AssumedRole',
        name: user,
        uid: `AROA${hex(16).toUpperCase()}:${user}`,
        uid_alt: `arn:aws:sts::${account}:assumed-role/Admin/${user}`,
        credential_uid: `ASIA${hex(16).toUpperCase()}`,
        account: { uid: account },
      },
      ...(r() < 0.5 ? { session: { created_time_dt: new Date(time - 3_600_000).toISOString(), is_mfa: r() < 0.3, issuer: `arn:aws:iam::${account}:role/Admin` } } : {}),
      ...(r() < 0.1 ? { invoked_by: 'cloudformation.amazonaws.com' } : {}),
    },
    http_request: { user_agent: pick2(r, ['aws-cli/2.15.0 Python/3.11.6', 'console.amazonaws.com', 'Boto3/1.34.0 Python/3.12.0 Linux/6.1']) },
    src_endpoint: { ip: `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}` },
    class_name: className,
    class_uid: classUid,
    category_name: categoryName,
    category_uid: categoryUid,
    severity_id: 1,
    severity: 'Informational',
    activity_id: act,
    activity_name: actName,
    type_uid: classUid * 100 + act,
    type_name: `${className}: ${actName}`,
    status: failed ? 'Failure' : 'Success',
    status_id: failed ? 2 : 1,
    unmapped: { recipientAccountId: account, readOnly: String(act === 2), eventType: 'AwsApiCall', 'requestParameters.items[].id': `a,b,${hex(3)}` },
    observables: [{ name: 'src_endpoint.ip', type: 'IP Address', type_id: 2, value: '10.0.0.1' }],
  };
  if (classKey === 'api') {
    ev.api = {
      operation: op,
      service: { name: service },
      request: { uid: hex(32), ...(r() < 0.7 ? { data: JSON.stringify({ instancesSet: { items: [{ instanceId: `i-0${hex(16)}` }] }, dryRun: false }) } : {}) },
      response: failed ? { error: 'AccessDenied', message: 'User is not authorized' } : r() < 0.5 ? { data: '{"return":true}' } : {},
    };
    if (r() < 0.4) {
      ev.resources = [
        { uid: `arn:aws:s3:::bucket-${hex(6)}`, type: 'AWS::S3::Bucket', owner: { account: { uid: account } } },
        ...(r() < 0.5 ? [{ uid: `arn:aws:iam::${account}:role/r-${hex(4)}`, type: 'AWS::IAM::Role' }] : []),
      ];
    }
  } else {
    ev.user = { name: `target-${hex(4)}`, uid: `AIDA${hex(16).toUpperCase()}` };
    if (classKey === 'auth') {
      ev.is_mfa = r() < 0.5;
      ev.dst_endpoint = { svc_name: 'signin.amazonaws.com' };
    }
    ev.api = { operation: op, service: { name: service }, request: { uid: hex(32) }, response: {} };
  }
  return ev;
}

function v1Event({ classKey, op, service, activityId, time, region, account, failed, hex, r }: Draw): OcsfEvent {
  const [classUid, className] = classKey === 'api' ? [3005, 'API Activity'] : classKey === 'auth' ? [3002, 'Authentication'] : [3001, 'Account Change'];
  const act = classKey === 'api' ? activityId : 1;
  const actName = classKey === 'api' ? ACTIVITY[act]! : classKey === 'auth' ? 'Logon' : 'Create';
  const ev: OcsfEvent = {
    metadata: { product: { version: '1.08', name: 'CloudTrail', vendor_name: 'AWS', feature: { name: 'Management' } }, uid: hex(32), profiles: ['cloud'], version: '1.0.0-rc.2' },
    time,
    cloud: { region, provider: 'AWS' },
    api: { operation: op, service: { name: service }, request: { uid: hex(32) }, ...(failed ? { response: { error: 'AccessDenied', message: 'denied' } } : {}) },
    actor: {
      user: { type: 'IAMUser', uid: `AIDA${hex(16).toUpperCase()}`, uuid: `arn:aws:iam::${account}:user/u-${hex(4)}`, account_uid: account, credential_uid: `AKIA${hex(16).toUpperCase()}` },
      ...(r() < 0.5 ? { session: { created_time: time - 60_000, mfa: false, issuer: `arn:aws:iam::${account}:role/Admin` } } : {}),
    },
    http_request: { user_agent: 'aws-cli/2.15.0' },
    src_endpoint: { ip: '52.95.4.21' },
    class_name: className,
    class_uid: classUid,
    category_name: 'Audit Activity',
    category_uid: 3,
    severity_id: 1,
    severity: 'Informational',
    status_id: failed ? 2 : 1,
    status: failed ? 'Failure' : 'Success',
    activity_name: actName,
    activity_id: act,
    type_uid: classUid * 100 + act,
    type_name: `${className}: ${actName}`,
    unmapped: { recipientAccountId: account, readOnly: 'false' },
  };
  if (classKey !== 'api') ev.user = { name: `t-${hex(3)}`, uid: `AIDA${hex(8)}` };
  if (classKey === 'auth') ev.dst_endpoint = { svc_name: 'signin.amazonaws.com' };
  return ev;
}

function pick2<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]!;
}

/** A valid event of the custom source (no `cloud`: its region and account come from the record context). */
export function customEvent(i: number, time: number): OcsfEvent {
  return {
    class_uid: 3002,
    class_name: 'Authentication',
    category_uid: 3,
    category_name: 'Identity & Access Management',
    activity_id: 1,
    activity_name: 'Logon',
    type_uid: 300201,
    type_name: 'Authentication: Logon',
    severity_id: 1,
    severity: 'Informational',
    time,
    metadata: { version: '1.1.0', product: { name: 'ACME', vendor_name: 'ACME' } },
    user: { name: `u${i}`, uid: String(i) },
    dst_endpoint: { svc_name: 'sso.acme.example' },
    status_id: 1,
    status: 'Success',
    unmapped: { seq: String(i) },
  };
}

// ---------------------------------------------------------------------------------------------
// Golden outputs of the registered sources (test/golden/<source_id>/<case>.<source version>.ocsf.json).

export const GOLDEN_DIR = new URL('../golden/', import.meta.url).pathname;

/** The registered sources a golden folder holds outputs of: a family, or a source named like the folder. */
const FOLDER_SOURCES: Record<string, string[]> = {
  cloudtrail: ['CLOUD_TRAIL_MGMT', 'S3_DATA', 'LAMBDA_EXECUTION'],
  vpc_flow: ['VPC_FLOW'],
  route53: ['ROUTE53'],
  security_hub: ['SH_FINDINGS'],
  eks_audit: ['EKS_AUDIT'],
};

export function goldenFolders(): string[] {
  return existsSync(GOLDEN_DIR) ? readdirSync(GOLDEN_DIR).filter((d) => goldenSources(d).length > 0).sort() : [];
}

export function goldenSources(folder: string): SourceDefinition[] {
  const names = FOLDER_SOURCES[folder] ?? [];
  return listSources().filter((s) => names.includes(s.name) || s.family === folder || s.name.toLowerCase() === folder);
}

export interface GoldenEvent {
  file: string;
  index: number;
  /** Source version from the file name. */
  version: string;
  event: OcsfEvent;
}

/** Every expected output event in a golden folder. */
export function goldenEvents(folder: string): GoldenEvent[] {
  const out: GoldenEvent[] = [];
  for (const f of readdirSync(join(GOLDEN_DIR, folder)).sort()) {
    const m = /\.(\d\.\d)\.ocsf\.json$/.exec(f);
    if (!m) continue;
    const v = JSON.parse(readFileSync(join(GOLDEN_DIR, folder, f), 'utf8')) as OcsfEvent | OcsfEvent[];
    (Array.isArray(v) ? v : [v]).forEach((event, index) => out.push({ file: f, index, version: m[1]!, event }));
  }
  return out;
}

/** A row as apache-arrow's builders take it (BigInt for int64, epoch ms for timestamps, Map for maps). */
export function forBuilders(v: unknown, t: ColumnType): unknown {
  if (v === undefined || v === null) return null;
  switch (t.kind) {
    case 'int64':
      return BigInt(v as number);
    case 'timestamp':
      return Date.parse(v as string);
    case 'json':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'map':
      return new Map(Object.entries(v as object));
    case 'list':
      return (v as unknown[]).map((x) => forBuilders(x, t.item));
    case 'struct': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) o[f.name] = forBuilders((v as Record<string, unknown>)[f.name], f.type);
      return o;
    }
    default:
      return v;
  }
}
