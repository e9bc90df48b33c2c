/**
 * Delivery formats of EKS audit logs (raw/README.md §7.4). EKS writes audit events only to CloudWatch
 * Logs (group `/aws/eks/<cluster>/cluster`, streams `kube-apiserver-audit-*`); they reach us as:
 *
 * - `eks-cwl-subscription`: subscription payloads — `{"awslogs":{"data":"<base64 gzip>"}}` (Lambda),
 *   the base64 text alone, or the decoded `{messageType, owner, logGroup, logStream, logEvents[]}`
 *   document (Firehose → S3, possibly several concatenated). Account from `owner`, region from a log
 *   group ARN when the envelope has one.
 * - `eks-cwl-export`: CreateExportTask files, one `<ISO-8601 timestamp> <event JSON>` per line.
 * - `k8s-audit-json`: the events themselves — one object, an array, JSON lines, pretty objects back to
 *   back, an `EventList` (`items[]`, the audit webhook body), and the CloudWatch Logs API shapes
 *   (GetLogEvents / FilterLogEvents `events[].message`, Logs Insights rows with `@message` and `@log`).
 *
 * Every sniff requires `auditID` plus an audit-specific marker (`audit.k8s.io`, `stageTimestamp` or
 * `requestReceivedTimestamp`; hand-edited events may lack `apiVersion`), or an EKS log group, because
 * `--source auto` tries every source on every input.
 */
import { accountFromArn, cwlMessages, decodeBareCwlData, decodeCwlData, isCwlPayload, regionFromArn, sniffCwlSubscription } from '../../core/cloudwatch.js';
import type { CwlPayload } from '../../core/cloudwatch.js';
import { clip, isObject, lineTooLarge, parseJsonValues, startsLikeJson } from '../../core/json-input.js';
import { utf8Exceeds } from '../../core/limits.js';
import { Filtered, MapFailure } from '../../core/outcome.js';
import type { Rejection } from '../../core/outcome.js';
import type { DecodeInput, Decoder, RawRecord } from '../../core/source.js';
import type { RecordContext } from '../../core/types.js';

export const SOURCE = 'EKS_AUDIT';

/** Prefix of the CloudWatch Logs streams that hold audit events. */
export const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit';
const EKS_LOG_GROUP_PREFIX = '/aws/eks/';

type Out = RawRecord | Rejection;

/** True when the text looks like (possibly JSON-escaped) Kubernetes audit events. */
export function looksLikeAudit(s: string): boolean {
  return s.includes('auditID') && (s.includes('audit.k8s.io') || s.includes('stageTimestamp') || s.includes('requestReceivedTimestamp'));
}

// ── sniffing ───────────────────────────────────────────────────────────────

const EXPORT_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) [{[]/;

function isEksPayload(p: CwlPayload): boolean {
  if (typeof p.logGroup === 'string' && (p.logGroup.startsWith(EKS_LOG_GROUP_PREFIX) || p.logGroup.includes(':log-group:' + EKS_LOG_GROUP_PREFIX))) return true;
  if (typeof p.logStream === 'string' && p.logStream.startsWith(AUDIT_STREAM_PREFIX)) return true;
  const first = p.logEvents[0];
  return first !== undefined && typeof first.message === 'string' && looksLikeAudit(first.message);
}

const CWL_SNIFF = {
  acceptPayload: isEksPayload,
  acceptDocumentHead: (head: string) => head.includes(EKS_LOG_GROUP_PREFIX) || head.includes(AUDIT_STREAM_PREFIX) || looksLikeAudit(head),
};

function sniffSubscription(head: string, bytes: Uint8Array): boolean {
  return sniffCwlSubscription(head, bytes, CWL_SNIFF);
}

function firstLine(head: string): string {
  const s = head.trimStart();
  const nl = s.indexOf('\n');
  return nl === -1 ? s : s.slice(0, nl);
}

// ── context from the input name ───────────────────────────────────────────

const AWSLOGS_KEY = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\//;

/** The input's base context, with the account of an `AWSLogs/<account>/...` S3 key (envelope wins over options). */
function baseContext(input: DecodeInput): RecordContext {
  const m = AWSLOGS_KEY.exec(input.name);
  return m ? { ...input.context, accountId: m[1] } : input.context;
}

// ── unwrapping ────────────────────────────────────────────────────────────

function parseMessage(message: string, context: RecordContext, what: string): RawRecord | MapFailure {
  try {
    return { value: JSON.parse(message), context };
  } catch (err) {
    return new MapFailure('invalid-json', `${what}: ${(err as Error).message}`, SOURCE, clip(message), context);
  }
}

function isAuditStream(stream: unknown): boolean {
  return typeof stream !== 'string' || stream.startsWith(AUDIT_STREAM_PREFIX);
}

/** Log events of one decoded subscription payload. */
function* fromCwlPayload(p: CwlPayload, ctx: RecordContext): Generator<Out> {
  if (p.messageType === 'CONTROL_MESSAGE') {
    yield new Filtered('cwl-control-message', '', SOURCE);
    return;
  }
  const region = regionFromArn(p.logGroup) ?? regionFromArn(p.logStream);
  const account = typeof p.owner === 'string' && p.owner !== '' ? p.owner : accountFromArn(p.logGroup);
  const c: RecordContext = region === undefined && account === undefined ? ctx : { ...ctx };
  if (region !== undefined) c.region = region;
  if (account !== undefined) c.accountId = account;
  if (!isAuditStream(p.logStream)) {
    for (let i = 0; i < p.logEvents.length; i++) yield new Filtered('not-audit-stream', String(p.logStream), SOURCE);
    return;
  }
  for (const m of cwlMessages(p, c)) {
    if (m.message === undefined) yield new MapFailure('invalid-envelope', `logEvents[${m.index}] has no string message`, SOURCE, m.event, m.context);
    else yield parseMessage(m.message, m.context, `logEvents[${m.index}].message`);
  }
}

/** One Logs Insights result row (`[{field, value}, ...]`). */
function* fromInsightsRow(row: unknown[], ctx: RecordContext): Generator<Out> {
  let message: string | undefined;
  let log: string | undefined;
  let stream: string | undefined;
  for (const cell of row) {
    if (!isObject(cell) || typeof cell.value !== 'string') continue;
    if (cell.field === '@message') message = cell.value;
    else if (cell.field === '@log') log = cell.value;
    else if (cell.field === '@logStream') stream = cell.value;
  }
  if (message === undefined) {
    yield new MapFailure('invalid-envelope', 'Logs Insights row has no @message field', SOURCE, row, ctx);
    return;
  }
  if (!isAuditStream(stream)) {
    yield new Filtered('not-audit-stream', String(stream), SOURCE);
    return;
  }
  // `@log` is `<account-id>:<log group name>`.
  const colon = log === undefined ? -1 : log.indexOf(':');
  const account = colon > 0 && /^\d{12}$/.test(log!.slice(0, colon)) ? log!.slice(0, colon) : undefined;
  yield parseMessage(message, account === undefined ? ctx : { ...ctx, accountId: account }, '@message');
}

function isInsightsRow(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && isObject(v[0]) && typeof v[0].field === 'string' && 'value' in v[0];
}

/** Turns one parsed JSON value into audit records, unwrapping every envelope EKS events arrive in. */
function* unwrap(value: unknown, ctx: RecordContext): Generator<Out> {
  if (isObject(value)) {
    if (value.auditID !== undefined) {
      yield { value, context: ctx };
      return;
    }
    if (isObject(value.awslogs) || isCwlPayload(value)) {
      let p: CwlPayload;
      try {
        p = isCwlPayload(value) ? value : decodeCwlData(String((value.awslogs as Record<string, unknown>).data));
      } catch (err) {
        yield new MapFailure('invalid-envelope', `awslogs.data cannot be decoded: ${(err as Error).message}`, SOURCE, value, ctx);
        return;
      }
      yield* fromCwlPayload(p, ctx);
      return;
    }
    if (value.kind === 'EventList' && Array.isArray(value.items)) {
      const items = value.items;
      for (let i = 0; i < items.length; i++) yield { value: items[i], context: { ...ctx, index: i } };
      return;
    }
    if (Array.isArray(value.results)) {
      // Logs Insights GetQueryResults: `results` is a list of rows.
      for (const row of value.results) if (Array.isArray(row)) yield* fromInsightsRow(row, ctx);
      return;
    }
    if (Array.isArray(value.events)) {
      // GetLogEvents / FilterLogEvents responses.
      const events = value.events;
      for (let i = 0; i < events.length; i++) {
        const e = events[i] as unknown;
        const ec: RecordContext = { ...ctx, index: i };
        if (!isObject(e) || typeof e.message !== 'string') {
          yield new MapFailure('invalid-envelope', `events[${i}] has no string message`, SOURCE, e, ec);
        } else if (!isAuditStream(e.logStreamName)) {
          yield new Filtered('not-audit-stream', String(e.logStreamName), SOURCE);
        } else yield parseMessage(e.message, ec, `events[${i}].message`);
      }
      return;
    }
  } else if (isInsightsRow(value)) {
    yield* fromInsightsRow(value, ctx);
    return;
  }
  // Anything else is handed to the mapper, which says what is wrong with it.
  yield { value, context: ctx };
}

function* decodeJson(input: DecodeInput): Generator<Out> {
  const ctx = baseContext(input);
  const text = input.text;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('H4sI')) {
    const p = decodeBareCwlData(trimmed, SOURCE, ctx);
    if (p instanceof MapFailure) yield p;
    else yield* fromCwlPayload(p, ctx);
    return;
  }
  if (trimmed.startsWith('[')) {
    // A whole-document array may be one Logs Insights row; parse it here so that the row stays together.
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (isInsightsRow(doc)) {
      yield* fromInsightsRow(doc, { ...ctx, line: 1 });
      return;
    }
    if (Array.isArray(doc)) {
      for (let i = 0; i < doc.length; i++) yield* unwrap(doc[i], { ...ctx, index: i });
      return;
    }
  }
  for (const item of parseJsonValues(text, ctx, SOURCE, input.limits.maxRecordBytes)) {
    if (item instanceof MapFailure) yield item;
    else yield* unwrap(item.value, item.context);
  }
}

/** CreateExportTask lines: `<timestamp> <event JSON>`; a line without the prefix is parsed whole. */
function* decodeExport(input: DecodeInput): Generator<Out> {
  const ctx = baseContext(input);
  const text = input.text;
  const n = text.length;
  let pos = 0;
  let line = 0;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    line++;
    let s = text.slice(pos, end);
    if (s.trim() !== '') {
      const sp = s.indexOf(' ');
      if (sp > 0 && s.charCodeAt(0) >= 0x30 && s.charCodeAt(0) <= 0x39 && !Number.isNaN(Date.parse(s.slice(0, sp)))) s = s.slice(sp + 1);
      const lc: RecordContext = { ...ctx, line, offset: pos };
      if (utf8Exceeds(s, input.limits.maxRecordBytes)) {
        // The failure's offset is where `s` starts (past the timestamp): a dead-letter reference is read from there.
        yield lineTooLarge(s, input.limits.maxRecordBytes, SOURCE, { ...lc, offset: end - s.length });
        pos = end + 1;
        continue;
      }
      const r = parseMessage(s, lc, `line ${line}`);
      if (r instanceof MapFailure) yield r;
      else yield* unwrap(r.value, lc);
    }
    pos = end + 1;
  }
}

export const eksDecoders: readonly Decoder[] = [
  { format: 'eks-cwl-subscription', sniff: sniffSubscription, decode: decodeJson },
  { format: 'eks-cwl-export', sniff: (head) => EXPORT_LINE.test(firstLine(head)) && looksLikeAudit(head), decode: decodeExport },
  { format: 'k8s-audit-json', sniff: (head) => startsLikeJson(head) && looksLikeAudit(head), decode: decodeJson },
];
