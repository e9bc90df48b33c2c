/**
 * Delivery formats of ASFF findings (raw README §7.5): bare findings (pretty or compact), JSON arrays
 * of findings, NDJSON, `BatchImportFindings` / `GetFindings` bodies `{"Findings":[...]}`, and
 * EventBridge events `{"detail-type":"Security Hub Findings - Imported", "detail":{"findings":[...]}}`
 * (also "- Custom Action"), one per file, in arrays, NDJSON or concatenated as Firehose writes them.
 * Framing is `parseJsonValues`; this module only unwraps envelopes. EventBridge `region`/`account`
 * become record context (defaults below the finding's own `Region`/`AwsAccountId`).
 */
import { Filtered, MapFailure } from '../../core/outcome.js';
import { parseJsonValues, startsLikeJson } from '../../core/json-input.js';
import type { Decoder, DecodeInput, RawRecord } from '../../core/source.js';
import type { RecordContext } from '../../core/types.js';
import { isObj } from './values.js';

export const SOURCE_NAME = 'SH_FINDINGS';

/** EventBridge detail-types whose findings are OCSF already, not ASFF. */
const OCSF_NATIVE = /\bV2$/;

/**
 * ASFF-specific content detection on the first 64 KiB: an EventBridge event from `aws.securityhub`,
 * a finding's `"ProductArn"` beside `"SchemaVersion"`, `"GeneratorId"` or a `"Findings"` body, or an
 * empty `{"Findings": []}`. (GuardDuty's own GetFindings output also has `"Findings"` but no
 * `"ProductArn"`: it is not ASFF.)
 */
export function sniffAsff(head: string): boolean {
  if (!startsLikeJson(head)) return false;
  if (head.includes('"aws.securityhub"') || head.includes('"Security Hub Findings')) return true;
  if (!head.includes('"ProductArn"')) return /"Findings"\s*:\s*\[\s*\]/.test(head);
  return head.includes('"SchemaVersion"') || head.includes('"GeneratorId"') || head.includes('"Findings"');
}

/** Yields every finding of the input, unwrapping envelopes; bad JSON parts become failures. */
export function* decodeAsff(input: DecodeInput): Generator<RawRecord | MapFailure | Filtered> {
  for (const item of parseJsonValues(input.text, input.context, SOURCE_NAME, input.limits.maxRecordBytes)) {
    if (item instanceof MapFailure) yield item;
    else yield* unwrap(item.value, item.context, 0);
  }
}

function* unwrap(value: unknown, context: RecordContext, depth: number): Generator<RawRecord | Filtered> {
  if (Array.isArray(value) && depth < 2) {
    // An array inside a document (parseJsonValues already splits a top-level array).
    for (let i = 0; i < value.length; i++) yield* unwrap(value[i], { ...context, index: i }, depth + 1);
    return;
  }
  if (!isObj(value)) {
    yield { value, context };
    return;
  }
  const findings = value.Findings;
  if (Array.isArray(findings) && !('Id' in value)) {
    for (let i = 0; i < findings.length; i++) yield { value: findings[i], context: { ...context, index: i } };
    return;
  }
  const detail = value.detail;
  if (isObj(detail) && (typeof value['detail-type'] === 'string' || typeof value.source === 'string')) {
    const ctx: RecordContext = { ...context };
    if (typeof value.region === 'string' && value.region !== '') ctx.region = value.region;
    if (typeof value.account === 'string' && value.account !== '') ctx.accountId = value.account;
    const list = detail.findings;
    const type = String(value['detail-type'] ?? value.source);
    if (Array.isArray(list) && OCSF_NATIVE.test(type)) {
      // The 2025 Security Hub emits OCSF-native findings ("Findings Imported V2"): not ASFF, counted per finding.
      for (let i = 0; i < list.length; i++) yield new Filtered('not-asff', type, SOURCE_NAME);
      return;
    }
    if (Array.isArray(list)) {
      for (let i = 0; i < list.length; i++) yield { value: list[i], context: { ...ctx, index: i } };
      return;
    }
    // "Security Hub Insight Results" (no ASFF) and the OCSF-native "Findings Imported V2".
    yield new Filtered('not-asff', type, SOURCE_NAME);
    return;
  }
  yield { value, context };
}

export const asffDecoder: Decoder = {
  format: 'asff-json',
  sniff: (head) => sniffAsff(head),
  decode: decodeAsff,
};
