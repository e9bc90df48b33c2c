/**
 * Route 53 Resolver query log record → OCSF DNS Activity (4003), for source version 1.0 (OCSF
 * 1.0.0-rc.2) and 2.0 (OCSF 1.1.0). Which raw field feeds which attribute, the enums and the
 * constants come from the compiled tables (`mappings/route53/*.json`, see `../compile.ts`); this file
 * validates the record and builds the event literal. Rules: mapping-spec §5, §8.10, §11.1.
 */
import { isObject } from '../../../core/json-input.js';
import { MapFailure } from '../../../core/outcome.js';
import type { FailureReason } from '../../../core/outcome.js';
import type { Mapper } from '../../../core/source.js';
import { isRealIsoDate, parseIsoMillis, parseIsoUtcFast, toIsoUtc } from '../../../core/time.js';
import type { OcsfEvent, RecordContext, SourceVersion } from '../../../core/types.js';
import { isIp } from '../../../core/ip.js';
import { collectUnmapped, flattenInto } from '../../../core/unmapped.js';
import { RAW_CAPTION } from '../compile.js';
import type { ActivityInfo, CompiledTables, FirewallInfo, ObservableInfo, RawRef, RcodeInfo } from '../compile.js';

export const ROUTE53 = 'ROUTE53';

/** RFC 3339 with a zone; Date.parse alone would read a zone-less time in the machine's local zone. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A present value of the wrong type. */
const BAD: unique symbol = Symbol('wrong type');
type Str = string | undefined | typeof BAD;

interface Answer {
  type?: string;
  rdata: string;
  class?: string;
}

interface Observable {
  name: string;
  type: string;
  type_id: number;
  value: string;
}

/** Observable sources the code can fill, by OCSF path (the table picks which ones and in what order). */
const OBSERVABLE_SLOTS: Readonly<Record<string, number>> = {
  'dst_endpoint.instance_uid': 0,
  'src_endpoint.instance_uid': 1,
  'src_endpoint.ip': 2,
  'query.hostname': 3,
  'dst_endpoint.interface_uid': 4,
  'src_endpoint.vpc_uid': 5,
};

/** Reads a raw value: a top-level key or a key of a top-level object. BAD when the parent is not an object. */
function get(rec: Record<string, unknown>, ref: RawRef): unknown {
  const v = rec[ref.top];
  if (ref.sub === undefined) return v;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return BAD;
  return v[ref.sub];
}

function str(v: unknown): Str {
  return typeof v === 'string' ? v : v === undefined || v === null ? undefined : BAD;
}

/** Port from a decimal string or an integer; -1 when it is not an integer 0–65535. */
function toPort(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 65535 ? v : -1;
  if (typeof v !== 'string' || v.length === 0 || v.length > 5) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n <= 65535 ? n : -1;
}

function rawName(ref: RawRef): string {
  return ref.sub === undefined ? ref.top : `${ref.top}.${ref.sub}`;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

function fail(reason: FailureReason, message: string, raw: unknown, context: RecordContext): MapFailure {
  return new MapFailure(reason, message, ROUTE53, raw, context);
}

function wrongType(ref: RawRef, raw: Record<string, unknown>, context: RecordContext): MapFailure {
  const parent = raw[ref.top];
  const message =
    ref.sub !== undefined && !isObject(parent)
      ? `${ref.top} must be an object, got ${kindOf(parent)}`
      : `${rawName(ref)} must be a string, got ${kindOf(ref.sub === undefined ? parent : (parent as Record<string, unknown>)[ref.sub])}`;
  return fail('invalid-type', message, raw, context);
}

/** Builds the DNS Activity mapper of one source version from its compiled tables. */
export function createDnsActivityMapper(version: SourceVersion, t: CompiledTables): Mapper {
  const v2 = t.ocsfVersion !== '1.0.0-rc.2';
  const R = t.raw;
  const rVersion = R['metadata.product.version']!;
  const rAccount = R[v2 ? 'cloud.account.uid' : 'cloud.account_uid']!;
  const rRegion = R['cloud.region']!;
  const rVpc = R['src_endpoint.vpc_uid']!;
  const rTime = R.time!;
  const rHost = R['query.hostname']!;
  const rQType = R['query.type']!;
  const rQClass = R['query.class']!;
  const rRcode = R.rcode!;
  const rAnswers = R.answers!;
  const kAType = R['answers[].type']!.top;
  const kARdata = R['answers[].rdata']!.top;
  const kAClass = R['answers[].class']!.top;
  const rIp = R['src_endpoint.ip']!;
  const rPort = R['src_endpoint.port']!;
  const rTransport = R['connection_info.protocol_name']!;
  const rSrcInstance = R['src_endpoint.instance_uid']!;
  const rDstInstance = R['dst_endpoint.instance_uid']!;
  const rDstInterface = R['dst_endpoint.interface_uid']!;
  const rFirewall = R[v2 ? 'action_id' : 'disposition_id']!;
  const rRuleGroup: RawRef | undefined = R['firewall_rule.uid'];

  const needQType = t.required.has('query.type');
  const needQClass = t.required.has('query.class');
  const needAType = t.required.has('answers[].type');
  const needAClass = t.required.has('answers[].class');
  const nTime = rawName(rTime);

  const { cls, rcodes, firewall, answerKeys, mappedTop, mappedPaths, mappedTopWithNested } = t;
  const nestedParents = [...t.nested.keys()];
  const nestedKeys = [...t.nested.values()];
  const fwAbsent: FirewallInfo = t.firewallAbsent;
  const fwUnknown: FirewallInfo = t.firewallUnknown;
  const rcodeUnknownActivity: ActivityInfo = t.rcodeUnknownActivity;
  const rcodeAbsentActivity: ActivityInfo = t.rcodeAbsentActivity;
  const answerObservables = t.answerObservables;
  const obsInfos: ObservableInfo[] = [];
  const obsSlots: number[] = [];
  for (const o of t.fieldObservables?.values() ?? []) {
    const slot = OBSERVABLE_SLOTS[o.name];
    if (slot === undefined) throw new TypeError(`route53: no observable source for ${o.name}`);
    obsInfos.push(o);
    obsSlots.push(slot);
  }
  const dstFallback = t.dstFallbackSvcName;

  function map(raw: unknown, context: RecordContext): OcsfEvent | MapFailure {
    if (!isObject(raw)) return fail('not-an-object', `a Route 53 query log record must be a JSON object, got ${kindOf(raw)}`, raw, context);
    const rec = raw;

    const ts = get(rec, rTime);
    if (ts === undefined || ts === null) return fail('missing-field', `${nTime} is missing`, raw, context);
    if (typeof ts !== 'string') return fail('invalid-time', `${nTime} must be an RFC 3339 timestamp string, got ${kindOf(ts)}`, raw, context);
    // The UTC forms Route 53 writes (`…:SSZ`, `…:SS.sssZ`) are parsed by hand, without a Date (route53 mapping bench).
    let time = ts.length === 20 || ts.length === 24 ? parseIsoUtcFast(ts) : NaN;
    const fast = !Number.isNaN(time) && isRealIsoDate(ts);
    if (!fast) {
      if (!TIMESTAMP.test(ts)) return fail('invalid-time', `${nTime} must be an RFC 3339 timestamp with a zone, got ${JSON.stringify(ts)}`, raw, context);
      time = isRealIsoDate(ts) ? parseIsoMillis(ts) : NaN;
      if (Number.isNaN(time)) return fail('invalid-time', `${nTime} is not a valid date: ${JSON.stringify(ts)}`, raw, context);
    }

    const hostname = str(get(rec, rHost));
    if (hostname === BAD) return wrongType(rHost, rec, context);
    if (hostname === undefined) return fail('missing-field', `${rawName(rHost)} is missing`, raw, context);
    const qtype = str(get(rec, rQType));
    if (qtype === BAD) return wrongType(rQType, rec, context);
    if (qtype === undefined && needQType) return fail('missing-field', `${rawName(rQType)} is missing`, raw, context);
    const qclass = str(get(rec, rQClass));
    if (qclass === BAD) return wrongType(rQClass, rec, context);
    if (qclass === undefined && needQClass) return fail('missing-field', `${rawName(rQClass)} is missing`, raw, context);

    const productVersion = str(get(rec, rVersion));
    if (productVersion === BAD) return wrongType(rVersion, rec, context);
    let account = str(get(rec, rAccount));
    if (account === BAD) return wrongType(rAccount, rec, context);
    account ??= context.accountId;
    let region = str(get(rec, rRegion));
    if (region === BAD) return wrongType(rRegion, rec, context);
    region ??= context.region;
    const vpc = str(get(rec, rVpc));
    if (vpc === BAD) return wrongType(rVpc, rec, context);
    const ip = str(get(rec, rIp));
    if (ip === BAD) return wrongType(rIp, rec, context);
    // An address that does not parse is kept in unmapped, never written as an ip.
    const badIp = ip !== undefined && !isIp(ip) ? ip : undefined;
    const transport = str(get(rec, rTransport));
    if (transport === BAD) return wrongType(rTransport, rec, context);
    const srcInstance = str(get(rec, rSrcInstance));
    if (srcInstance === BAD) return wrongType(rSrcInstance, rec, context);
    const dstInstance = str(get(rec, rDstInstance));
    if (dstInstance === BAD) return wrongType(rDstInstance, rec, context);
    const dstInterface = str(get(rec, rDstInterface));
    if (dstInterface === BAD) return wrongType(rDstInterface, rec, context);
    const rcodeRaw = str(get(rec, rRcode));
    if (rcodeRaw === BAD) return wrongType(rRcode, rec, context);
    const action = str(get(rec, rFirewall));
    if (action === BAD) return wrongType(rFirewall, rec, context);
    let ruleGroup: Str;
    if (rRuleGroup !== undefined) {
      ruleGroup = str(get(rec, rRuleGroup));
      if (ruleGroup === BAD) return wrongType(rRuleGroup, rec, context);
    }
    if (badIp !== undefined && srcInstance === undefined) {
      return fail('invalid-ip', `${rawName(rIp)} ${JSON.stringify(badIp.slice(0, 100))} is not an IP address (and there is no ${rawName(rSrcInstance)})`, raw, context);
    }
    if (ip === undefined && srcInstance === undefined) {
      return fail('missing-field', `${rawName(rIp)} is missing (and there is no ${rawName(rSrcInstance)})`, raw, context);
    }

    const portRaw = get(rec, rPort);
    let port = -1;
    if (portRaw !== undefined && portRaw !== null) {
      port = toPort(portRaw);
      if (port < 0) return fail('invalid-number', `${rawName(rPort)} must be an integer 0-65535, got ${JSON.stringify(portRaw)}`, raw, context);
    }

    let answers: Answer[] | undefined;
    let answerExtras = false;
    const av = get(rec, rAnswers);
    if (av !== undefined && av !== null) {
      if (!Array.isArray(av)) return fail('invalid-type', `${rawName(rAnswers)} must be an array, got ${kindOf(av)}`, raw, context);
      for (let i = 0; i < av.length; i++) {
        const a: unknown = av[i];
        if (!isObject(a)) return fail('invalid-type', `${rawName(rAnswers)}[${i}] must be an object, got ${kindOf(a)}`, raw, context);
        const type = str(a[kAType]);
        const rdata = str(a[kARdata]);
        const klass = str(a[kAClass]);
        if (type === BAD || rdata === BAD || klass === BAD) {
          const key = type === BAD ? kAType : rdata === BAD ? kARdata : kAClass;
          return fail('invalid-type', `${rawName(rAnswers)}[${i}].${key} must be a string, got ${kindOf(a[key])}`, raw, context);
        }
        if (rdata === undefined || (type === undefined && needAType) || (klass === undefined && needAClass)) {
          const key = rdata === undefined ? kARdata : type === undefined ? kAType : kAClass;
          return fail('missing-field', `${rawName(rAnswers)}[${i}].${key} is missing`, raw, context);
        }
        let ans: Answer;
        if (type !== undefined && klass !== undefined) ans = { type, rdata, class: klass };
        else {
          ans = { rdata };
          if (type !== undefined) ans.type = type;
          if (klass !== undefined) ans.class = klass;
        }
        (answers ??= []).push(ans);
        for (const k in a) {
          if (!answerKeys.has(k)) {
            answerExtras = true;
            break;
          }
        }
      }
    }

    // Empty enum strings count as absent (a caption must not be empty).
    let activity: ActivityInfo;
    let rc: RcodeInfo | undefined;
    if (rcodeRaw === undefined || rcodeRaw === '') activity = rcodeAbsentActivity;
    else {
      rc = rcodes.get(rcodeRaw) ?? rcodes.get(rcodeRaw.toUpperCase());
      activity = rc === undefined ? rcodeUnknownActivity : rc.activity;
    }

    const fw = action === undefined || action === '' ? fwAbsent : firewall.get(action) ?? firewall.get(action.toUpperCase()) ?? fwUnknown;
    const disposition = fw.disposition === RAW_CAPTION ? action! : fw.disposition;

    const product: Record<string, unknown> = { name: t.productName, vendor_name: t.vendorName, feature: { name: t.featureName } };
    if (productVersion !== undefined) product.version = productVersion;

    const src: Record<string, unknown> = {};
    if (vpc !== undefined) src.vpc_uid = vpc;
    if (ip !== undefined && badIp === undefined) src.ip = ip;
    if (port >= 0) src.port = port;
    if (srcInstance !== undefined) src.instance_uid = srcInstance;

    let dst: Record<string, unknown> | undefined;
    if (dstInstance !== undefined || dstInterface !== undefined) {
      dst = {};
      if (dstInstance !== undefined) dst.instance_uid = dstInstance;
      if (dstInterface !== undefined) dst.interface_uid = dstInterface;
    } else if (dstFallback !== undefined) dst = { svc_name: dstFallback };

    const conn: Record<string, unknown> = { direction_id: t.direction_id, direction: t.direction };
    if (transport !== undefined) conn.protocol_name = transport;

    const query: Record<string, unknown> = { hostname };
    if (qtype !== undefined) query.type = qtype;
    if (qclass !== undefined) query.class = qclass;

    const cloud: Record<string, unknown> = { provider: t.provider };
    if (region !== undefined) cloud.region = region;
    if (account !== undefined) {
      if (v2) cloud.account = { uid: account };
      else cloud.account_uid = account;
    }
    // One literal for both versions; v2 then adds its attributes, always in the same order.
    const ev: OcsfEvent = {
      class_uid: cls.class_uid,
      class_name: cls.class_name,
      category_uid: cls.category_uid,
      category_name: cls.category_name,
      activity_id: activity.activity_id,
      activity_name: activity.activity_name,
      type_uid: activity.type_uid,
      type_name: activity.type_name,
      severity_id: t.severity_id,
      severity: t.severity,
      time,
      metadata: { version: t.metadataVersion, profiles: t.profiles.slice(), product },
      cloud,
      src_endpoint: src,
      connection_info: conn,
      query,
      disposition_id: fw.disposition_id,
      disposition,
    };
    if (v2) {
      // The fast forms are already UTC: time_dt is the input (with .000 added), as toISOString prints it.
      ev.time_dt = fast ? (ts.length === 24 ? ts : ts.slice(0, 19) + '.000Z') : toIsoUtc(time);
      ev.action_id = fw.action_id;
      ev.action = fw.action === RAW_CAPTION ? action! : fw.action;
    }
    if (dst !== undefined) ev.dst_endpoint = dst;
    if (answers !== undefined) ev.answers = answers;
    if (rcodeRaw !== undefined && rcodeRaw !== '') {
      if (rc !== undefined) {
        ev.rcode_id = rc.rcode_id;
        ev.rcode = rc.rcode;
      } else {
        ev.rcode_id = t.rcodeUnknownId;
        ev.rcode = rcodeRaw;
      }
    }
    if (ruleGroup !== undefined) ev.firewall_rule = { uid: ruleGroup };
    if (answerObservables !== undefined) {
      const obs: Observable[] = [];
      if (answers !== undefined) {
        for (let i = 0; i < answers.length; i++) {
          const a = answers[i]!;
          const o = a.type === undefined ? undefined : answerObservables.get(a.type);
          if (o !== undefined) obs.push({ name: o.name, type: o.type, type_id: o.type_id, value: a.rdata });
        }
      }
      for (let i = 0; i < obsSlots.length; i++) {
        const slot = obsSlots[i];
        const value =
          slot === 0 ? dstInstance : slot === 1 ? srcInstance : slot === 2 ? ip : slot === 3 ? hostname : slot === 4 ? dstInterface : vpc;
        if (value !== undefined) {
          const o = obsInfos[i]!;
          obs.push({ name: o.name, type: o.type, type_id: o.type_id, value });
        }
      }
      ev.observables = obs;
    }

    // Objects such as srcids usually hold only mapped keys: then skip them whole (no path building).
    let onlyMapped = true;
    for (let i = 0; i < nestedParents.length && onlyMapped; i++) {
      const o = rec[nestedParents[i]!];
      if (isObject(o)) {
        const keys = nestedKeys[i]!;
        for (const k in o) {
          if (!keys.has(k)) {
            onlyMapped = false;
            break;
          }
        }
      }
    }
    let unmapped = onlyMapped ? collectUnmapped(rec, mappedTopWithNested) : collectUnmapped(rec, mappedTop, mappedPaths);
    if (answerExtras) {
      unmapped ??= {};
      const prefix = rawName(rAnswers) + '[].';
      for (let i = 0; i < (av as unknown[]).length; i++) {
        const a = (av as Record<string, unknown>[])[i]!;
        for (const k in a) if (!answerKeys.has(k)) flattenInto(unmapped, prefix + k, a[k]);
      }
      if (Object.keys(unmapped).length === 0) unmapped = undefined;
    }
    if (badIp !== undefined) (unmapped ??= {})[rawName(rIp)] = badIp;
    if (unmapped !== undefined) ev.unmapped = unmapped;
    return ev;
  }

  return { source: ROUTE53, version, ocsfVersion: t.ocsfVersion, map };
}
