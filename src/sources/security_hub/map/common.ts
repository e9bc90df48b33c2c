/**
 * Pieces shared by the v1 (rc.2 Security Finding) and v2 (1.1.0 Vulnerability / Compliance /
 * Detection Finding) mappers: required-field checks, ProductArn parsing, severity, workflow state,
 * activity, and the product/cloud fallbacks (mapping-spec §6.2–§6.5, deviations in the tables).
 */
import { MapFailure } from '../../../core/outcome.js';
import type { RecordContext } from '../../../core/types.js';
import { childPath, flattenInto, flattenKeyed } from '../../../core/unmapped.js';
import { SOURCE_NAME } from '../decode.js';
import type { ClassPlan, CompiledEnum, MappingTable } from '../tables.js';
import { float, int, isObj, ms, str, walkConsumed, walkUnmapped } from '../values.js';
import type { Obj } from '../values.js';

/** The fields every finding must have, already checked and parsed. */
export interface Core {
  raw: Obj;
  id: string;
  title: string;
  createdMs: number;
  updatedMs: number;
  productFields: Obj | undefined;
  productArn: string | undefined;
  arn: ProductArnParts | undefined;
}

/** Checks `Id`, `Title`, `CreatedAt`, `UpdatedAt` (required by both versions' mappings). */
export function readCore(raw: unknown, context: RecordContext): Core | MapFailure {
  if (!isObj(raw)) return new MapFailure('not-an-object', `an ASFF finding must be a JSON object, got ${kind(raw)}`, SOURCE_NAME, raw, context);
  const id = raw.Id;
  if (typeof id !== 'string' || id === '') return missing(raw, context, 'Id', id);
  const title = str(raw.Title);
  if (title === undefined) return missing(raw, context, 'Title', raw.Title);
  const created = timeField(raw, context, 'CreatedAt');
  if (created instanceof MapFailure) return created;
  const updated = timeField(raw, context, 'UpdatedAt');
  if (updated instanceof MapFailure) return updated;
  const productArn = str(raw.ProductArn);
  return {
    raw,
    id,
    title,
    createdMs: created,
    updatedMs: updated,
    productFields: isObj(raw.ProductFields) ? raw.ProductFields : undefined,
    productArn,
    arn: productArn === undefined ? undefined : parseProductArn(productArn),
  };
}

function timeField(raw: Obj, context: RecordContext, name: string): number | MapFailure {
  const v = raw[name];
  if (v === undefined || v === null || v === '') return missing(raw, context, name, v);
  const t = ms(v);
  if (t === undefined) return new MapFailure('invalid-time', `${name} is not an ISO 8601 timestamp: ${JSON.stringify(v)}`, SOURCE_NAME, raw, context);
  return t;
}

function missing(raw: Obj, context: RecordContext, name: string, v: unknown): MapFailure {
  if (v === undefined || v === null || v === '') {
    return new MapFailure('missing-field', `ASFF finding has no ${name}`, SOURCE_NAME, raw, context);
  }
  return new MapFailure('invalid-type', `ASFF ${name} must be a string, got ${kind(v)}`, SOURCE_NAME, raw, context);
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

export interface ProductArnParts {
  region: string | undefined;
  /** `aws`, `prowler`, ... */
  company: string;
  /** `aws/securityhub`, `prowler/prowler`: the key of the routing table. */
  productKey: string;
}

/**
 * `arn:aws:securityhub:us-east-1::product/aws/guardduty` → region `us-east-1`, company `aws`,
 * product key `aws/guardduty`. Tolerates the docs' `arn:aws::securityhub:…` form.
 */
export function parseProductArn(arn: string): ProductArnParts | undefined {
  const p = arn.indexOf(':product/');
  if (p < 0) return undefined;
  const rest = arn.slice(p + 9);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const end = rest.indexOf('/', slash + 1);
  const productKey = end < 0 ? rest : rest.slice(0, end);
  let region: string | undefined;
  const s = arn.indexOf(':securityhub:');
  if (s >= 0 && s < p) {
    const r = arn.slice(s + 13, arn.indexOf(':', s + 13));
    if (r !== '') region = r;
  }
  return { region, company: rest.slice(0, slash), productKey };
}

type IdCaption = readonly [number, string];

/** `Severity.Label` → [severity_id, caption]; Normalized bands when Label is absent (tables' deviations). */
export function severityOf(sev: unknown, e: CompiledEnum): IdCaption {
  if (!isObj(sev)) return e.missing ?? [0, 'Unknown'];
  let label = str(sev.Label);
  if (label === undefined && e.bands) {
    const n = float(sev.Normalized);
    if (n !== undefined) for (const [lo, hi, l] of e.bands) if (n >= lo && n <= hi) label = l;
  }
  if (label === undefined) return e.missing ?? [0, 'Unknown'];
  return e.map.get(label) ?? e.map.get(label.toUpperCase()) ?? [e.other, label];
}

/** Workflow state: `RecordState` ARCHIVED wins (§11.4), else `Workflow.Status`; undefined when absent at v2. */
export function workflowOf(raw: Obj, e: CompiledEnum): IdCaption | undefined {
  if (raw.RecordState === 'ARCHIVED' && e.archived) return e.archived;
  const wf = raw.Workflow;
  const status = isObj(wf) ? str(wf.Status) : undefined;
  if (status === undefined) return e.missing ?? undefined;
  return e.map.get(status) ?? [e.other, status];
}

/** Product and cloud identity with the fallbacks listed in the tables' deviations. */
export interface Identity {
  vendorName: string;
  productName: string | undefined;
  region: string | undefined;
  accountUid: string | undefined;
}

export function identityOf(core: Core, context: RecordContext): Identity | MapFailure {
  const r = core.raw;
  const pf = core.productFields;
  const vendorName = str(r.CompanyName) ?? (pf && str(pf['aws/securityhub/CompanyName'])) ?? core.arn?.company;
  if (vendorName === undefined) {
    return new MapFailure('missing-field', 'ASFF finding has neither CompanyName nor a product ARN (metadata.product.vendor_name is required)', SOURCE_NAME, r, context);
  }
  return {
    vendorName,
    productName: str(r.ProductName) ?? (pf && str(pf['aws/securityhub/ProductName'])),
    region: nonEmpty(str(r.Region)) ?? core.arn?.region ?? context.region,
    accountUid: nonEmpty(str(r.AwsAccountId)) ?? context.accountId,
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === '' ? undefined : s;
}

/** {@link readCore} then {@link identityOf}: what both mappers start from. */
export function readFinding(raw: unknown, context: RecordContext): { core: Core; id: Identity } | MapFailure {
  const core = readCore(raw, context);
  if (core instanceof MapFailure) return core;
  const id = identityOf(core, context);
  return id instanceof MapFailure ? id : { core, id };
}

/** Activity id from CreatedAt/UpdatedAt (§6.2). */
export function activityOf(core: Core, table: MappingTable): number {
  return core.createdMs === core.updatedMs ? table.activity.same : table.activity.different;
}

/** An optional timestamp in epoch ms; an unparseable value goes back to unmapped. */
export function optMs(un: Record<string, string>, path: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const t = ms(v);
  if (t === undefined) flattenInto(un, path, v);
  return t;
}

/** Joins the string `key` of every element of `arr` with `"; "` (single-string targets). */
export function joinField(arr: unknown, key: string): string | undefined {
  if (!Array.isArray(arr)) return undefined;
  let out: string | undefined;
  for (let i = 0; i < arr.length; i++) {
    const e = arr[i];
    const s = isObj(e) ? str(e[key]) : undefined;
    if (s !== undefined) out = out === undefined ? s : out + '; ' + s;
  }
  return out;
}

/**
 * The unmapped walk of a whole finding: every top-level field through the class plan's skip set,
 * `ProductFields` key by key unless the caller already walked it (v2, which consumes some keys), and,
 * for classes with a singular `resource`, `Resources[1..]` in full.
 */
export function collectRest(un: Record<string, string>, core: Core, plan: ClassPlan, productFieldsDone: boolean): void {
  const r = core.raw;
  for (const k in r) {
    const v = r[k];
    if (v === null || v === undefined) continue;
    if (k === 'ProductFields' && isObj(v)) {
      if (!productFieldsDone) for (const pk in v) flattenKeyed(un, childPath('ProductFields', pk), v[pk], false);
    } else if (k === 'Resources' && plan.resources === 'first' && Array.isArray(v)) {
      if (v.length > 0) walkUnmapped(un, 'Resources[]', v[0], plan.skip, plan.partial, true);
      for (let i = 1; i < v.length; i++) flattenKeyed(un, 'Resources[]', v[i], true);
    } else walkUnmapped(un, k, v, plan.skip, plan.partial);
  }
}

/** `un` if it has a key, else undefined (so an empty unmapped is omitted). */
export function nonEmptyMap(un: Record<string, string>): Record<string, string> | undefined {
  for (const _ in un) return un;
  return undefined;
}

/**
 * Maps each element of an ASFF array with `fn(element, un, arg)`; an element `fn` cannot map
 * (undefined) has its consumed leaves put back in unmapped under `path` (`Malware[]`, ...). `fn` is a
 * function made once per mapper, never per record; per-record values travel in `arg`.
 */
export function mapElements<A>(
  list: unknown,
  un: Record<string, string>,
  path: string,
  plan: Pick<ClassPlan, 'skip' | 'partial'>,
  fn: (e: Obj, un: Record<string, string>, arg: A) => Obj | undefined,
  arg: A,
): Obj[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const out: Obj[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    const m = isObj(e) ? fn(e, un, arg) : undefined;
    if (m === undefined) walkConsumed(un, path, e, plan.skip, plan.partial);
    else out.push(m);
  }
  return out.length > 0 ? out : undefined;
}

/** `RelatedFindings[]` → `related_events[]` (both versions); elements without Id go back to unmapped. */
export function relatedEvents(list: unknown, un: Record<string, string>, plan: Pick<ClassPlan, 'skip' | 'partial'>): Obj[] | undefined {
  return mapElements(list, un, 'RelatedFindings[]', plan, relatedEvent, undefined);
}

function relatedEvent(e: Obj): Obj | undefined {
  const uid = str(e.Id);
  if (uid === undefined) return undefined;
  const ev: Obj = {};
  const product = str(e.ProductArn);
  if (product !== undefined) ev.product_uid = product;
  ev.uid = uid;
  return ev;
}

/**
 * `Vulnerabilities[].VulnerablePackages[]` element → package (rc.2 `packages[]`) or affected_package
 * (1.1.0 `affected_packages[]`, with the fix, manager, path and remediation fields). Name and version
 * are required in both; an unparseable Epoch stays in unmapped.
 */
export function packageOf(p: Obj, un: Record<string, string>, affected: boolean): Obj | undefined {
  const name = str(p.Name);
  const version = str(p.Version);
  if (name === undefined || version === undefined) return undefined;
  const pkg: Obj = {};
  const arch = str(p.Architecture);
  if (arch !== undefined) pkg.architecture = arch;
  if (p.Epoch !== undefined && p.Epoch !== null) {
    const epoch = int(p.Epoch);
    if (epoch !== undefined) pkg.epoch = epoch;
    else flattenInto(un, 'Vulnerabilities[].VulnerablePackages[].Epoch', p.Epoch);
  }
  if (affected) {
    const fixed = str(p.FixedInVersion);
    if (fixed !== undefined) pkg.fixed_in_version = fixed;
  }
  pkg.name = name;
  if (affected) {
    const manager = str(p.PackageManager);
    if (manager !== undefined) pkg.package_manager = manager;
    const path = str(p.FilePath);
    if (path !== undefined) pkg.path = path;
  }
  const release = str(p.Release);
  if (release !== undefined) pkg.release = release;
  if (affected) {
    const rem = str(p.Remediation);
    if (rem !== undefined) pkg.remediation = { desc: rem };
  }
  pkg.version = version;
  return pkg;
}

/** One `Cvss[]` entry → OCSF cvss (`base_score` and `version` are required in both versions). */
export function cvssOf(c: Obj): Obj | undefined {
  const score = float(c.BaseScore);
  const version = str(c.Version);
  if (score === undefined || version === undefined) return undefined;
  const out: Obj = { base_score: score };
  const vector = str(c.BaseVector);
  if (vector !== undefined) out.vector_string = vector;
  out.version = version;
  return out;
}
