/**
 * VPC Flow Logs delivery forms (issue 4 item 1, raw README §7.2), each a decoder:
 * - `vpc-parquet`: Parquet as delivered to S3 (underscore column names), read with parquet-wasm → Arrow;
 * - `vpc-cwl`: CloudWatch Logs subscription payloads (each `logEvents[].message` is one headerless line);
 * - `vpc-csv`: comma-separated export with a header row (the ocsf/examples samples);
 * - `vpc-text`: text with a header line (S3 delivery; gzip is undone by the engine);
 * - `vpc-text-headerless`: text lines without a header (format from `vpcFormat`, default: the v2 format).
 *
 * Whether a file has a header is decided by its first line only: a header is a line of field names
 * (see {@link isHeader}); the number of tokens is never used to guess a format. Every sniff is specific
 * to VPC flow logs, because `--source auto` tries every source.
 */
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { regionFromArn, toCwlPayload, decodeCwlData } from '../../core/cloudwatch.js';
import { lineTooLarge, parseJsonValues } from '../../core/json-input.js';
import { utf8Exceeds } from '../../core/limits.js';
import { MapFailure } from '../../core/outcome.js';
import type { DecodeInput, Decoder, RawRecord } from '../../core/source.js';
import type { RecordContext } from '../../core/types.js';
import { DEFAULT_FORMAT, fieldId, fitsFormat } from './fields.js';
import { compileFormat, FormatError, isHeader, parseFormatOption, tokenize } from './format.js';
import type { Separator, VpcFormat } from './format.js';
import { SOURCE } from './map/network_activity.js';
import { VpcLine } from './record.js';

type Item = RawRecord | MapFailure;

const DEFAULT_FIDS = DEFAULT_FORMAT.map((n) => fieldId(n));

/** The first non-blank line of `head` (without its line break). */
function firstLine(head: string): string {
  let pos = 0;
  for (;;) {
    let end = head.indexOf('\n', pos);
    if (end === -1) end = head.length;
    const line = head.slice(pos, end);
    if (line.trim() !== '' || end >= head.length) return line;
    pos = end + 1;
  }
}

const ENI = /^eni-[0-9a-f]{8,17}$/;
const ACTIONS = new Set(['ACCEPT', 'REJECT']);
const STATUSES = new Set(['OK', 'NODATA', 'SKIPDATA']);

/**
 * True when a headerless line is recognisably a VPC flow record: it fits the v2 default format, or it
 * carries an ENI id, or both an action (ACCEPT/REJECT) and a log status (OK/NODATA/SKIPDATA).
 */
export function looksLikeVpcLine(line: string): boolean {
  if (line.includes('{') || line.includes('"')) return false;
  const tokens = tokenize(line, 'space');
  if (tokens.length < 2 || isHeader(tokens)) return false;
  if (fitsFormat(tokens, DEFAULT_FIDS)) return true;
  let action = false;
  let status = false;
  for (const t of tokens) {
    if (ENI.test(t)) return true;
    if (ACTIONS.has(t)) action = true;
    else if (STATUSES.has(t)) status = true;
  }
  return action && status;
}

/** Region and account from an S3 key `AWSLogs/<account>/vpcflowlogs/<region>/...` (plain or Hive layout). */
const S3_KEY = /AWSLogs\/(?:aws-account-id=)?(\d{12})\/(?:aws-service=)?vpcflowlogs\/(?:aws-region=)?([a-z]{2}(?:-[a-z]+)+-\d+)\//;

function baseContext(input: DecodeInput): RecordContext {
  const m = S3_KEY.exec(input.name);
  if (!m) return input.context;
  return { ...input.context, accountId: m[1], region: m[2] };
}

/** The headerless format: `vpcFormat` or the v2 default. */
function optionFormat(input: DecodeInput): VpcFormat {
  const allow = input.options.allowUnknownFields === true;
  const f = input.options.vpcFormat;
  return compileFormat(typeof f === 'string' ? parseFormatOption(f) : DEFAULT_FORMAT, 'space', allow);
}

function formatFailure(err: unknown, what: string, base: RecordContext, line?: number): MapFailure {
  if (err instanceof FormatError) return new MapFailure(err.reason, `${what}: ${err.message}`, SOURCE, what, line === undefined ? base : { ...base, line });
  throw err;
}

/** True when the line might be a header (it starts with a lower-case letter and has no `.`, `:`, `/` or upper case). */
function mayBeHeader(text: string, s: number, end: number): boolean {
  let c = text.charCodeAt(s);
  if (c < 97 || c > 122) return false;
  for (let i = s + 1; i < end; i++) {
    c = text.charCodeAt(i);
    if (c === 0x2e || c === 0x3a || c === 0x2f || (c >= 65 && c <= 90)) return false;
  }
  return true;
}

/** Text and CSV: header lines set the format (a later header, e.g. of concatenated objects, switches it). */
function* decodeText(input: DecodeInput, sep: Separator): Generator<Item> {
  const text = input.text;
  const base = baseContext(input);
  const allow = input.options.allowUnknownFields === true;
  let fmt: VpcFormat | undefined;
  // Lines of up to a third of the limit in UTF-16 units cannot exceed it in UTF-8 bytes.
  const maxChars = Math.floor(input.limits.maxRecordBytes / 3);
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    lineNo++;
    let s = pos;
    let c = 0;
    while (s < end && ((c = text.charCodeAt(s)) === 0x20 || c === 0x09 || c === 0x0d || c === 0xfeff)) s++;
    if (s < end) {
      if (mayBeHeader(text, s, end)) {
        const tokens = tokenize(text.slice(s, end), sep);
        if (isHeader(tokens)) {
          try {
            fmt = compileFormat(tokens, sep, allow);
          } catch (err) {
            yield formatFailure(err, `header line ${lineNo}`, base, lineNo);
            return;
          }
          pos = end + 1;
          continue;
        }
      }
      if (fmt === undefined) {
        try {
          fmt = optionFormat(input);
        } catch (err) {
          yield formatFailure(err, '--vpc-format', base);
          return;
        }
      }
      if (end - pos > maxChars && utf8Exceeds(text.slice(pos, end), input.limits.maxRecordBytes)) {
        const line = text.slice(pos, end);
        const f = lineTooLarge(line, input.limits.maxRecordBytes, SOURCE, { ...base, line: lineNo, offset: pos });
        // Kept whole, the line travels with its format (the dead letter's header) like any other VPC failure.
        yield typeof f.raw === 'string' ? new MapFailure(f.reason, f.message, SOURCE, new VpcLine(line, fmt), f.context) : f;
        pos = end + 1;
        continue;
      }
      yield {
        value: new VpcLine(text.slice(pos, end), fmt),
        context: { input: base.input, region: base.region, accountId: base.accountId, line: lineNo, offset: pos },
      };
    }
    pos = end + 1;
  }
}

/** CloudWatch Logs subscription payloads: JSON (`awslogs.data`, decoded documents, NDJSON, concatenated) or bare base64. */
function* decodeCwl(input: DecodeInput): Generator<Item> {
  const base = baseContext(input);
  let fmt: VpcFormat;
  try {
    fmt = optionFormat(input);
  } catch (err) {
    yield formatFailure(err, '--vpc-format', base);
    return;
  }
  for (const item of cwlValues(input.text, base, input.limits.maxRecordBytes)) {
    if (item instanceof MapFailure) {
      yield item;
      continue;
    }
    let payload;
    try {
      payload = toCwlPayload(item.value);
    } catch (err) {
      yield new MapFailure('invalid-json', `awslogs.data cannot be decoded: ${(err as Error).message}`, SOURCE, item.value, item.context);
      continue;
    }
    if (payload === undefined) {
      yield new MapFailure('invalid-type', 'not a CloudWatch Logs subscription payload', SOURCE, item.value, item.context);
      continue;
    }
    if (payload.messageType === 'CONTROL_MESSAGE') continue;
    const region = regionFromArn(payload.logGroup) ?? base.region;
    const accountId = payload.owner ?? base.accountId;
    const events = payload.logEvents;
    // Not core `cwlMessages`: every VPC record context has one fixed shape (monomorphic mapper input,
    // vpc_flow mapping bench), and a VPC payload's account/region rule differs (see core/cloudwatch.ts).
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const context: RecordContext = { input: base.input, region, accountId, line: item.context.line, index: i };
      const message = ev?.message;
      if (typeof message !== 'string') {
        yield new MapFailure('invalid-type', 'logEvents[].message is not a string', SOURCE, ev, context);
        continue;
      }
      yield { value: new VpcLine(message, fmt), context };
    }
  }
}

function* cwlValues(text: string, base: RecordContext, maxRecordBytes?: number): Generator<Item> {
  const t = text.trimStart();
  if (t.startsWith('H4sI')) {
    let line = 0;
    for (const b64 of text.split('\n')) {
      line++;
      if (b64.trim() === '') continue;
      try {
        yield { value: decodeCwlData(b64.trim()), context: { ...base, line } };
      } catch (err) {
        yield new MapFailure('invalid-json', `line ${line}: base64 CloudWatch Logs data cannot be decoded: ${(err as Error).message}`, SOURCE, b64.slice(0, 1024), { ...base, line });
      }
    }
    return;
  }
  yield* parseJsonValues(text, base, SOURCE, maxRecordBytes);
}

const ENI_STREAM = /^eni-[0-9a-f]+-(?:all|accept|reject)$/;

function sniffCwl(head: string, bytes: Uint8Array): boolean {
  const t = head.trimStart();
  const b64 = t.startsWith('H4sI');
  if (!b64 && !(t.startsWith('{') || t.startsWith('[')) ) return false;
  if (!b64 && !head.includes('"awslogs"') && !head.includes('"logEvents"')) return false;
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    for (const item of cwlValues(text, {})) {
      if (item instanceof MapFailure) return false;
      const p = toCwlPayload(item.value);
      if (p === undefined) return false;
      if (p.messageType === 'CONTROL_MESSAGE') continue;
      if (p.logStream !== undefined && ENI_STREAM.test(p.logStream)) return true;
      const m = p.logEvents[0]?.message;
      return typeof m === 'string' && looksLikeVpcLine(m);
    }
  } catch {
    return false;
  }
  return false;
}

const PARQUET_MARKERS = ['srcaddr', 'dstaddr', 'srcport', 'dstport', 'log_status', 'interface_id'].map((s) => Buffer.from(s));

function sniffParquet(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n < 12 || bytes[0] !== 0x50 || bytes[1] !== 0x41 || bytes[2] !== 0x52 || bytes[3] !== 0x31) return false;
  if (bytes[n - 4] !== 0x50 || bytes[n - 3] !== 0x41 || bytes[n - 2] !== 0x52 || bytes[n - 1] !== 0x31) return false;
  const footerLen = bytes[n - 8]! | (bytes[n - 7]! << 8) | (bytes[n - 6]! << 16) | (bytes[n - 5]! << 24);
  if (footerLen <= 0 || footerLen > n - 12) return false;
  const footer = Buffer.from(bytes.buffer, bytes.byteOffset + n - 8 - footerLen, footerLen);
  let hits = 0;
  for (const m of PARQUET_MARKERS) if (footer.includes(m)) hits++;
  return hits >= 2;
}

/** Parquet → Arrow (parquet-wasm, synchronous) → one plain object per row, INT64 as numbers. */
function* decodeParquet(input: DecodeInput): Generator<Item> {
  const base = baseContext(input);
  let table;
  try {
    table = tableFromIPC(readParquet(input.bytes).intoIPCStream());
  } catch (err) {
    yield new MapFailure('read-error', `${input.name}: cannot read Parquet: ${(err as Error).message ?? err}`, SOURCE, '', base);
    return;
  }
  const names = table.schema.fields.map((f) => f.name);
  const unknown = names.filter((n) => fieldId(n) < 0);
  if (unknown.length > 0 && input.options.allowUnknownFields !== true) {
    yield new MapFailure(
      'unknown-field',
      `${input.name}: unknown VPC flow log column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; pass --allow-unknown-fields to keep them in unmapped`,
      SOURCE,
      names.join(','),
      base,
    );
    return;
  }
  const cols = names.map((n) => table.getChild(n)!);
  const rows = table.numRows;
  for (let i = 0; i < rows; i++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < cols.length; c++) {
      let v: unknown = cols[c]!.get(i);
      if (typeof v === 'bigint') v = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
      row[names[c]!] = v ?? null;
    }
    yield { value: row, context: { input: base.input, region: base.region, accountId: base.accountId, index: i } };
  }
}

export const vpcDecoders: readonly Decoder[] = [
  { format: 'vpc-parquet', sniff: (_head, bytes) => sniffParquet(bytes), decode: decodeParquet },
  { format: 'vpc-cwl', sniff: sniffCwl, decode: decodeCwl },
  {
    format: 'vpc-csv',
    sniff: (head) => {
      const l = firstLine(head);
      return l.includes(',') && isHeader(tokenize(l.trim(), 'comma'));
    },
    decode: (input) => decodeText(input, 'comma'),
  },
  { format: 'vpc-text', sniff: (head) => isHeader(tokenize(firstLine(head), 'space')), decode: (input) => decodeText(input, 'space') },
  { format: 'vpc-text-headerless', sniff: (head) => looksLikeVpcLine(firstLine(head)), decode: (input) => decodeText(input, 'space') },
];
