/**
 * Per-record helpers shared by the two CloudTrail mappers: the required-field check that turns a
 * malformed record into a {@link MapFailure}, the `eventTime` parser, raw value coercion, and the
 * IP / DNS-name tests behind `src_endpoint` and the hostname observable. No allocation on the hot path
 * except the failure objects.
 */
import { MapFailure } from '../../../core/outcome.js';
import { clip, isObject } from '../../../core/json-input.js';
import { parseIsoMillis, parseIsoUtcFast } from '../../../core/time.js';
import type { OcsfEvent, RecordContext } from '../../../core/types.js';
import type { ClassKey, CompiledClass, CompiledTables } from '../tables.js';

export type Raw = Record<string, unknown>;

/** A raw scalar as a string (numbers and booleans stringified); objects, arrays and null → undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A raw value as a plain object, else undefined. */
export function obj(v: unknown): Raw | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : undefined;
}

/** `"true"`/`"false"` (or a real boolean) → boolean; anything else → undefined. */
export function boolString(v: unknown): boolean | undefined {
  if (v === 'true' || v === true) return true;
  if (v === 'false' || v === false) return false;
  return undefined;
}

/** `"Yes"`/`"No"` → boolean (additionalEventData.MFAUsed, §3.6). */
export function yesNo(v: unknown): boolean | undefined {
  if (v === 'Yes') return true;
  if (v === 'No') return false;
  return undefined;
}

/**
 * CloudTrail `eventTime` → epoch ms. The delivered form `YYYY-MM-DDTHH:MM:SSZ` takes the hand-written
 * `parseIsoUtcFast` of core/time.ts (≈10× faster than Date.parse, cloudtrail mapping bench), and in that
 * form a field out of range (hour 24, month 13) is NaN; any other RFC 3339 form goes through
 * `parseIsoMillis`, with a missing zone read as UTC (CloudTrail times are UTC). NaN when it is not a
 * timestamp.
 */
export function parseEventTime(s: string): number {
  const t = parseIsoUtcFast(s);
  if (t === t) return t; // not NaN
  if (s.length === 20 && DELIVERED.test(s)) return NaN;
  if (!ISO_START.test(s)) return NaN;
  return parseIsoMillis(ZONE.test(s) ? s : s + 'Z');
}

/** The delivered `eventTime` form (checked only when its fast parse failed). */
const DELIVERED = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const ISO_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
const ZONE = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/**
 * The checks every CloudTrail record must pass (issue 3 item 5): an object with string `eventName`,
 * `eventSource` and a parseable `eventTime`. Returns the event time in epoch ms or the failure.
 */
export function checkRecord(raw: unknown, source: string, context: RecordContext): number | MapFailure {
  if (!isObject(raw)) {
    return new MapFailure('not-an-object', `a CloudTrail record must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`, source, raw, context);
  }
  const et = raw.eventTime;
  if (et === undefined || et === null) return missing('eventTime', raw, source, context);
  if (raw.eventName === undefined || raw.eventName === null) return missing('eventName', raw, source, context);
  if (raw.eventSource === undefined || raw.eventSource === null) return missing('eventSource', raw, source, context);
  if (typeof raw.eventName !== 'string') return wrongType('eventName', raw, source, context);
  if (typeof raw.eventSource !== 'string') return wrongType('eventSource', raw, source, context);
  if (typeof et !== 'string') return wrongType('eventTime', raw, source, context);
  const t = parseEventTime(et);
  if (Number.isNaN(t)) {
    return new MapFailure('invalid-time', `eventTime ${JSON.stringify(clip(et, 100))} is not an RFC 3339 timestamp`, source, raw, context);
  }
  return t;
}

function missing(field: string, raw: unknown, source: string, context: RecordContext): MapFailure {
  return new MapFailure('missing-field', `the record has no ${field}`, source, raw, context);
}

function wrongType(field: string, raw: Raw, source: string, context: RecordContext): MapFailure {
  return new MapFailure('invalid-type', `${field} must be a string, got ${typeof raw[field]}`, source, raw, context);
}

import { isIp } from '../../../core/ip.js';
import { flattenInto } from '../../../core/unmapped.js';

export { isIp };

/** True for a DNS name with at least two labels (`cloudformation.amazonaws.com`, not `AWS Internal`). */
export function isDnsName(s: string): boolean {
  return s.length <= 253 && DNS.test(s);
}
const DNS = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\.?$/;

/** Which class a record goes to: data events are always API Activity (§3.1), management events by eventName. */
export function classFor(t: CompiledTables, dataEvent: boolean, eventName: string): CompiledClass {
  if (dataEvent) return t.api;
  const k: ClassKey | undefined = t.classOf.get(eventName);
  return k === 'authentication' ? t.auth : k === 'account_change' ? t.account : t.api;
}

/** activity_id of a record in its class (§3.2). */
export function activityFor(t: CompiledTables, cls: CompiledClass, eventName: string): number {
  return cls.key === 'api_activity' ? t.activities.api(eventName) : cls.key === 'account_change' ? t.activities.account(eventName) : t.activities.auth(eventName);
}

/**
 * status_id (§3.3): Authentication reads `responseElements.ConsoleLogin` first; otherwise an
 * `errorCode` means Failure, and its absence Success (API Activity, Account Change) or the
 * configured unknown id (Authentication, deviation 'authentication-status-unknown').
 */
export function statusFor(t: CompiledTables, cls: CompiledClass, errorCode: unknown, responseElements: Raw | undefined): number {
  if (cls.key === 'authentication') {
    const cl = responseElements?.ConsoleLogin;
    if (cl === 'Success') return 1;
    if (cl === 'Failure') return 2;
    return errorCode !== undefined && errorCode !== null ? 2 : t.authUnknownStatusId;
  }
  return errorCode !== undefined && errorCode !== null ? 2 : 1;
}

// ── event parts shared by both versions (§1.6, §2, §3.3, §3.4) ──────────────────────────────────────

/**
 * The attributes every event has, in the key order every event starts with: classification, time,
 * metadata, cloud, api. One literal, so that the mappers add only the optional attributes after it.
 */
export function eventHeader(
  t: CompiledTables,
  cls: CompiledClass,
  activityId: number,
  statusId: number,
  time: number,
  metadata: OcsfEvent['metadata'],
  cloud: Raw,
  api: Raw,
): Raw {
  return {
    class_uid: cls.class_uid,
    class_name: cls.class_name,
    category_uid: cls.category_uid,
    category_name: cls.category_name,
    activity_id: activityId,
    activity_name: cls.activityName.get(activityId),
    type_uid: cls.class_uid * 100 + activityId,
    type_name: cls.typeName.get(activityId),
    severity_id: t.severityId,
    severity: t.severity,
    status_id: statusId,
    status: t.statusCaption[statusId],
    time,
    metadata,
    cloud,
    api,
  };
}

/** metadata: OCSF version and profiles, product (eventVersion, eventCategory or the default feature), eventID. */
export function metadataOf(t: CompiledTables, r: Raw): OcsfEvent['metadata'] {
  const product: Raw = { name: t.productName, vendor_name: t.vendorName };
  const eventVersion = str(r.eventVersion);
  if (eventVersion !== undefined) product.version = eventVersion;
  product.feature = { name: str(r.eventCategory) ?? t.featureDefault };
  const metadata: OcsfEvent['metadata'] = { version: t.ocsfVersion, profiles: t.profiles.slice(), product };
  const eventId = str(r.eventID);
  if (eventId !== undefined) metadata.uid = eventId;
  return metadata;
}

/** cloud: provider and awsRegion. */
export function cloudOf(t: CompiledTables, r: Raw): Raw {
  const cloud: Raw = { provider: t.provider };
  const region = str(r.awsRegion);
  if (region !== undefined) cloud.region = region;
  return cloud;
}

/**
 * api without the version-specific `data`: operation, service, apiVersion, `request.uid` (only with a
 * requestID: deviation 'request-uid-artifact') and `response.error/message` (errorCode, errorMessage).
 */
export function apiOf(r: Raw, eventName: string, eventSource: string): Raw {
  const api: Raw = { operation: eventName, service: { name: eventSource } };
  const apiVersion = str(r.apiVersion);
  if (apiVersion !== undefined) api.version = apiVersion;
  const requestId = str(r.requestID);
  if (requestId !== undefined) api.request = { uid: requestId };
  const error = str(r.errorCode);
  const message = str(r.errorMessage);
  if (error !== undefined || message !== undefined) {
    const response: Raw = {};
    if (error !== undefined) response.error = error;
    if (message !== undefined) response.message = message;
    api.response = response;
  }
  return api;
}

/**
 * src_endpoint: vpcEndpointId, and sourceIPAddress as an IP or an AWS service name (deviation
 * 'src-endpoint-svc-name'). A value that is neither (an address that does not parse, such as `300.1.1.1`
 * or `::gg`, or a value that is not a string) is left to {@link spillSourceIp}.
 */
export function srcEndpointOf(r: Raw): Raw | undefined {
  let src: Raw | undefined;
  const vpce = str(r.vpcEndpointId);
  if (vpce !== undefined) src = { uid: vpce };
  const sip = r.sourceIPAddress;
  if (typeof sip === 'string') {
    if (isIp(sip)) (src ??= {}).ip = sip;
    else if (!looksLikeAddress(sip)) {
      src ??= {};
      src.domain = sip;
      src.svc_name = sip;
    }
  }
  return src;
}

/**
 * The failure of a record whose `sourceIPAddress` cannot be placed (an address that does not parse, a value
 * that is not a string) when nothing else gives `src_endpoint`, which API Activity requires: the record is
 * dead-lettered with the reason rather than written invalid or with the value dropped.
 */
export function sourceIpFailure(r: Raw, src: Raw | undefined, source: string, context: RecordContext): MapFailure | undefined {
  if (src !== undefined) return undefined;
  const sip = r.sourceIPAddress;
  if (sip === undefined || sip === null) return undefined;
  if (typeof sip !== 'string') return wrongType('sourceIPAddress', r, source, context);
  if (isIp(sip) || !looksLikeAddress(sip)) return undefined;
  return new MapFailure('invalid-ip', `sourceIPAddress ${JSON.stringify(clip(sip, 100))} is not an IP address`, source, r, context);
}

/** `unmapped` plus `sourceIPAddress` when {@link srcEndpointOf} could not place it: nothing is dropped silently. */
export function spillSourceIp(r: Raw, unmapped: Record<string, string> | undefined): Record<string, string> | undefined {
  const sip = r.sourceIPAddress;
  if (sip === undefined || sip === null) return unmapped;
  if (typeof sip === 'string' && (isIp(sip) || !looksLikeAddress(sip))) return unmapped;
  const out = unmapped ?? {};
  flattenInto(out, 'sourceIPAddress', sip);
  return out;
}

/** A broken address rather than a name: a colon (no host or service name has one), or digits and dots only. */
function looksLikeAddress(s: string): boolean {
  return s.includes(':') || DIGITS_AND_DOTS.test(s);
}
const DIGITS_AND_DOTS = /^[0-9.]+$/;

/** actor.idp: the federation provider (three raw paths, decision 'federated-provider-path') and the identity store. */
export function idpOf(ui: Raw | undefined, sc: Raw | undefined): Raw | undefined {
  const name = str(obj(sc?.webIdFederationData)?.federatedProvider) ?? str(obj(ui?.webIdFederationData)?.federatedProvider) ?? str(ui?.identityProvider);
  const uid = str(obj(ui?.onBehalfOf)?.identityStoreArn);
  if (name === undefined && uid === undefined) return undefined;
  const idp: Raw = {};
  if (name !== undefined) idp.name = name;
  if (uid !== undefined) idp.uid = uid;
  return idp;
}

/** Copies the listed userIdentity keys to unmapped when actor.user cannot be emitted (deviation 'constraint-fallback-to-unmapped'). */
export function spillIdentity(ui: Raw, keys: readonly string[], unmapped: Record<string, string> | undefined): Record<string, string> | undefined {
  for (const k of keys) {
    const v = str(ui[k]);
    if (v !== undefined) (unmapped ??= {})['userIdentity.' + k] = v;
  }
  return unmapped;
}
