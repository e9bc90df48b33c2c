/**
 * `ocsf-lake coverage [--source S] INPUT...`: what the mapping keeps and loses on these logs (src/pipeline/coverage.ts).
 */
import { coverage, formatCoverage } from '../../pipeline/coverage.js';
import { SourceError } from '../../core/source.js';
import { importSourceModules } from '../../core/source-modules.js';
import type { Command } from '../command.js';
import { requireReadable, sourceUsageError, UsageError, writeOut } from '../io.js';
import { S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS, SOURCE_SELECT_FLAGS } from '../source-options.js';

export const coverageCommand: Command = {
  name: 'coverage',
  summary: 'which raw fields each source maps, keeps in unmapped or routes to a fallback, on your own logs',
  usage: 'ocsf-lake coverage [options] INPUT...   (INPUT: file, directory, s3://BUCKET/PREFIX)',
  options: {
    ...SOURCE_SELECT_FLAGS,
    top: { type: 'string', default: '25', value: 'N', description: 'entries listed per section (counts are complete)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    ...S3_FLAGS,
    ...SOURCE_OPTION_FLAGS,
  },
  examples: ['ocsf-lake coverage ./AWSLogs/', 'ocsf-lake coverage --source cloudtrail --top 50 --json trail.json.gz', 'ocsf-lake coverage --source VPC_FLOW --source-version 1.0 ./flows/'],
  async run({ values, positionals }) {
    if (positionals.length === 0) throw new UsageError('at least one INPUT (file, directory or s3://BUCKET/PREFIX) is required');
    const top = Number(values.top);
    if (!(Number.isInteger(top) && top > 0)) throw new UsageError(`--top must be a positive integer, got ${String(values.top)}`);
    const { context, options, sourceModules } = sourceOptionsFromArgs(values);
    await requireReadable(positionals);
    await importSourceModules(sourceModules);
    let report;
    try {
      report = await coverage(positionals, {
        source: values.source as string,
        ...(typeof values['source-version'] === 'string' ? { sourceVersion: values['source-version'] } : {}),
        context,
        options,
        top,
        ...(s3OptionsFromArgs(values) ? { s3: s3OptionsFromArgs(values)! } : {}),
      });
    } catch (err) {
      if (err instanceof SourceError) throw sourceUsageError(err);
      throw err;
    }
    await writeOut(process.stdout, values.json ? JSON.stringify(report, null, 2) + '\n' : formatCoverage(report) + '\n');
    return report.unreadable.length > 0 ? 1 : 0;
  },
};
