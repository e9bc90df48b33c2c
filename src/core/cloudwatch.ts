/**
 * CloudWatch Logs subscription payloads, shared by every source that can arrive through a
 * subscription filter (VPC, Route 53, EKS, CloudTrail): `{"awslogs":{"data":"<base64 gzip>"}}` as
 * Lambda receives it, the base64 text alone, or the decoded `{messageType, owner, logGroup,
 * logStream, logEvents[]}` document as Firehose writes it to S3.
 */
import { gunzipSync } from 'node:zlib';
import { clip, isObject } from './json-input.js';
import { DEFAULT_LIMITS, inflateCap } from './limits.js';
import { MapFailure } from './outcome.js';
import type { RecordContext } from './types.js';

export interface CwlEvent {
  id?: string;
  timestamp?: number;
  message: string;
}

export interface CwlPayload {
  messageType: string;
  /** AWS account id that owns the log group. */
  owner?: string;
  logGroup?: string;
  logStream?: string;
  logEvents: CwlEvent[];
}

/** True when `v` is a decoded subscription payload. */
export function isCwlPayload(v: unknown): v is CwlPayload {
  return isObject(v) && typeof v.messageType === 'string' && Array.isArray(v.logEvents);
}

/**
 * Unwraps any of the three forms to the decoded payload, or returns undefined when `v` is none of
 * them. Throws on a broken base64/gzip body (the caller reports it as a failure).
 */
export function toCwlPayload(v: unknown): CwlPayload | undefined {
  if (isCwlPayload(v)) return v;
  if (isObject(v) && isObject(v.awslogs) && typeof v.awslogs.data === 'string') return decodeCwlData(v.awslogs.data);
  return undefined;
}

/**
 * Decodes the base64 gzip `data` string of a subscription delivery. Inflating stops at the default input
 * limits (a bomb inside a payload costs no more than one inside an object).
 */
export function decodeCwlData(data: string): CwlPayload {
  const gz = Buffer.from(data, 'base64');
  const json = JSON.parse(gunzipSync(gz, { maxOutputLength: inflateCap(gz.length, DEFAULT_LIMITS) }).toString('utf8'));
  if (!isCwlPayload(json)) throw new TypeError('awslogs.data does not hold a CloudWatch Logs payload');
  return json;
}

/**
 * Region from a log group or stream ARN (`arn:aws:logs:us-east-1:123456789012:log-group:...`), when
 * the envelope carries one. Plain log group names carry no region.
 */
export function regionFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  return parts[3] || undefined;
}

/** Account id from an ARN's fifth field. */
export function accountFromArn(arn: string | undefined): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  return parts[4] || undefined;
}

/** {@link decodeCwlData}, or undefined when the data is not a valid subscription body (for sniffing). */
export function tryDecodeCwlData(data: string): CwlPayload | undefined {
  try {
    return decodeCwlData(data);
  } catch {
    return undefined;
  }
}

/**
 * A subscription's base64 data string delivered on its own (`H4sI…`), decoded; a broken one becomes an
 * `invalid-envelope` failure of `source` carrying the (clipped) text.
 */
export function decodeBareCwlData(text: string, source: string, context: RecordContext): CwlPayload | MapFailure {
  try {
    return decodeCwlData(text.trim());
  } catch (err) {
    return new MapFailure('invalid-envelope', `base64 CloudWatch Logs data cannot be decoded: ${(err as Error).message}`, source, clip(text), context);
  }
}

const BASE64_GZIP = /^H4sI[A-Za-z0-9+/=\r\n]*$/;
const AWSLOGS_DATA = /"awslogs"\s*:\s*\{\s*"data"\s*:\s*"([A-Za-z0-9+/=]+)"/;

export interface CwlSniffOptions {
  /** True when a decoded payload belongs to the source (e.g. its log stream, or its first message). */
  acceptPayload(p: CwlPayload): boolean;
  /** For the decoded `{messageType, logEvents}` document: true when the head shows the source's markers. */
  acceptDocumentHead(head: string): boolean;
}

/**
 * The sniff of a CloudWatch Logs subscription input, for a source that recognizes its payloads:
 * - the base64 gzip text alone (`H4sI…`): decoded whole, then `acceptPayload`;
 * - `{"awslogs":{"data":"…"}}`: the first data string is decoded, then `acceptPayload`;
 * - otherwise the decoded document: `"messageType"` and `"logEvents"` in the head, and
 *   `acceptDocumentHead(head)` (its messages are JSON-escaped there).
 */
export function sniffCwlSubscription(head: string, bytes: Uint8Array, o: CwlSniffOptions): boolean {
  const trimmed = head.trimStart();
  if (trimmed.startsWith('H4sI')) {
    const text = Buffer.from(bytes).toString('latin1').trim();
    if (!BASE64_GZIP.test(text)) return false;
    const p = tryDecodeCwlData(text);
    return p !== undefined && o.acceptPayload(p);
  }
  if (head.includes('"awslogs"')) {
    let m = AWSLOGS_DATA.exec(head);
    // The first data string can be longer than the 64 KiB head (a Lambda payload of a few hundred events).
    if (!m && bytes.length > head.length) m = AWSLOGS_DATA.exec(Buffer.from(bytes.subarray(0, 16 << 20)).toString('latin1'));
    const p = m ? tryDecodeCwlData(m[1]!) : undefined;
    return p !== undefined && o.acceptPayload(p);
  }
  return head.includes('"messageType"') && head.includes('"logEvents"') && o.acceptDocumentHead(head);
}

/** One log event of a payload: its `message` when it is a string, and the record context with its index. */
export interface CwlMessage {
  /** The event's message, or undefined when the event has none (or is not an object). */
  message: string | undefined;
  /** The log event as delivered (for failure reports). */
  event: unknown;
  index: number;
  /** `{...context, index}`. */
  context: RecordContext;
}

/**
 * The log events of a data payload, each with its context (`{...context, index}`). The caller has
 * dropped control messages and merged the payload's account/region into `context` by its own rule;
 * the sources' rules differ today and were kept as they are (a consolidation must not change output):
 * CloudTrail takes a non-empty `owner` only when no account is known yet (S3 key / options win);
 * EKS takes `owner` (else the log group ARN's account) and the log group (else stream) ARN's region;
 * Route 53 takes `owner ?? <log group ARN account>` and the log group ARN's region; VPC (own loop,
 * fixed-shape contexts) takes `owner` and the log group ARN's region over the input's.
 */
export function* cwlMessages(p: CwlPayload, context: RecordContext): Generator<CwlMessage> {
  const events = p.logEvents;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as unknown;
    const message = isObject(e) && typeof e.message === 'string' ? e.message : undefined;
    yield { message, event: e, index: i, context: { ...context, index: i } };
  }
}
