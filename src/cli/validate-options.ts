/** `--validate off|sample|all` and `--sample-rate`, shared by `ingest` and `replay`. */
import type { ValidateMode } from '../pipeline/shard.js';
import type { OptionSpec } from './command.js';
import { UsageError } from './io.js';

export const VALIDATE_FLAGS: Record<string, OptionSpec> = {
  validate: {
    type: 'string',
    default: 'sample',
    value: 'off|sample|all',
    description: 'check events against the OCSF JSON Schemas before writing: none, a random sample, or every one',
  },
  'sample-rate': { type: 'string', default: '0.01', value: 'R', description: 'fraction of events checked with --validate sample, in (0, 1]' },
};

export function parseValidateMode(values: Record<string, unknown>): ValidateMode {
  const mode = values.validate as string;
  if (mode === 'off' || mode === 'all') return mode;
  if (mode !== 'sample') throw new UsageError(`--validate must be off, sample or all, got ${mode}`);
  const rate = Number(values['sample-rate']);
  if (!(rate > 0 && rate <= 1)) throw new UsageError(`--sample-rate must be in (0, 1], got ${String(values['sample-rate'])}`);
  return { sample: rate };
}
