/**
 * Route 53 mapping tables (`mappings/route53/<ocsf-version>.json`) compiled into plain lookups, once per
 * mapper. The JSON declares which raw field feeds which OCSF attribute; the mapper code builds the
 * object literals. `compileTables` checks that the table names exactly the OCSF targets (and
 * conversions) the code implements, so table and code cannot drift apart silently.
 */
import { loadPackageJson } from '../../core/package-data.js';
import { SourceError } from '../../core/source.js';
import type { OcsfVersion } from '../../core/types.js';

/** Caption placeholder in the tables: the raw value is used as the caption (with id 99 Other). */
export const RAW_CAPTION = '$raw';

/** One row of `fields`: OCSF target ← raw path, with its conversion. */
export interface FieldRow {
  ocsf: string;
  /** Raw path: `name`, `parent.child` or `answers[].Key`; null for computed targets. */
  raw: string | null;
  convert: string;
  required?: boolean;
  fallback?: 'context.accountId' | 'context.region';
  spec: string;
}

interface RcodeEntry {
  id: number;
  caption: string;
  raw: string[];
  activity_id?: number;
  spec: string;
}

interface FirewallEntry {
  action_id?: number;
  action?: string;
  disposition_id: number;
  disposition: string;
  spec: string;
}

interface ObservableSpec {
  type_id: number;
  type: string;
  spec: string;
}

/** Shape of `mappings/route53/*.json`. */
export interface Route53Table {
  source: string;
  sourceVersion: string;
  ocsfVersion: OcsfVersion;
  class: { class_uid: number; class_name: string; category_uid: number; category_name: string };
  constants: Record<string, unknown>;
  fields: FieldRow[];
  rcodes: {
    entries: RcodeEntry[];
    unknown: { id: number; caption: string; activity_id?: number };
    absent: { activity_id?: number };
  };
  activity?: { activity_id: number };
  activities: Record<string, string>;
  firewall: { entries: Record<string, FirewallEntry>; unknown: FirewallEntry; absent: FirewallEntry };
  dstEndpointWithoutResolverEndpoint: { svc_name: string } | null;
  observables: {
    answerRdataByType: Record<string, ObservableSpec>;
    fields: ({ name: string } & ObservableSpec)[];
  } | null;
  attributes: string[];
  deviations: { what: string; spec: string; decision: string; reason: string }[];
}

/** Where a raw value lives: a top-level key, or a key of a top-level object (`srcids.instance`). */
export interface RawRef {
  top: string;
  sub?: string;
}

/** Resolved activity: id with its precomputed captions. */
export interface ActivityInfo {
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
}

export interface RcodeInfo {
  rcode_id: number;
  rcode: string;
  activity: ActivityInfo;
}

export interface FirewallInfo {
  /** -1 at versions without action (1.0.0-rc.2). */
  action_id: number;
  /** {@link RAW_CAPTION} = the raw firewall_rule_action (99 Other). */
  action: string;
  disposition_id: number;
  /** {@link RAW_CAPTION} = the raw firewall_rule_action (99 Other). */
  disposition: string;
}

export interface ObservableInfo {
  name: string;
  type: string;
  type_id: number;
}

/** Everything the mapper needs, as plain lookups. */
export interface CompiledTables {
  ocsfVersion: OcsfVersion;
  cls: Route53Table['class'];
  severity_id: number;
  severity: string;
  metadataVersion: string;
  profiles: readonly string[];
  productName: string;
  vendorName: string;
  featureName: string;
  provider: string;
  direction_id: number;
  direction: string;
  /** Raw location of each OCSF target, keyed by the OCSF path of the table. */
  raw: Record<string, RawRef>;
  /** OCSF targets whose raw value must be present. */
  required: ReadonlySet<string>;
  /** Upper-cased rcode spelling → rcode info. */
  rcodes: ReadonlyMap<string, RcodeInfo>;
  rcodeUnknownId: number;
  rcodeUnknownActivity: ActivityInfo;
  rcodeAbsentActivity: ActivityInfo;
  /** Upper-cased firewall_rule_action → action/disposition. */
  firewall: ReadonlyMap<string, FirewallInfo>;
  firewallUnknown: FirewallInfo;
  firewallAbsent: FirewallInfo;
  dstFallbackSvcName: string | undefined;
  /** answers[].Type → observable type (v2); undefined when the version has no observables. */
  answerObservables: ReadonlyMap<string, ObservableInfo> | undefined;
  /** Field observables by OCSF path (v2). */
  fieldObservables: ReadonlyMap<string, ObservableInfo> | undefined;
  /** Top-level raw keys consumed by some mapping (not copied to `unmapped`). */
  mappedTop: ReadonlySet<string>;
  /** Dotted raw paths consumed below an otherwise unmapped object (`srcids.instance`). */
  mappedPaths: ReadonlySet<string>;
  /** Objects only some keys of which are mapped (`srcids` → `instance`, ...). */
  nested: ReadonlyMap<string, ReadonlySet<string>>;
  /** `mappedTop` plus the `nested` parents: usable when those objects hold no other keys. */
  mappedTopWithNested: ReadonlySet<string>;
  /** Raw keys of an answer element that are mapped (`Type`, `Rdata`, `Class`). */
  answerKeys: ReadonlySet<string>;
  attributes: readonly string[];
}

/** The OCSF targets (and conversions) the mapper code implements, per OCSF version. */
const COMMON_TARGETS: Record<string, string> = {
  'metadata.product.version': 'string',
  'cloud.region': 'string',
  'src_endpoint.vpc_uid': 'string',
  time: 'timestamp',
  'query.hostname': 'string',
  'query.type': 'string',
  'query.class': 'string',
  rcode: 'rcode',
  answers: 'answers',
  'answers[].type': 'string',
  'answers[].rdata': 'string',
  'answers[].class': 'string',
  'src_endpoint.ip': 'string',
  'src_endpoint.port': 'port',
  'connection_info.protocol_name': 'string',
  'src_endpoint.instance_uid': 'string',
  'dst_endpoint.instance_uid': 'string',
  'dst_endpoint.interface_uid': 'string',
};

export const TARGETS: Readonly<Record<OcsfVersion, Readonly<Record<string, string>>>> = {
  '1.0.0-rc.2': {
    ...COMMON_TARGETS,
    'cloud.account_uid': 'string',
    activity_id: 'activity',
    disposition_id: 'firewall',
  },
  '1.1.0': {
    ...COMMON_TARGETS,
    'cloud.account.uid': 'string',
    time_dt: 'timestamp-dt',
    action_id: 'firewall',
    'firewall_rule.uid': 'string',
  },
};

/** Loads the table of one OCSF version from `mappings/route53/`. */
export function loadTable(ocsfVersion: OcsfVersion): Route53Table {
  return loadPackageJson<Route53Table>(`mappings/route53/${ocsfVersion}.json`);
}

/** Compiles a table (throws {@link SourceError} when it does not fit the code). */
export function compileTables(t: Route53Table): CompiledTables {
  const where = `mappings/route53/${t.ocsfVersion}.json`;
  const targets = TARGETS[t.ocsfVersion];
  if (!targets) throw new SourceError(`${where}: unsupported OCSF version ${t.ocsfVersion}`);

  const raw: Record<string, RawRef> = {};
  const required = new Set<string>();
  const mappedTop = new Set<string>();
  const mappedPaths = new Set<string>();
  const answerKeys = new Set<string>();
  const nested = new Map<string, Set<string>>();
  let activityFromRcode = false;
  for (const row of t.fields) {
    const expected = targets[row.ocsf];
    if (expected === undefined) throw new SourceError(`${where}: the mapper has no target ${row.ocsf}`);
    if (expected !== row.convert) throw new SourceError(`${where}: ${row.ocsf} must use convert ${expected}, not ${row.convert}`);
    if (raw[row.ocsf] !== undefined) throw new SourceError(`${where}: ${row.ocsf} is mapped twice`);
    if (row.raw === null) throw new SourceError(`${where}: ${row.ocsf} has no raw path`);
    if (row.convert === 'activity') activityFromRcode = true;
    if (row.required) required.add(row.ocsf);
    const arr = row.raw.indexOf('[].');
    if (arr !== -1) {
      const parent = row.raw.slice(0, arr);
      if (parent !== raw.answers?.top) throw new SourceError(`${where}: ${row.raw} must follow the answers row`);
      const key = row.raw.slice(arr + 3);
      answerKeys.add(key);
      raw[row.ocsf] = { top: key };
      continue;
    }
    const dot = row.raw.indexOf('.');
    if (dot === -1) {
      raw[row.ocsf] = { top: row.raw };
      mappedTop.add(row.raw);
    } else {
      const top = row.raw.slice(0, dot);
      const sub = row.raw.slice(dot + 1);
      raw[row.ocsf] = { top, sub };
      mappedPaths.add(row.raw);
      let subs = nested.get(top);
      if (subs === undefined) nested.set(top, (subs = new Set()));
      subs.add(sub);
    }
  }
  for (const target of Object.keys(targets)) {
    if (raw[target] === undefined) throw new SourceError(`${where}: no row for ${target}`);
  }

  const activities = new Map<number, ActivityInfo>();
  for (const [id, name] of Object.entries(t.activities)) {
    if (id.startsWith('$')) continue;
    const n = Number(id);
    activities.set(n, {
      activity_id: n,
      activity_name: name,
      type_uid: t.class.class_uid * 100 + n,
      type_name: `${t.class.class_name}: ${name}`,
    });
  }
  const activity = (id: number | undefined, what: string): ActivityInfo => {
    const a = id === undefined ? undefined : activities.get(id);
    if (!a) throw new SourceError(`${where}: ${what} names activity ${id}, which is not in activities`);
    return a;
  };
  const constantActivity = activityFromRcode ? undefined : activity(t.activity?.activity_id, 'activity');

  if (t.rcodes.unknown.caption !== RAW_CAPTION) throw new SourceError(`${where}: rcodes.unknown.caption must be ${RAW_CAPTION} (the raw rcode is kept)`);
  const rcodes = new Map<string, RcodeInfo>();
  for (const e of t.rcodes.entries) {
    const info: RcodeInfo = {
      rcode_id: e.id,
      rcode: e.caption,
      activity: constantActivity ?? activity(e.activity_id, `rcode ${e.caption}`),
    };
    for (const spelling of [...e.raw, e.caption]) {
      const key = spelling.toUpperCase();
      const prev = rcodes.get(key);
      if (prev && prev.rcode_id !== e.id) throw new SourceError(`${where}: rcode ${spelling} maps to ${prev.rcode_id} and ${e.id}`);
      rcodes.set(key, info);
    }
  }

  const fw = (e: FirewallEntry): FirewallInfo => {
    if ((e.action_id === undefined) !== (t.ocsfVersion === '1.0.0-rc.2')) {
      throw new SourceError(`${where}: firewall entries need action_id/action exactly in 1.1.0 (${e.spec})`);
    }
    return {
      action_id: e.action_id ?? -1,
      action: e.action ?? '',
      disposition_id: e.disposition_id,
      disposition: e.disposition,
    };
  };
  if (t.firewall.absent.disposition === RAW_CAPTION || t.firewall.absent.action === RAW_CAPTION) {
    throw new SourceError(`${where}: firewall.absent has no raw value to use as a caption`);
  }
  const firewall = new Map<string, FirewallInfo>();
  for (const [k, e] of Object.entries(t.firewall.entries)) firewall.set(k.toUpperCase(), fw(e));

  const v2 = t.ocsfVersion !== '1.0.0-rc.2';
  let answerObservables: Map<string, ObservableInfo> | undefined;
  let fieldObservables: Map<string, ObservableInfo> | undefined;
  if (t.observables) {
    answerObservables = new Map();
    for (const [type, o] of Object.entries(t.observables.answerRdataByType)) {
      answerObservables.set(type, { name: 'answers[].rdata', type: o.type, type_id: o.type_id });
    }
    fieldObservables = new Map();
    for (const o of t.observables.fields) {
      if (raw[o.name] === undefined) throw new SourceError(`${where}: observable ${o.name} is not a mapped target`);
      fieldObservables.set(o.name, { name: o.name, type: o.type, type_id: o.type_id });
    }
  } else if (v2) throw new SourceError(`${where}: 1.1.0 needs observables`);

  const c = t.constants;
  const constant = <T>(key: string, type: 'string' | 'number' | 'object'): T => {
    const v = c[key];
    if (typeof v !== type) throw new SourceError(`${where}: constant ${key} must be a ${type}`);
    return v as T;
  };
  return {
    ocsfVersion: t.ocsfVersion,
    cls: t.class,
    severity_id: constant('severity_id', 'number'),
    severity: constant('severity', 'string'),
    metadataVersion: constant('metadata.version', 'string'),
    profiles: Object.freeze([...constant<string[]>('metadata.profiles', 'object')]),
    productName: constant('metadata.product.name', 'string'),
    vendorName: constant('metadata.product.vendor_name', 'string'),
    featureName: constant('metadata.product.feature.name', 'string'),
    provider: constant('cloud.provider', 'string'),
    direction_id: constant('connection_info.direction_id', 'number'),
    direction: constant('connection_info.direction', 'string'),
    raw,
    required,
    rcodes,
    rcodeUnknownId: t.rcodes.unknown.id,
    rcodeUnknownActivity: constantActivity ?? activity(t.rcodes.unknown.activity_id, 'rcodes.unknown'),
    rcodeAbsentActivity: constantActivity ?? activity(t.rcodes.absent.activity_id, 'rcodes.absent'),
    firewall,
    firewallUnknown: fw(t.firewall.unknown),
    firewallAbsent: fw(t.firewall.absent),
    dstFallbackSvcName: t.dstEndpointWithoutResolverEndpoint?.svc_name,
    answerObservables,
    fieldObservables,
    mappedTop,
    mappedPaths,
    nested,
    mappedTopWithNested: new Set([...mappedTop, ...nested.keys()]),
    answerKeys,
    attributes: Object.freeze([...t.attributes]),
  };
}
