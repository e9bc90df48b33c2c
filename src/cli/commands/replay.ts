/**
 * `ocsf-lake replay --out <DIR|s3://bucket/prefix> DLQ_PATH...`: re-ingests dead-lettered records (after a fix)
 * and accounts for them the same way as `ingest`. `--delete-replayed` removes the replayed dead-letter files
 * once every entry has been written or dead-lettered again.
 */
import { rm } from 'node:fs/promises';
import { replay } from '../../pipeline/replay.js';
import { listInputs, InputListingError } from '../../pipeline/inputs.js';
import type { Command } from '../command.js';
import { requireReadable, UsageError } from '../io.js';
import { probeOutput } from '../out-probe.js';
import { OUTPUT_FLAGS, outputOptionsFromArgs, S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { parseValidateMode, VALIDATE_FLAGS } from '../validate-options.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';
import { importSourceModules } from '../../core/source-modules.js';
import { printOptions, printResult } from './ingest.js';

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-ingest dead-lettered records (after a fix), with the same accounting',
  usage: 'ocsf-lake replay --out DIR|s3://BUCKET/PREFIX [options] DLQ_PATH...   (dead-letter files or directories, e.g. <lake>/dlq)',
  options: {
    ...OUTPUT_FLAGS,
    'delete-replayed': { type: 'boolean', description: 'delete the replayed dead-letter files once every entry was written or dead-lettered again' },
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
    const { context, options, sourceModules } = sourceOptionsFromArgs(values);
    await importSourceModules(sourceModules);
    // List first: replayed records that fail again are dead-lettered under the same root.
    const replayed: string[] = [];
    const s3Client = positionals.some((p) => p.startsWith('s3://')) ? (await import('../../io/s3.js')).createS3Client(s3) : undefined;
    for await (const o of listInputs(positionals, { s3Client })) if (!(o instanceof InputListingError)) replayed.push(o.name);
    const result = await replay(replayed, { ...output, validate: parseValidateMode(values), s3, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}), context, options });
    const code = await printResult('replay', result, printOptions(values, output.out, s3));
    if (values['delete-replayed'] && code === 0) {
      for (const name of replayed) {
        if (name.startsWith('s3://')) {
          const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(name)!;
          const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
          await s3Client!.send(new DeleteObjectCommand({ Bucket: m[1], Key: m[2] }));
        } else await rm(name);
      }
      process.stderr.write(`deleted ${replayed.length} replayed dead-letter file(s)\n`);
    }
    return code;
  },
};
