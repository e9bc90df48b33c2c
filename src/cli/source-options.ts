/**
 * CLI flags that feed record context and source-specific options, shared by `map` and `ingest`.
 * A source that needs a new flag adds it here once.
 */
import type { RecordContext, SourceOptions } from '../core/types.js';
import { DEFAULT_LIMITS, LimitError, parseLimit, resolveLimits } from '../core/limits.js';
import type { InputLimits } from '../core/limits.js';
import type { OptionSpec } from './command.js';
import { UsageError } from './io.js';

/** `--source` (default auto) and `--source-version`, for the commands that read raw logs of any source. */
export const SOURCE_SELECT_FLAGS: Record<string, OptionSpec> = {
  source: { type: 'string', default: 'auto', value: 'SOURCE', description: 'a sourceName (CLOUD_TRAIL_MGMT), a family (cloudtrail), or auto to recognize each input by content' },
  'source-version': { type: 'string', value: '1.0|2.0', description: 'Security Lake source version (and so OCSF version) to map to', defaultText: "each source's latest" },
};

export const SOURCE_OPTION_FLAGS: Record<string, OptionSpec> = {
  region: {
    type: 'string',
    value: 'REGION',
    description: 'Region for records whose input and fields name none (EKS audit, headerless VPC Flow text)',
    defaultText: 'none; such records are dead-lettered as missing-region',
  },
  account: {
    type: 'string',
    value: 'ACCOUNT_ID',
    description: 'AWS account for records whose input and fields name none',
    defaultText: 'none; such records go to the accountId=external partition',
  },
  'vpc-format': {
    type: 'string',
    value: 'FIELDS',
    description: "VPC Flow Logs format of text without a header line, as AWS writes it: '${version} ${account-id} ...'",
    defaultText: 'the v2 default format',
  },
  'allow-unknown-fields': { type: 'boolean', description: 'accept VPC Flow Logs fields this version does not know (kept in unmapped) instead of failing the file' },
  'source-module': { type: 'string', multiple: true, value: 'FILE', description: 'import a JS/TS module that registers custom sources (registerSource) before the run' },
  'max-depth': { type: 'string', value: 'N', description: 'deepest nesting of a record (objects and arrays) mapped; deeper records are dead-lettered as too-deep', defaultText: String(DEFAULT_LIMITS.maxDepth) },
  'max-input-bytes': { type: 'string', value: 'BYTES', description: 'largest input object, decompressed; inflating stops there (decompressed-too-large)', defaultText: String(DEFAULT_LIMITS.maxInputBytes) },
  'max-compression-ratio': { type: 'string', value: 'N', description: 'largest decompressed ÷ compressed size of an input (a gzip bomb fails as decompressed-too-large)', defaultText: String(DEFAULT_LIMITS.maxCompressionRatio) },
  'max-record-bytes': { type: 'string', value: 'BYTES', description: 'largest single record or line (record-too-large)', defaultText: String(DEFAULT_LIMITS.maxRecordBytes) },
  'max-records-per-input': { type: 'string', value: 'N', description: 'most records read from one input object (too-many-records)', defaultText: String(DEFAULT_LIMITS.maxRecordsPerInput) },
};

/** `--max-*` flag → {@link InputLimits} field. */
const LIMIT_FLAGS: Record<string, keyof InputLimits> = {
  'max-depth': 'maxDepth',
  'max-input-bytes': 'maxInputBytes',
  'max-compression-ratio': 'maxCompressionRatio',
  'max-record-bytes': 'maxRecordBytes',
  'max-records-per-input': 'maxRecordsPerInput',
};

/** The `--max-*` flags given; sizes are bytes, with an optional `KiB`/`MiB`/`GiB` suffix. Out-of-range values are usage errors. */
export function limitsFromArgs(values: Record<string, unknown>): Partial<InputLimits> | undefined {
  let limits: Partial<InputLimits> | undefined;
  for (const [flag, key] of Object.entries(LIMIT_FLAGS)) {
    const v = values[flag];
    if (typeof v !== 'string') continue;
    const n = parseLimit(v);
    if (n === undefined) throw new UsageError(`--${flag} must be a positive integer${key.endsWith('Bytes') ? ' (bytes, or with KiB/MiB/GiB)' : ''}, got ${JSON.stringify(v)}`);
    (limits ??= {})[key] = n;
  }
  if (limits !== undefined) {
    try {
      resolveLimits(limits);
    } catch (err) {
      if (err instanceof LimitError) throw new UsageError(err.message.replace(/limits\.(\w+)/, (_, k: string) => `--${flagOf(k)}`));
      throw err;
    }
  }
  return limits;
}

function flagOf(key: string): string {
  return Object.entries(LIMIT_FLAGS).find(([, k]) => k === key)?.[0] ?? key;
}

export function sourceOptionsFromArgs(values: Record<string, unknown>): {
  context: RecordContext;
  options: SourceOptions;
  sourceModules: string[];
  limits: Partial<InputLimits> | undefined;
} {
  const context: RecordContext = {};
  if (typeof values.region === 'string') context.region = values.region;
  if (typeof values.account === 'string') context.accountId = values.account;
  const options: Record<string, unknown> = {};
  if (typeof values['vpc-format'] === 'string') options.vpcFormat = values['vpc-format'];
  if (values['allow-unknown-fields'] === true) options.allowUnknownFields = true;
  const sourceModules = Array.isArray(values['source-module']) ? (values['source-module'] as string[]) : [];
  return { context, options, sourceModules, limits: limitsFromArgs(values) };
}
