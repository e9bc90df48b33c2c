/**
 * Delivery forms of Route 53 Resolver query logs (issue 4 item 4):
 * - CloudWatch Logs subscription payloads: `{"awslogs":{"data":…}}` as Lambda receives it, the decoded
 *   `{messageType, logEvents[]}` document (one, several back to back, or NDJSON, as Firehose writes
 *   it to S3) or the base64 gzip text alone; each log event's `message` is one query-log record;
 * - CloudWatch Logs exports (`create-export-task`): `<ISO timestamp> <record JSON>` per line;
 * - plain JSON: JSON lines as delivered to S3 (gzip is undone by the engine), single pretty-printed
 *   objects, JSON arrays, and Firehose-delivered objects concatenated without separators.
 * Sniffs look for Route 53 field names, never just "starts with {", because `--source auto` tries
 * every source.
 */
import { accountFromArn, cwlMessages, decodeCwlData, regionFromArn, toCwlPayload, tryDecodeCwlData } from '../../core/cloudwatch.js';
import type { CwlPayload } from '../../core/cloudwatch.js';
import { clip, lineTooLarge, parseJsonValues } from '../../core/json-input.js';
import { utf8Exceeds } from '../../core/limits.js';
import { Filtered, MapFailure } from '../../core/outcome.js';
import type { Decoder, DecodeInput, RawRecord } from '../../core/source.js';
import type { RecordContext } from '../../core/types.js';
import { ROUTE53 } from './map/dns_activity.js';

/** True when `s` (a record's JSON text, or the start of a file) names Route 53 query-log fields. */
export function looksLikeQueryLog(s: string): boolean {
  return s.includes('"query_name"') && (s.includes('"srcaddr"') || s.includes('"query_timestamp"'));
}

/** The same field names inside a JSON string (a decoded CloudWatch payload's `message`). */
function looksLikeEscapedQueryLog(s: string): boolean {
  return s.includes('\\"query_name\\"') && (s.includes('\\"srcaddr\\"') || s.includes('\\"query_timestamp\\"'));
}

const BASE64_GZIP = /^H4sI[A-Za-z0-9+/=\r\n]*$/;
const EXPORT_LINE = /^\d{4}-\d\d-\d\dT[0-9:.]+Z \{/;

function firstNonBlank(s: string): string {
  return s.trimStart();
}

/** How many payloads of an input the sniff decodes before giving up (broken or control ones are skipped). */
const SNIFF_PAYLOADS = 8;

/** Decodes the first payloads of a wrapper / base64 input; true when a data message is a query-log record. */
function payloadIsRoute53(text: string): boolean {
  const trimmed = text.trim();
  if (BASE64_GZIP.test(trimmed.slice(0, 4096))) {
    const p = tryDecodeCwlData(trimmed);
    return p !== undefined && firstMessageIsQueryLog(p);
  }
  let seen = 0;
  for (const item of parseJsonValues(text, {}, ROUTE53)) {
    if (++seen > SNIFF_PAYLOADS) break;
    if (item instanceof MapFailure) continue;
    try {
      const payload = toCwlPayload(item.value);
      if (payload !== undefined && payload.messageType !== 'CONTROL_MESSAGE') return firstMessageIsQueryLog(payload);
    } catch {
      /* a broken body: try the next payload */
    }
  }
  return false;
}

function firstMessageIsQueryLog(payload: CwlPayload): boolean {
  for (const e of payload.logEvents) if (typeof e?.message === 'string') return looksLikeQueryLog(e.message);
  return false;
}

const cwlDecoder: Decoder = {
  format: 'route53-cwl-subscription',
  sniff(head, bytes) {
    const h = firstNonBlank(head);
    if (h.startsWith('{')) {
      if (h.includes('"logEvents"') && h.includes('"messageType"')) return looksLikeEscapedQueryLog(h);
      if (h.includes('"awslogs"')) return payloadIsRoute53(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
      return false;
    }
    if (h.startsWith('H4sI') && BASE64_GZIP.test(h.slice(0, 4096))) {
      return payloadIsRoute53(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    }
    return false;
  },
  decode: decodeCwl,
};

function* decodeCwl(input: DecodeInput): Generator<RawRecord | MapFailure | Filtered> {
  const text = input.text;
  const trimmed = text.trim();
  if (BASE64_GZIP.test(trimmed.slice(0, 4096))) {
    let payload: CwlPayload;
    try {
      payload = decodeCwlData(trimmed);
    } catch (err) {
      yield new MapFailure('invalid-envelope', `${input.name}: not a CloudWatch Logs payload: ${(err as Error).message}`, ROUTE53, clip(trimmed, 4096), input.context);
      return;
    }
    yield* fromPayload(payload, input.context);
    return;
  }
  for (const item of parseJsonValues(text, input.context, ROUTE53, input.limits.maxRecordBytes)) {
    if (item instanceof MapFailure) {
      yield item;
      continue;
    }
    let payload: CwlPayload | undefined;
    try {
      payload = toCwlPayload(item.value);
    } catch (err) {
      yield new MapFailure('invalid-envelope', `awslogs.data cannot be decoded: ${(err as Error).message}`, ROUTE53, item.value, item.context);
      continue;
    }
    // A bare query-log record among payloads is mapped as it is.
    if (payload === undefined) yield item;
    else yield* fromPayload(payload, item.context);
  }
}

/** One raw record per log event; the payload's owner and log group ARN fill the context. */
function* fromPayload(payload: CwlPayload, base: RecordContext): Generator<RawRecord | MapFailure | Filtered> {
  if (payload.messageType === 'CONTROL_MESSAGE') {
    yield new Filtered('cwl-control-message', '', ROUTE53);
    return;
  }
  const ctx: RecordContext = { ...base };
  const account = payload.owner ?? accountFromArn(payload.logGroup);
  const region = regionFromArn(payload.logGroup);
  if (account !== undefined) ctx.accountId = account;
  if (region !== undefined) ctx.region = region;
  for (const { message, event, index, context } of cwlMessages(payload, ctx)) {
    if (message === undefined) {
      yield new MapFailure('invalid-type', `logEvents[${index}].message must be a string`, ROUTE53, event, context);
      continue;
    }
    try {
      yield { value: JSON.parse(message), context };
    } catch (err) {
      yield new MapFailure('invalid-json', `logEvents[${index}].message: ${(err as Error).message}`, ROUTE53, clip(message), context);
    }
  }
}

const exportDecoder: Decoder = {
  format: 'route53-cwl-export',
  sniff: (head) => EXPORT_LINE.test(firstNonBlank(head)) && looksLikeQueryLog(head),
  decode: decodeExport,
};

/** `<timestamp> <json>` lines of a CloudWatch Logs export; the timestamp is the ingestion time and is dropped. */
function* decodeExport(input: DecodeInput): Generator<RawRecord | MapFailure> {
  const text = input.text;
  let pos = 0;
  let line = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(pos, end).trim();
    const context: RecordContext = { ...input.context, line, offset: pos };
    pos = end + 1;
    if (raw === '') continue;
    if (utf8Exceeds(raw, input.limits.maxRecordBytes)) {
      // The failure's offset is where the trimmed line starts: a dead-letter reference is read from there.
      yield lineTooLarge(raw, input.limits.maxRecordBytes, ROUTE53, { ...context, offset: text.indexOf(raw, context.offset) });
      continue;
    }
    const sp = raw.indexOf(' ');
    const json = sp !== -1 && raw.charCodeAt(0) !== 0x7b ? raw.slice(sp + 1) : raw;
    try {
      yield { value: JSON.parse(json), context };
    } catch (err) {
      yield new MapFailure('invalid-json', `line ${line}: ${(err as Error).message}`, ROUTE53, clip(raw), context);
    }
  }
}

const jsonDecoder: Decoder = {
  format: 'route53-json',
  sniff: (head) => {
    const c = firstNonBlank(head).charCodeAt(0);
    return (c === 0x7b || c === 0x5b) && looksLikeQueryLog(head);
  },
  decode: (input) => parseJsonValues(input.text, input.context, ROUTE53, input.limits.maxRecordBytes),
};

/** In sniffing order: envelopes first, then the plain records. */
export const route53Decoders: readonly Decoder[] = [cwlDecoder, exportDecoder, jsonDecoder];
