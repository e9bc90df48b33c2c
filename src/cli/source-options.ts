/**
 * CLI flags that feed record context and source-specific options, shared by `map` and `ingest`.
 * A source that needs a new flag adds it here once.
 */
import type { RecordContext, SourceOptions } from '../core/types.js';
import type { OptionSpec } from './command.js';

export const SOURCE_OPTION_FLAGS: Record<string, OptionSpec> = {
  region: { type: 'string' },
  account: { type: 'string' },
  'vpc-format': { type: 'string' },
  'allow-unknown-fields': { type: 'boolean' },
  /** A module that registers user sources when imported (repeatable). */
  'source-module': { type: 'string', multiple: true },
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
