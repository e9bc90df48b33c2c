/**
 * `ocsf-lake replay --out <DIR|s3://bucket/prefix> DLQ_PATH...`: re-ingests dead-lettered records (after a fix)
 * and accounts for them the same way as `ingest`. `--delete-replayed` removes the replayed dead-letter files
 * once every entry has been written or dead-lettered again.
 */
import { rm } from 'node:fs/promises';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { replay } from '../../pipeline/replay.js';
import { listInputs, InputListingError } from '../../pipeline/inputs.js';
import { createS3Client } from '../../io/s3.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { OUTPUT_FLAGS, outputOptionsFromArgs, S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { parseValidateMode, VALIDATE_FLAGS } from '../validate-options.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';
import { importSourceModules } from '../../core/source-modules.js';
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
    const { context, options, sourceModules, limits } = sourceOptionsFromArgs(values);
    await importSourceModules(sourceModules);
    // List first: replayed records that fail again are dead-lettered under the same root.
    const replayed: string[] = [];
    const s3Client = positionals.some((p) => p.startsWith('s3://')) ? createS3Client(s3) : undefined;
    for await (const o of listInputs(positionals, { s3Client })) if (!(o instanceof InputListingError)) replayed.push(o.name);
    const result = await replay(replayed, { ...output, validate: parseValidateMode(values), s3, context, options, ...(limits !== undefined ? { limits } : {}) });
    const code = printResult('replay', result, values.json === true);
    if (values['delete-replayed'] && code === 0) {
      for (const name of replayed) {
        if (name.startsWith('s3://')) {
          const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(name)!;
          await s3Client!.send(new DeleteObjectCommand({ Bucket: m[1], Key: m[2] }));
        } else await rm(name);
      }
      process.stderr.write(`deleted ${replayed.length} replayed dead-letter file(s)\n`);
    }
    return code;
  },
};
