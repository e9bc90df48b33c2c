/**
 * `ocsf-lake replay --out <DIR|s3://bucket/prefix> DLQ_PATH...`: re-ingests dead-lettered records (after a fix)
 * through the lake's ledger, with the same accounting as `ingest`. A committed replay moves the dead-letter files
 * it consumed under `_ocsf_lake/replayed/` (`--delete-replayed`: deletes them).
 */
import { replay } from '../../pipeline/replay.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { OUTPUT_FLAGS, outputOptionsFromArgs, S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { parseValidateMode, VALIDATE_FLAGS } from '../validate-options.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';
import { printResult } from './ingest.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-ingest dead-lettered records (after a fix), with the same accounting',
  usage: 'ocsf-lake replay --out <DIR|s3://bucket/prefix> [--layout auto|native|custom] [--validate off|sample|all] [--delete-replayed] [--json] [--source-module FILE]... DLQ_PATH...',
  options: {
    ...OUTPUT_FLAGS,
    'delete-replayed': { type: 'boolean' },
    ...VALIDATE_FLAGS,
    ...S3_FLAGS,
    ...SOURCE_OPTION_FLAGS,
  },
  async run({ values, positionals }) {
    const output = outputOptionsFromArgs(values);
    if (positionals.length === 0) throw new UsageError('at least one dead-letter file or directory is required');
    const s3 = s3OptionsFromArgs(values);
    const { context, options, sourceModules } = sourceOptionsFromArgs(values);
    const result = await replay(positionals, {
      ...output,
      validate: parseValidateMode(values),
      s3,
      context,
      options,
      sourceModules,
      deleteReplayed: values['delete-replayed'] === true,
    });
    return printResult('replay', result, values.json === true);
  },
};
