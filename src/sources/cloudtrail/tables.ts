/**
 * The CloudTrail mapping tables (`mappings/cloudtrail/*.json`) and their compiled form. Everything a
 * mapper looks up per record is built here once per mapper: class constants with precomputed
 * `type_name`s, eventName → class and eventName → activity lookups (memoised), the consumed raw paths
 * of each class for `unmapped`, and the observable list. The per-record code in `map/` only reads
 * these plain structures.
 */
import { loadPackageJson } from '../../core/package-data.js';
import { SourceError } from '../../core/source.js';
import type { OcsfVersion, SourceOptions } from '../../core/types.js';
import { UnmappedFlattener } from '../../core/unmapped.js';

// ── JSON shapes ──────────────────────────────────────────────────────────────────────────────────

export type ClassKey = 'api_activity' | 'account_change' | 'authentication';
export const CLASS_KEYS: readonly ClassKey[] = ['api_activity', 'account_change', 'authentication'];

interface ClassJson {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activities: Record<string, string>;
}

export interface FieldRow {
  from: string | string[];
  to: string | string[];
  classes?: ClassKey[];
  transform?: string;
  when?: string;
  spec: string;
}

export interface ObservableJson {
  name: string;
  type_id: number;
  type: string;
  when?: string;
}

export interface VersionTablesJson {
  sourceVersion: string;
  ocsfVersion: OcsfVersion;
  profiles: string[];
  constants: Record<string, string | number>;
  classes: Record<ClassKey, ClassJson>;
  status: { captions: Record<string, string>; authentication: { unknown_status_id: number } };
  fields: { rows: FieldRow[] };
  observables: ObservableJson[];
  attributes: string[];
  decisions: { id: string }[];
  deviations: { id: string }[];
}

export interface RoutingJson {
  sources: { management: string; data: Record<string, string> };
  event_category: { management: string[]; data: string[] };
  legacy_data_event_names: Record<string, string[] | string>;
  class_by_event_name: { authentication: string[]; account_change: string[] };
  activity_rules: {
    api_activity: { groups: { activity_id: number; keywords: string[] }[]; default: number };
    account_change: { rules: { activity_id: number; contains?: string[]; equals?: string[] }[]; default: number };
    authentication: { logon: string[]; logon_activity_id: number; default: number };
  };
}

const FILES: Record<string, string> = {
  '1.0': 'mappings/cloudtrail/1.0.0-rc.2.json',
  '2.0': 'mappings/cloudtrail/1.1.0.json',
};

/** Source versions the CloudTrail family supports. */
export const CLOUDTRAIL_VERSIONS = Object.keys(FILES);

const versionCache = new Map<string, VersionTablesJson>();
let routingCache: RoutingJson | undefined;

export function loadVersionTables(version: string): VersionTablesJson {
  let t = versionCache.get(version);
  if (!t) {
    const file = FILES[version];
    if (!file) throw new SourceError(`CloudTrail has no source version ${version} (supported: ${CLOUDTRAIL_VERSIONS.join(', ')})`);
    t = loadPackageJson<VersionTablesJson>(file);
    versionCache.set(version, t);
  }
  return t;
}

export function loadRouting(): RoutingJson {
  return (routingCache ??= loadPackageJson<RoutingJson>('mappings/cloudtrail/routing.json'));
}

// ── compiled form ────────────────────────────────────────────────────────────────────────────────

/** Class constants plus the caption and `type_name` of every activity id. */
export interface CompiledClass {
  readonly key: ClassKey;
  readonly class_uid: number;
  readonly class_name: string;
  readonly category_uid: number;
  readonly category_name: string;
  /** activity_id → activity_name. */
  readonly activityName: ReadonlyMap<number, string>;
  /** activity_id → `"<class_name>: <activity_name>"`. */
  readonly typeName: ReadonlyMap<number, string>;
  /** Top-level raw keys consumed whole (never in unmapped). */
  readonly consumedTop: ReadonlySet<string>;
  /** Dotted raw paths consumed below partially mapped objects. */
  readonly consumedPaths: ReadonlySet<string>;
  /** Builds `unmapped` from everything not consumed (compiled from the two sets above). */
  readonly flattener: UnmappedFlattener;
}

export interface CompiledTables {
  readonly version: string;
  readonly ocsfVersion: OcsfVersion;
  readonly profiles: readonly string[];
  readonly productName: string;
  readonly vendorName: string;
  readonly provider: string;
  readonly severityId: number;
  readonly severity: string;
  readonly featureDefault: string;
  readonly api: CompiledClass;
  readonly account: CompiledClass;
  readonly auth: CompiledClass;
  /** status_id → caption. */
  readonly statusCaption: readonly string[];
  readonly authUnknownStatusId: number;
  /** Authentication / Account Change membership of management eventNames. */
  readonly classOf: ReadonlyMap<string, ClassKey>;
  readonly activities: ActivityRules;
  readonly observables: readonly ObservableJson[];
}

/** Options a user can pass (`--source` options / API) to override the class routing lists (§3.1). */
export interface CloudTrailOptions {
  cloudtrailClassRouting?: { authentication?: string[]; account_change?: string[] };
}

export function compileTables(version: string, options: SourceOptions = {}): CompiledTables {
  const v = loadVersionTables(version);
  const routing = loadRouting();
  const c = v.constants;
  const override = (options as CloudTrailOptions).cloudtrailClassRouting;
  const classOf = new Map<string, ClassKey>();
  // Authentication wins over Account Change (§3.1 order): insert it last.
  for (const n of override?.account_change ?? routing.class_by_event_name.account_change) classOf.set(n, 'account_change');
  for (const n of override?.authentication ?? routing.class_by_event_name.authentication) classOf.set(n, 'authentication');
  const statusCaption: string[] = [];
  for (const [id, cap] of Object.entries(v.status.captions)) statusCaption[Number(id)] = cap;
  return {
    version,
    ocsfVersion: v.ocsfVersion,
    profiles: [...v.profiles], // not frozen: slice() of a frozen array takes V8's slow path
    productName: String(c['metadata.product.name']),
    vendorName: String(c['metadata.product.vendor_name']),
    provider: String(c['cloud.provider']),
    severityId: Number(c['severity_id']),
    severity: String(c['severity']),
    featureDefault: String(c['metadata.product.feature.name.default']),
    api: compileClass(v, 'api_activity'),
    account: compileClass(v, 'account_change'),
    auth: compileClass(v, 'authentication'),
    statusCaption,
    authUnknownStatusId: v.status.authentication.unknown_status_id,
    classOf,
    activities: new ActivityRules(routing),
    observables: v.observables,
  };
}

function compileClass(v: VersionTablesJson, key: ClassKey): CompiledClass {
  const cj = v.classes[key];
  const activityName = new Map<number, string>();
  const typeName = new Map<number, string>();
  for (const [id, name] of Object.entries(cj.activities)) {
    activityName.set(Number(id), name);
    typeName.set(Number(id), `${cj.class_name}: ${name}`);
  }
  const { top, paths } = consumedRawPaths(v.fields.rows, key);
  return {
    key,
    class_uid: cj.class_uid,
    class_name: cj.class_name,
    category_uid: cj.category_uid,
    category_name: cj.category_name,
    activityName,
    typeName,
    consumedTop: top,
    consumedPaths: paths,
    flattener: new UnmappedFlattener(top, paths),
  };
}

/**
 * The raw fields a class consumes (§1.5): every `from` path of every row that applies to the class.
 * A path without a dot, or one through an array (`resources[].ARN`), consumes its top-level key whole;
 * a dotted path consumes only that leaf. A top-level key consumed whole drops its dotted paths.
 */
export function consumedRawPaths(rows: readonly FieldRow[], key: ClassKey): { top: Set<string>; paths: Set<string> } {
  const top = new Set<string>();
  const paths = new Set<string>();
  for (const row of rows) {
    if (row.classes && !row.classes.includes(key)) continue;
    for (const from of Array.isArray(row.from) ? row.from : [row.from]) {
      const arr = from.indexOf('[]');
      if (arr !== -1) top.add(from.slice(0, arr));
      else if (!from.includes('.')) top.add(from);
      else paths.add(from);
    }
  }
  for (const p of [...paths]) if (top.has(p.slice(0, p.indexOf('.')))) paths.delete(p);
  return { top, paths };
}

/**
 * eventName → activity_id for the three classes (routing.json `activity_rules`), memoised per
 * eventName. The memo is bounded so that a stream of unique garbage names cannot grow it forever.
 */
export class ActivityRules {
  private readonly apiGroups: readonly { id: number; keywords: readonly string[] }[];
  private readonly apiDefault: number;
  private readonly accountRules: readonly { id: number; contains: readonly string[]; equals: ReadonlySet<string> }[];
  private readonly accountDefault: number;
  private readonly logon: ReadonlySet<string>;
  private readonly logonId: number;
  private readonly authDefault: number;
  private readonly apiMemo = new Map<string, number>();
  private readonly accountMemo = new Map<string, number>();
  private static readonly MEMO_MAX = 50_000;

  constructor(routing: RoutingJson) {
    const r = routing.activity_rules;
    this.apiGroups = r.api_activity.groups.map((g) => ({ id: g.activity_id, keywords: g.keywords }));
    this.apiDefault = r.api_activity.default;
    this.accountRules = r.account_change.rules.map((x) => ({ id: x.activity_id, contains: x.contains ?? [], equals: new Set(x.equals ?? []) }));
    this.accountDefault = r.account_change.default;
    this.logon = new Set(r.authentication.logon);
    this.logonId = r.authentication.logon_activity_id;
    this.authDefault = r.authentication.default;
  }

  /** §3.2 API Activity: keyword groups by prefix first, then by substring; else the default (99). */
  api(eventName: string): number {
    const hit = this.apiMemo.get(eventName);
    if (hit !== undefined) return hit;
    const id = this.computeApi(eventName);
    if (this.apiMemo.size < ActivityRules.MEMO_MAX) this.apiMemo.set(eventName, id);
    return id;
  }

  private computeApi(name: string): number {
    for (const g of this.apiGroups) for (const k of g.keywords) if (name.startsWith(k)) return g.id;
    for (const g of this.apiGroups) for (const k of g.keywords) if (name.includes(k)) return g.id;
    return this.apiDefault;
  }

  /** §3.2 Account Change: ordered rules, first match wins. */
  account(eventName: string): number {
    const hit = this.accountMemo.get(eventName);
    if (hit !== undefined) return hit;
    let id = this.accountDefault;
    for (const rule of this.accountRules) {
      if (rule.equals.has(eventName) || rule.contains.some((k) => eventName.includes(k))) {
        id = rule.id;
        break;
      }
    }
    if (this.accountMemo.size < ActivityRules.MEMO_MAX) this.accountMemo.set(eventName, id);
    return id;
  }

  /** §3.2 Authentication: sign-ins and AssumeRole* are Logon, the rest Other. */
  auth(eventName: string): number {
    return this.logon.has(eventName) ? this.logonId : this.authDefault;
  }
}
