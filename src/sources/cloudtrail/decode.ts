/**
 * Delivery formats of CloudTrail (raw/README.md §7.1), detected by content:
 *
 * - `cloudtrail-cwl-subscription`: CloudWatch Logs subscription payloads of a trail's log group —
 *   `{"awslogs":{"data":"<base64 gzip>"}}`, the base64 text alone, or the decoded
 *   `{messageType, owner, logGroup, logStream, logEvents[]}` document; each `message` is one record.
 * - `cloudtrail-eventbridge`: EventBridge events (`detail-type` "AWS API Call via CloudTrail",
 *   "AWS Console Sign In via CloudTrail", ...) whose `detail` is the record; one event, an array, JSON
 *   lines or Firehose-concatenated events. Events of other detail-types are filtered (`not-cloudtrail`).
 * - `cloudtrail-lookup-events`: LookupEvents / CloudTrail Lake output, `Events[].CloudTrailEvent` being
 *   the record as a JSON string.
 * - `cloudtrail-records`: the S3 log object `{"Records":[...]}` (gzip or not: the engine gunzips).
 * - `cloudtrail-json`: bare records — one object, a JSON array, NDJSON, or pretty objects back to back.
 *
 * Every sniff looks for CloudTrail itself (`"eventVersion"` next to an `"eventSource"` ending in
 * `.amazonaws.com`, a CloudTrail detail-type, a `_CloudTrail_` log stream), never for "some JSON",
 * because `--source auto` tries every source; S3 event notifications (`{"Records":[{"eventSource":
 * "aws:s3"...}]}`) are not CloudTrail. All formats share one decoder body: each top-level value is
 * unwrapped by its own shape, so mixed inputs work too.
 */
import { cwlMessages, decodeBareCwlData, isCwlPayload, sniffCwlSubscription, toCwlPayload } from '../../core/cloudwatch.js';
import type { CwlPayload } from '../../core/cloudwatch.js';
import { clip, isObject, parseJsonValues, salvageArray, startsLikeJson } from '../../core/json-input.js';
import { Filtered, MapFailure } from '../../core/outcome.js';
import type { Rejection } from '../../core/outcome.js';
import type { DecodeInput, Decoder, RawRecord } from '../../core/source.js';
import type { RecordContext } from '../../core/types.js';
import { FAMILY } from './route.js';

type Out = RawRecord | Rejection;

// ── sniffing ─────────────────────────────────────────────────────────────────────────────────────

const CT_VERSION = /"eventVersion"\s*:\s*"\d/;
const CT_SOURCE = /"eventSource"\s*:\s*"[A-Za-z0-9.-]+\.amazonaws\.com(?:\.cn)?"/;
const CT_VERSION_ESCAPED = /\\"eventVersion\\"\s*:\s*\\"\d/;
const CT_SOURCE_ESCAPED = /\\"eventSource\\"\s*:\s*\\"[A-Za-z0-9.-]+\.amazonaws\.com/;
const DETAIL_TYPE = /"detail-type"\s*:\s*"[^"]*via CloudTrail"/;
const LOOKUP_EVENT = /"CloudTrailEvent"\s*:\s*"/;
const RECORDS_START = /^\s*\{\s*"Records"\s*:\s*\[/;
/** Where the next record of `Records` starts (every CloudTrail record opens with its eventVersion). */
const NEXT_RECORD = /\}\s*,\s*\{\s*"eventVersion"/g;
const EMPTY_RECORDS = /^\s*\{\s*"Records"\s*:\s*\[\s*\]\s*\}\s*$/;
/** CloudTrail's log stream in a trail's log group: `<account>_CloudTrail_<region>[_n]`. */
const CT_STREAM = /_CloudTrail_/;

/** True when `s` holds a CloudTrail record (eventVersion next to an AWS eventSource). */
export function looksLikeCloudTrail(s: string): boolean {
  return CT_VERSION.test(s) && CT_SOURCE.test(s);
}

function isCloudTrailPayload(p: CwlPayload): boolean {
  if (typeof p.logStream === 'string' && CT_STREAM.test(p.logStream)) return true;
  const m = p.logEvents[0]?.message;
  return typeof m === 'string' && looksLikeCloudTrail(m);
}

const CWL_SNIFF = {
  acceptPayload: isCloudTrailPayload,
  acceptDocumentHead: (head: string) => CT_STREAM.test(head) || (CT_VERSION_ESCAPED.test(head) && CT_SOURCE_ESCAPED.test(head)),
};

function sniffCwl(head: string, bytes: Uint8Array): boolean {
  return sniffCwlSubscription(head, bytes, CWL_SNIFF);
}

// ── decoding ─────────────────────────────────────────────────────────────────────────────────────

/** `AWSLogs/[o-org/]<account>/CloudTrail/<region>/...` S3 keys name the account and region. */
const TRAIL_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail(?:-Insight)?\/([a-z0-9-]+)\//;

function baseContext(input: DecodeInput): RecordContext {
  const m = TRAIL_KEY.exec(input.name);
  return m ? { ...input.context, accountId: m[1], region: m[2] } : input.context;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * A record's context with the partition account filled from `recipientAccountId` (the account whose trail
 * delivered it, as Security Lake files it) when the input named none: plain files, EventBridge and
 * LookupEvents output carry no S3 delivery key.
 */
function withRecipient(v: unknown, ctx: RecordContext): RecordContext {
  if (ctx.accountId !== undefined || !isObject(v)) return ctx;
  const a = v.recipientAccountId;
  return typeof a === 'string' && ACCOUNT_ID.test(a) ? { ...ctx, accountId: a } : ctx;
}

/** Decoder body shared by every CloudTrail format. */
export function* decodeCloudTrail(input: DecodeInput): Generator<Out> {
  const base = baseContext(input);
  const text = input.text;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('H4sI')) {
    // A subscription's base64 data string on its own.
    const p = decodeBareCwlData(trimmed, FAMILY, base);
    if (p instanceof MapFailure) yield p;
    else yield* fromCwlPayload(p, base);
    return;
  }
  const records = RECORDS_START.exec(text);
  let first = true;
  for (const item of parseJsonValues(text, base, FAMILY, input.limits.maxRecordBytes)) {
    if (first && records !== null && item instanceof MapFailure) {
      // An S3 log file that does not parse as a whole: keep every record that parses on its own.
      yield* salvageArray(text, records[0].length - 1, base, FAMILY, NEXT_RECORD);
      return;
    }
    first = false;
    if (item instanceof MapFailure) yield item;
    else if (isBareRecord(item.value)) yield { value: item.value, context: withRecipient(item.value, item.context) }; // NDJSON / arrays of records: no envelope to open
    else yield* unwrap(item.value, item.context);
  }
}

/** A CloudTrail record itself (not an envelope): it has an eventName and none of the envelope keys. */
function isBareRecord(v: unknown): boolean {
  return isObject(v) && typeof v.eventName === 'string' && v.Records === undefined && v.detail === undefined;
}

/** One top-level JSON value → the CloudTrail records it holds, by its shape. */
function* unwrap(v: unknown, ctx: RecordContext): Generator<Out> {
  if (!isObject(v)) {
    yield { value: v, context: ctx };
    return;
  }
  const records = v.Records;
  if (Array.isArray(records)) {
    for (let i = 0; i < records.length; i++) yield { value: records[i], context: withRecipient(records[i], { ...ctx, index: i }) };
    return;
  }
  const detailType = v['detail-type'];
  if (typeof detailType === 'string' && 'detail' in v) {
    if (detailType.endsWith('via CloudTrail') && isObject(v.detail)) yield { value: v.detail, context: withRecipient(v.detail, ctx) };
    else yield new Filtered('not-cloudtrail', detailType, FAMILY);
    return;
  }
  if (isObject(v.awslogs) || isCwlPayload(v)) {
    let p: CwlPayload | undefined;
    try {
      p = toCwlPayload(v);
    } catch (err) {
      yield new MapFailure('invalid-envelope', `CloudWatch Logs payload: ${(err as Error).message}`, FAMILY, clip(JSON.stringify(v)), ctx);
      return;
    }
    if (p !== undefined) {
      yield* fromCwlPayload(p, ctx);
      return;
    }
  }
  const events = v.Events;
  if (Array.isArray(events)) {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const c: RecordContext = { ...ctx, index: i };
      if (isObject(e) && typeof e.CloudTrailEvent === 'string') yield parseRecord(e.CloudTrailEvent, c, 'Events[].CloudTrailEvent');
      else yield new MapFailure('invalid-envelope', 'Events[] element has no CloudTrailEvent string', FAMILY, e, c);
    }
    return;
  }
  if (typeof v.CloudTrailEvent === 'string') {
    yield parseRecord(v.CloudTrailEvent, ctx, 'CloudTrailEvent');
    return;
  }
  yield { value: v, context: withRecipient(v, ctx) };
}

function* fromCwlPayload(p: CwlPayload, ctx: RecordContext): Generator<Out> {
  if (p.messageType === 'CONTROL_MESSAGE') {
    yield new Filtered('cwl-control-message', '', FAMILY);
    return;
  }
  const c: RecordContext = typeof p.owner === 'string' && p.owner !== '' && ctx.accountId === undefined ? { ...ctx, accountId: p.owner } : ctx;
  for (const m of cwlMessages(p, c)) {
    if (m.message !== undefined) yield parseRecord(m.message, m.context, 'logEvents[].message');
    else yield new MapFailure('invalid-envelope', 'a CloudWatch Logs event has no message string', FAMILY, m.event, m.context);
  }
}

function parseRecord(json: string, context: RecordContext, what: string): RawRecord | MapFailure {
  try {
    const value: unknown = JSON.parse(json);
    return { value, context: withRecipient(value, context) };
  } catch (err) {
    return new MapFailure('invalid-json', `${what}: ${(err as Error).message}`, FAMILY, clip(json), context);
  }
}

/** The family's decoders, in sniffing order (the first match wins). */
export const CLOUDTRAIL_DECODERS: readonly Decoder[] = [
  { format: 'cloudtrail-cwl-subscription', sniff: sniffCwl, decode: decodeCloudTrail },
  { format: 'cloudtrail-eventbridge', sniff: (head) => startsLikeJson(head) && DETAIL_TYPE.test(head), decode: decodeCloudTrail },
  { format: 'cloudtrail-lookup-events', sniff: (head) => startsLikeJson(head) && LOOKUP_EVENT.test(head) && head.includes('"Events"'), decode: decodeCloudTrail },
  {
    format: 'cloudtrail-records',
    sniff: (head) => startsLikeJson(head) && RECORDS_START.test(head) && (looksLikeCloudTrail(head) || EMPTY_RECORDS.test(head)),
    decode: decodeCloudTrail,
  },
  { format: 'cloudtrail-json', sniff: (head) => startsLikeJson(head) && looksLikeCloudTrail(head), decode: decodeCloudTrail },
];
