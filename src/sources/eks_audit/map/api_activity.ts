/**
 * EKS audit event (Kubernetes `audit.k8s.io/v1` Event) → OCSF 1.1.0 API Activity (6003), Security Lake
 * source version 2.0 (mapping-spec §7, with the native output of §11.5 winning). The tables (verbs,
 * constants, observables, separators) come from `mappings/eks_audit/1.1.0.json` and are compiled once
 * in {@link createApiActivityMapper}; the per-record path is straight-line code over the raw object.
 *
 * `unmapped` (§1.5) is built in one pass over the record's keys: a raw field is left out only when its
 * value was actually mapped, so a field of an unexpected type is never lost.
 */
import { MapFailure } from '../../../core/outcome.js';
import type { FailureReason } from '../../../core/outcome.js';
import { SourceError } from '../../../core/source.js';
import type { Mapper } from '../../../core/source.js';
import { parseIsoMillis, toIsoUtc } from '../../../core/time.js';
import type { OcsfEvent, RecordContext, SourceVersion } from '../../../core/types.js';
import { isIp } from '../../../core/ip.js';
import { flattenInto } from '../../../core/unmapped.js';
import { isObject } from '../../../core/json-input.js';
import type { EksMappingFile } from '../table.js';

type Obj = Record<string, unknown>;

interface Activity {
  readonly id: number;
  readonly name: string;
  readonly typeUid: number;
  readonly typeName: string;
}

interface ObservableType {
  readonly name: string;
  readonly type: string;
  readonly type_id: number;
}

interface Observable {
  name: string;
  type: string;
  type_id: number;
  value: string;
}

interface Container {
  name: string;
  image?: { name: string; path?: string; uid: string };
}

/** `user.extra` keys mapped from their first element (§7). */
const EXTRA_ACCESS_KEY = 'accessKeyId';
const EXTRA_CANONICAL_ARN = 'canonicalArn';
const EXTRA_SESSION_NAME = 'sessionName';
const EXTRA_ARN = 'arn';
const MAPPED_EXTRA: ReadonlySet<string> = new Set([EXTRA_ACCESS_KEY, EXTRA_CANONICAL_ARN, EXTRA_SESSION_NAME, EXTRA_ARN]);

/** Observable names the mapper emits; each must be in the mapping file's `observables` table. */
const OBS_NAMES = [
  'actor.user.name',
  'src_endpoint.ip',
  'http_request.url.path',
  'src_endpoint.intermediate_ips[]',
  'resources[].uid',
  'api.request.containers[].image.uid',
  'api.response.containers[].image.uid',
] as const;

/** Builds the mapper for source version 2.0 from the compiled mapping table. */
export function createApiActivityMapper(version: SourceVersion, table: EksMappingFile): Mapper {
  const source = table.source;
  const ocsfVersion = table.ocsfVersion;
  const c = table.constants;
  const cls = table.class;

  // ── compile the tables ───────────────────────────────────────────────────
  const activityOf = (id: number): Activity => {
    const name = table.activities.captions[String(id)];
    if (name === undefined) throw new SourceError(`${source}: no caption for activity_id ${id} in mappings/eks_audit/${ocsfVersion}.json`);
    return Object.freeze({ id, name, typeUid: cls.class_uid * 100 + id, typeName: `${cls.class_name}: ${name}` });
  };
  const verbs = new Map<string, Activity>();
  for (const [verb, id] of Object.entries(table.activities.verbs)) verbs.set(verb, activityOf(id));
  const otherActivity = activityOf(table.activities.default);

  const obsByName = new Map(table.observables.map((o) => [o.name, Object.freeze({ name: o.name, type: o.type, type_id: o.type_id })]));
  const obsType = (name: (typeof OBS_NAMES)[number]): ObservableType => {
    const t = obsByName.get(name);
    if (!t) throw new SourceError(`${source}: observable ${name} missing from mappings/eks_audit/${ocsfVersion}.json`);
    return t;
  };
  const [OBS_USER, OBS_IP, OBS_PATH, OBS_INTERMEDIATE, OBS_RESOURCE_UID, OBS_REQ_IMAGE, OBS_RESP_IMAGE] = OBS_NAMES.map(obsType) as [
    ObservableType, ObservableType, ObservableType, ObservableType, ObservableType, ObservableType, ObservableType,
  ];

  const CLASS_UID = cls.class_uid;
  const CLASS_NAME = cls.class_name;
  const CATEGORY_UID = cls.category_uid;
  const CATEGORY_NAME = cls.category_name;
  const SEVERITY_ID = c.severity_id;
  const SEVERITY = c.severity;
  const METADATA_VERSION = c['metadata.version'];
  const PROFILES = c['metadata.profiles'];
  const PRODUCT_NAME = c['metadata.product.name'];
  const VENDOR_NAME = c['metadata.product.vendor_name'];
  const FEATURE_NAME = c['metadata.product.feature.name'];
  const PROVIDER = c['cloud.provider'];
  const USER_TYPE_ID = c['actor.user.type_id'];
  const IMAGE_UID_SEP = table.imageUid.separator;
  const IMAGE_UID_JOIN = table.imageUid.joiner;
  const MOUNT_JOIN = table.mountPathJoiner;
  const TYPE_SEP = table.resourceTypeSeparator;
  const KEEP_SOURCE_IPS = table.unmapped.alsoKept.includes('sourceIPs');

  function fail(reason: FailureReason, message: string, raw: unknown, context: RecordContext): MapFailure {
    return new MapFailure(reason, message, source, raw, context);
  }

  /** Epoch ms of a present timestamp field, or a failure. `undefined` when the field is absent. */
  function timeField(raw: Obj, key: string, context: RecordContext): number | MapFailure | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return fail('invalid-type', `${key} is ${typeName(v)}, expected an RFC 3339 string`, raw, context);
    const ms = parseIsoMillis(v);
    if (Number.isNaN(ms)) return fail('invalid-time', `${key} ${JSON.stringify(v)} is not an RFC 3339 timestamp`, raw, context);
    return ms;
  }

  /** A required non-empty string field, or a failure. */
  function requiredString(raw: Obj, path: string, v: unknown, context: RecordContext): string | MapFailure {
    if (typeof v === 'string' && v !== '') return v;
    if (v === undefined || v === null || v === '') return fail('missing-field', `${path} is missing`, raw, context);
    return fail('invalid-type', `${path} is ${typeName(v)}, expected a string`, raw, context);
  }

  function containersOf(obj: unknown): Container[] | undefined {
    if (!isObject(obj)) return undefined;
    const spec = obj.spec;
    if (!isObject(spec)) return undefined;
    const list = spec.containers;
    if (!Array.isArray(list)) return undefined;
    let out: Container[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const el = list[i];
      if (!isObject(el) || typeof el.name !== 'string') continue;
      const container: Container = { name: el.name };
      const image = el.image;
      if (typeof image === 'string') {
        let paths: string | undefined;
        let names: string | undefined;
        const mounts = el.volumeMounts;
        if (Array.isArray(mounts)) {
          for (let j = 0; j < mounts.length; j++) {
            const m = mounts[j];
            if (!isObject(m)) continue;
            if (typeof m.mountPath === 'string') paths = paths === undefined ? m.mountPath : paths + MOUNT_JOIN + m.mountPath;
            if (typeof m.name === 'string') names = names === undefined ? m.name : names + IMAGE_UID_JOIN + m.name;
          }
        }
        const img: Container['image'] = { name: image, uid: names === undefined ? image : image + IMAGE_UID_SEP + names };
        if (paths !== undefined) img.path = paths;
        container.image = img;
      }
      (out ??= []).push(container);
    }
    return out;
  }

  function map(raw: unknown, context: RecordContext): OcsfEvent | MapFailure {
    if (!isObject(raw)) return fail('not-an-object', `an EKS audit event must be a JSON object, got ${typeName(raw)}`, raw, context);

    // ── required attributes ──────────────────────────────────────────────
    const auditID = requiredString(raw, 'auditID', raw.auditID, context);
    if (auditID instanceof MapFailure) return auditID;
    const verb = requiredString(raw, 'verb', raw.verb, context);
    if (verb instanceof MapFailure) return verb;
    const user = raw.user;
    if (!isObject(user)) {
      return user === undefined || user === null
        ? fail('missing-field', 'user is missing', raw, context)
        : fail('invalid-type', `user is ${typeName(user)}, expected an object`, raw, context);
    }
    const username = typeof user.username === 'string' ? user.username : undefined;
    const userUid = typeof user.uid === 'string' ? user.uid : undefined;
    if (username === undefined && userUid === undefined) return fail('missing-field', 'user.username and user.uid are both missing', raw, context);
    const ips = raw.sourceIPs;
    if (!Array.isArray(ips) || ips.length === 0) {
      return ips === undefined || ips === null || Array.isArray(ips)
        ? fail('missing-field', 'sourceIPs is missing or empty', raw, context)
        : fail('invalid-type', `sourceIPs is ${typeName(ips)}, expected an array`, raw, context);
    }
    const ip = ips[0];
    if (typeof ip !== 'string') return fail('invalid-type', `sourceIPs[0] is ${typeName(ip)}, expected a string`, raw, context);
    // src_endpoint.ip is the endpoint's only identity: an address that does not parse fails the record.
    if (!isIp(ip)) return fail('invalid-ip', `sourceIPs[0] ${JSON.stringify(ip.slice(0, 100))} is not an IP address`, raw, context);

    let time = timeField(raw, 'stageTimestamp', context);
    if (time instanceof MapFailure) return time;
    const start = timeField(raw, 'requestReceivedTimestamp', context);
    if (start instanceof MapFailure) return start;
    time ??= start;
    if (time === undefined) return fail('missing-field', 'stageTimestamp and requestReceivedTimestamp are both missing', raw, context);

    // ── actor ────────────────────────────────────────────────────────────
    const u: Obj = {};
    if (username !== undefined) u.name = username;
    if (userUid !== undefined) u.uid = userUid;
    const groups = user.groups;
    if (Array.isArray(groups)) {
      let g: { name: string }[] | undefined;
      for (let i = 0; i < groups.length; i++) {
        const name = groups[i];
        if (typeof name === 'string') (g ??= []).push({ name });
      }
      if (g !== undefined) u.groups = g;
    }
    u.type_id = USER_TYPE_ID;
    const actor: Obj = { user: u };
    let arn: string | undefined;
    const extra = user.extra;
    if (isObject(extra)) {
      const accessKeyId = first(extra[EXTRA_ACCESS_KEY]);
      const issuer = first(extra[EXTRA_CANONICAL_ARN]);
      const sessionName = first(extra[EXTRA_SESSION_NAME]);
      arn = first(extra[EXTRA_ARN]);
      if (accessKeyId !== undefined || issuer !== undefined || sessionName !== undefined) {
        const session: Obj = {};
        if (accessKeyId !== undefined) session.credential_uid = accessKeyId;
        if (issuer !== undefined) session.issuer = issuer;
        if (sessionName !== undefined) session.uid = sessionName;
        actor.session = session;
      }
    }

    // ── api ──────────────────────────────────────────────────────────────
    const activity = verbs.get(verb) ?? otherActivity;
    const request: Obj = { uid: auditID };
    const reqContainers = containersOf(raw.requestObject);
    if (reqContainers !== undefined) request.containers = reqContainers;
    const api: Obj = { operation: verb };
    const ref = raw.objectRef;
    let resources: Obj[] | undefined;
    let resourceUid: string | undefined;
    if (isObject(ref)) {
      if (typeof ref.apiVersion === 'string') api.version = ref.apiVersion;
      if (typeof ref.apiGroup === 'string') api.group = { name: ref.apiGroup };
      const name = typeof ref.name === 'string' ? ref.name : undefined;
      resourceUid = typeof ref.uid === 'string' ? ref.uid : undefined;
      if (name !== undefined || resourceUid !== undefined) {
        const r: Obj = {};
        if (name !== undefined) r.name = name;
        if (resourceUid !== undefined) r.uid = resourceUid;
        if (typeof ref.namespace === 'string') r.namespace = ref.namespace;
        if (typeof ref.resourceVersion === 'string') r.version = ref.resourceVersion;
        if (typeof ref.resource === 'string') {
          r.type = typeof ref.subresource === 'string' ? ref.resource + TYPE_SEP + ref.subresource : ref.resource;
        }
        resources = [r];
      }
    }
    api.request = request;
    let response: Obj | undefined;
    const rs = raw.responseStatus;
    if (isObject(rs)) {
      if (Number.isInteger(rs.code)) (response ??= {}).code = rs.code;
      if (typeof rs.message === 'string') (response ??= {}).message = rs.message;
      if (typeof rs.reason === 'string') (response ??= {}).error = rs.reason;
      if (typeof rs.status === 'string') (response ??= {}).error_message = rs.status;
    }
    const respContainers = containersOf(raw.responseObject);
    if (respContainers !== undefined) (response ??= {}).containers = respContainers;
    if (response !== undefined) api.response = response;

    // ── endpoints, cloud ─────────────────────────────────────────────────
    // Intermediate addresses that do not parse stay out of ip fields; the whole list is then in unmapped (allIps).
    const src: Obj = { ip };
    let intermediate: string[] | undefined;
    for (let i = 1; i < ips.length; i++) {
      const v = ips[i];
      if (typeof v === 'string' && isIp(v)) (intermediate ??= []).push(v);
    }
    if (intermediate !== undefined) src.intermediate_ips = intermediate;
    const cloud: Obj = { provider: PROVIDER };
    if (context.region !== undefined) cloud.region = context.region;
    const account = arn ?? context.accountId;
    if (account !== undefined) cloud.account = { uid: account };

    const requestURI = typeof raw.requestURI === 'string' ? raw.requestURI : undefined;
    const userAgent = typeof raw.userAgent === 'string' ? raw.userAgent : undefined;

    // ── observables (§1.7) ───────────────────────────────────────────────
    const observables: Observable[] = [];
    if (username !== undefined) observables.push(observable(OBS_USER, username));
    observables.push(observable(OBS_IP, ip));
    if (requestURI !== undefined) observables.push(observable(OBS_PATH, requestURI));
    if (intermediate !== undefined) for (const v of intermediate) observables.push(observable(OBS_INTERMEDIATE, v));
    if (resourceUid !== undefined) observables.push(observable(OBS_RESOURCE_UID, resourceUid));
    if (reqContainers !== undefined) pushImageUids(observables, OBS_REQ_IMAGE, reqContainers);
    if (respContainers !== undefined) pushImageUids(observables, OBS_RESP_IMAGE, respContainers);

    // ── metadata ─────────────────────────────────────────────────────────
    const product: Obj = { name: PRODUCT_NAME, vendor_name: VENDOR_NAME, feature: { name: FEATURE_NAME } };
    if (typeof raw.apiVersion === 'string') product.version = raw.apiVersion;
    const metadata: OcsfEvent['metadata'] = { version: METADATA_VERSION, profiles: PROFILES.slice(), product };
    if (typeof raw.level === 'string') metadata.log_level = raw.level;

    const ev: OcsfEvent = {
      metadata,
      time,
      time_dt: toIsoUtc(time),
      class_uid: CLASS_UID,
      class_name: CLASS_NAME,
      category_uid: CATEGORY_UID,
      category_name: CATEGORY_NAME,
      activity_id: activity.id,
      activity_name: activity.name,
      type_uid: activity.typeUid,
      type_name: activity.typeName,
      severity_id: SEVERITY_ID,
      severity: SEVERITY,
      api,
      actor,
      src_endpoint: src,
      cloud,
      observables,
    };
    if (start !== undefined) ev.start_time_dt = toIsoUtc(start);
    if (typeof raw.stage === 'string') ev.message = raw.stage;
    if (requestURI !== undefined || userAgent !== undefined) {
      const http: Obj = {};
      if (requestURI !== undefined) http.url = { path: requestURI };
      if (userAgent !== undefined) http.user_agent = userAgent;
      ev.http_request = http;
    }
    if (resources !== undefined) ev.resources = resources;
    const unmapped = collect(raw);
    if (unmapped !== undefined) ev.unmapped = unmapped;
    return ev;
  }

  /** Everything the mapping did not consume, flattened (§1.5). Mirrors the consumption rules of `map`. */
  function collect(raw: Obj): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    for (const k in raw) {
      const v = raw[k];
      if (v === null || v === undefined) continue;
      switch (k) {
        case 'level':
        case 'apiVersion':
        case 'auditID':
        case 'stage':
        case 'requestURI':
        case 'verb':
        case 'userAgent':
        case 'requestReceivedTimestamp':
        case 'stageTimestamp':
          if (typeof v !== 'string') flattenInto(out, k, v);
          break;
        case 'sourceIPs':
          if (KEEP_SOURCE_IPS || !allIps(v)) flattenInto(out, k, v);
          break;
        case 'user':
          collectUser(out, v);
          break;
        case 'objectRef':
          collectObjectRef(out, v);
          break;
        case 'responseStatus':
          collectResponseStatus(out, v);
          break;
        case 'requestObject':
        case 'responseObject':
          collectObject(out, k, v);
          break;
        default:
          flattenInto(out, k, v);
      }
    }
    for (const _ in out) return out;
    return undefined;
  }

  return { source, version, ocsfVersion, map };
}

function collectUser(out: Record<string, string>, user: unknown): void {
  if (!isObject(user)) return flattenInto(out, 'user', user);
  for (const k in user) {
    const v = user[k];
    switch (k) {
      case 'username':
      case 'uid':
        if (typeof v !== 'string') flattenInto(out, 'user.' + k, v);
        break;
      case 'groups':
        if (!allStrings(v)) flattenInto(out, 'user.groups', v);
        break;
      case 'extra':
        if (!isObject(v)) flattenInto(out, 'user.extra', v);
        else {
          for (const ek in v) {
            const ev = v[ek];
            // Mapped from [0]; the array is kept whole only when it has other elements too.
            if (MAPPED_EXTRA.has(ek) && Array.isArray(ev) && ev.length === 1 && typeof ev[0] === 'string') continue;
            flattenInto(out, 'user.extra.' + ek, ev);
          }
        }
        break;
      default:
        flattenInto(out, 'user.' + k, v);
    }
  }
}

function collectObjectRef(out: Record<string, string>, ref: unknown): void {
  if (!isObject(ref)) return flattenInto(out, 'objectRef', ref);
  const asResource = typeof ref.name === 'string' || typeof ref.uid === 'string';
  const hasResource = typeof ref.resource === 'string';
  for (const k in ref) {
    const v = ref[k];
    switch (k) {
      case 'apiVersion':
      case 'apiGroup':
        if (typeof v !== 'string') flattenInto(out, 'objectRef.' + k, v);
        break;
      case 'subresource':
        if (!asResource || !hasResource || typeof v !== 'string') flattenInto(out, 'objectRef.' + k, v);
        break;
      case 'resource':
      case 'namespace':
      case 'name':
      case 'uid':
      case 'resourceVersion':
        if (!asResource || typeof v !== 'string') flattenInto(out, 'objectRef.' + k, v);
        break;
      default:
        flattenInto(out, 'objectRef.' + k, v);
    }
  }
}

function collectResponseStatus(out: Record<string, string>, rs: unknown): void {
  if (!isObject(rs)) return flattenInto(out, 'responseStatus', rs);
  for (const k in rs) {
    const v = rs[k];
    switch (k) {
      case 'code':
        if (!Number.isInteger(v)) flattenInto(out, 'responseStatus.code', v);
        break;
      case 'message':
      case 'reason':
      case 'status':
        if (typeof v !== 'string') flattenInto(out, 'responseStatus.' + k, v);
        break;
      default:
        flattenInto(out, 'responseStatus.' + k, v);
    }
  }
}

/** requestObject / responseObject: flattened, minus the `spec.containers[]` leaves mapped to containers. */
function collectObject(out: Record<string, string>, prefix: string, obj: unknown): void {
  if (!isObject(obj) || !isObject(obj.spec) || !Array.isArray(obj.spec.containers)) return flattenInto(out, prefix, obj);
  for (const k in obj) {
    const v = obj[k];
    if (k !== 'spec') {
      flattenInto(out, prefix + '.' + k, v);
      continue;
    }
    const spec = v as Obj;
    for (const sk in spec) {
      const sv = spec[sk];
      if (sk !== 'containers') {
        flattenInto(out, prefix + '.spec.' + sk, sv);
        continue;
      }
      const list = sv as unknown[];
      const cp = prefix + '.spec.containers[]';
      for (let i = 0; i < list.length; i++) collectContainer(out, cp, list[i]);
    }
  }
}

function collectContainer(out: Record<string, string>, prefix: string, el: unknown): void {
  // Containers without a string name are not mapped (OCSF container needs a name or uid): keep them whole.
  if (!isObject(el) || typeof el.name !== 'string') return flattenInto(out, prefix, el);
  const imageMapped = typeof el.image === 'string';
  for (const k in el) {
    const v = el[k];
    if (k === 'name') continue;
    if (k === 'image' && imageMapped) continue;
    if (k === 'volumeMounts' && imageMapped && Array.isArray(v)) {
      const mp = prefix + '.volumeMounts[]';
      for (let j = 0; j < v.length; j++) {
        const m = v[j];
        if (!isObject(m)) {
          flattenInto(out, mp, m);
          continue;
        }
        for (const mk in m) {
          const mv = m[mk];
          if ((mk === 'mountPath' || mk === 'name') && typeof mv === 'string') continue;
          flattenInto(out, mp + '.' + mk, mv);
        }
      }
      continue;
    }
    flattenInto(out, prefix + '.' + k, v);
  }
}

function pushImageUids(out: Observable[], t: ObservableType, containers: Container[]): void {
  for (let i = 0; i < containers.length; i++) {
    const img = containers[i]!.image;
    if (img !== undefined) out.push(observable(t, img.uid));
  }
}

function observable(t: ObservableType, value: string): Observable {
  return { name: t.name, type: t.type, type_id: t.type_id, value };
}

/** First element of a `user.extra` value when it is a string (`extra` values are arrays of strings). */
function first(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const s = v[0];
  return typeof s === 'string' ? s : undefined;
}

function allStrings(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/** True for an array of parseable IP addresses (what `src_endpoint` can hold whole). */
function allIps(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string' || !isIp(v[i] as string)) return false;
  return true;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
