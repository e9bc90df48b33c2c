/**
 * Per-record outcomes that are not events. A record never throws across the stream: it becomes an
 * OCSF event, a {@link MapFailure} (dead-lettered with a stable reason code) or a {@link Filtered}
 * record (counted, not written). Classes rather than tagged objects so that the hot path tells them
 * apart with one `instanceof` and events need no wrapper.
 */
import type { RecordContext } from './types.js';

/** Stable reason codes for failures. Sources may add their own codes (kebab-case). */
export const FAILURE_REASONS = {
  'invalid-json': 'the record (or file) is not valid JSON',
  'invalid-envelope': 'a delivery envelope (e.g. a CloudWatch Logs subscription payload) cannot be decoded',
  'invalid-utf8': 'the input is not valid UTF-8',
  'truncated-gzip': 'the gzip stream is truncated or corrupt',
  'not-gzip': 'the input is named .gz but is not gzip',
  'unknown-format': 'no decoder of the selected source recognizes the input',
  'empty-input': 'the input holds no records',
  'not-an-object': 'the record is not a JSON object',
  'missing-field': 'a required raw field is absent',
  'invalid-type': 'a raw field has the wrong type',
  'invalid-time': 'a timestamp cannot be parsed',
  'invalid-number': 'a numeric field is not a number',
  'invalid-ip': 'an address field holds a value that is not an IP address, and the event has nothing else to identify that endpoint',
  'field-count-mismatch': 'a text line has a different number of fields than its header',
  'unknown-field': 'a header or record names a field the source does not know',
  'record-too-large': 'the record (a text line, an NDJSON line) exceeds limits.maxRecordBytes, or the event exceeds the writer\'s maxRecordBytes',
  'too-deep': 'the record nests objects/arrays deeper than limits.maxDepth',
  'decompressed-too-large': 'the gzip input inflates past limits.maxInputBytes or limits.maxCompressionRatio (inflating stops there; nothing of the object is mapped)',
  'input-too-large': 'the uncompressed input exceeds limits.maxInputBytes (nothing of the object is mapped)',
  'too-many-records': 'the input holds more than limits.maxRecordsPerInput records: the rest of it is one failure',
  'unsupported-version': 'the source version or OCSF version is not supported',
  'schema-violation': 'the event does not fit the Parquet schema of its source',
  'invalid-partition': 'the event region, account or day cannot be a Security Lake partition value',
  'validation-failed': 'the event does not validate against its OCSF JSON Schema',
  'mapper-error': 'the mapper threw an unexpected error (a bug: please report it)',
  'read-error': 'the input could not be read',
  'object-missing': 'the input object was listed but no longer exists when it is read (e.g. an S3 object deleted in between)',
  'sink-error': 'the event could not be written',
} as const;
export type FailureReason = keyof typeof FAILURE_REASONS | (string & {});

/** A record that could not be turned into an OCSF event. */
export class MapFailure {
  constructor(
    readonly reason: FailureReason,
    readonly message: string,
    /** Security Lake sourceName (or family) that was mapping the record. */
    readonly source: string,
    /** The raw record (parsed value, or the raw text where parsing failed). */
    readonly raw: unknown,
    readonly context: RecordContext = {},
    /** Validation or schema errors, when the failure came from a check. */
    readonly errors?: readonly { path: string; message: string }[],
  ) {}

  toJSON(): Record<string, unknown> {
    return {
      reason: this.reason,
      message: this.message,
      source: this.source,
      ...this.context,
      ...(this.errors ? { errors: this.errors } : {}),
      raw: this.raw,
    };
  }
}

/** A record deliberately not mapped (e.g. a data event of a service Security Lake has no source for). */
export class Filtered {
  constructor(
    /** Stable kebab-case reason, e.g. `other-source`, `unsupported-data-event`. */
    readonly reason: string,
    /** Free detail counted with the reason, e.g. the event source `dynamodb.amazonaws.com`. */
    readonly detail: string,
    readonly source: string,
  ) {}
}

export type Rejection = MapFailure | Filtered;

/** True when a mapper result is not an event. */
export function isRejection(x: unknown): x is Rejection {
  return x instanceof MapFailure || x instanceof Filtered;
}
