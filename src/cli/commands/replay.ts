/**
 * `ocsf-lake replay --out <DIR|s3://bucket/prefix> DLQ_PATH...`: re-ingests dead-lettered records (after a fix)
 * through the lake's ledger, with the same accounting as `ingest`. A committed replay moves the dead-letter files
 * it consumed under `_ocsf_lake/replayed/` (`--delete-replayed`: deletes them).
 */
import { replay } from '../../pipeline/replay.js';
import type { Command } from '../command.js';
import { requireReadable, UsageError } from '../io.js';
import { probeOutput } from '../out-probe.js';
import { OUTPUT_FLAGS, outputOptionsFromArgs, S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { parseValidateMode, VALIDATE_FLAGS } from '../validate-options.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';
import { printOptions, printResult } from './ingest.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-ingest dead-lettered records (after a fix), with the same accounting',
  usage: 'ocsf-lake replay --out DIR|s3://BUCKET/PREFIX [options] DLQ_PATH...   (dead-letter files or directories, e.g. <lake>/dlq)',
  options: {
    ...OUTPUT_FLAGS,
    'delete-replayed': { type: 'boolean', description: 'delete the dead-letter files a committed replay consumed (default: moved under _ocsf_lake/replayed/)' },
    ...VALIDATE_FLAGS,
    ...S3_FLAGS,
    ...SOURCE_OPTION_FLAGS,
  },
  examples: [
    'ocsf-lake replay --out ./lake ./lake/dlq',
    'ocsf-lake replay --region us-east-1 --delete-replayed --out ./lake ./lake/dlq/EKS_AUDIT',
    'ocsf-lake replay --endpoint http://localhost:9000 --path-style --out s3://lake/ocsf s3://lake/ocsf/dlq/',
  ],
  async run({ values, positionals }) {
    const output = outputOptionsFromArgs(values);
    if (positionals.length === 0) throw new UsageError('at least one dead-letter file or directory is required');
    await requireReadable(positionals, 'dead-letter path');
    const s3 = s3OptionsFromArgs(values);
    const kmsKeyId = values['kms-key-id'] as string | undefined;
    await probeOutput(output.out, { s3, kmsKeyId });
    const { context, options, sourceModules, limits } = sourceOptionsFromArgs(values);
    const result = await replay(positionals, {
      ...output,
      validate: parseValidateMode(values),
      s3,
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      context,
      options,
      sourceModules,
      ...(limits !== undefined ? { limits } : {}),
      deleteReplayed: values['delete-replayed'] === true,
    });
    return printResult('replay', result, printOptions(values, output.out, s3));
  },
};
