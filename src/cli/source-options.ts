/**
 * CLI flags that feed record context and source-specific options, shared by `map` and `ingest`.
 * A source that needs a new flag adds it here once.
 */
import type { RecordContext, SourceOptions } from '../core/types.js';
import type { OptionSpec } from './command.js';

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
};

export function sourceOptionsFromArgs(values: Record<string, unknown>): { context: RecordContext; options: SourceOptions; sourceModules: string[] } {
  const context: RecordContext = {};
  if (typeof values.region === 'string') context.region = values.region;
  if (typeof values.account === 'string') context.accountId = values.account;
  const options: Record<string, unknown> = {};
  if (typeof values['vpc-format'] === 'string') options.vpcFormat = values['vpc-format'];
  if (values['allow-unknown-fields'] === true) options.allowUnknownFields = true;
  const sourceModules = Array.isArray(values['source-module']) ? (values['source-module'] as string[]) : [];
  return { context, options, sourceModules };
}
