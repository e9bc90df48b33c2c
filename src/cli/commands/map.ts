/**
 * `ocsf-lake map --source <SOURCE> [--source-version 1.0|2.0] [--dlq FILE] FILE...`
 * OCSF events as NDJSON on stdout in input order, failures as NDJSON to --dlq (default stderr), and a
 * summary as the last stderr line. Exit 0 when every input was read, even with failures.
 */
import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createMapSession } from '../../core/engine.js';
import { stringifyAnyDepth } from '../../core/stringify.js';
import { importSourceModules } from '../../core/source-modules.js';
import { SourceError } from '../../core/source.js';
import { fsReason, readInput, requireReadable, sourceUsageError, UsageError, writeOut } from '../io.js';
import type { Command } from '../command.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';

export const mapCommand: Command = {
  name: 'map',
  summary: 'map raw AWS logs to OCSF events (NDJSON on stdout)',
  usage: 'ocsf-lake map --source SOURCE [options] FILE...   (FILE: plain or gzip; - for stdin)',
  options: {
    source: { type: 'string', value: 'SOURCE', description: 'a sourceName (VPC_FLOW), a family (cloudtrail), or auto to recognize each file by content (required)' },
    'source-version': { type: 'string', value: '1.0|2.0', description: 'Security Lake source version whose OCSF mapping to use', defaultText: "the source's latest" },
    dlq: { type: 'string', value: 'FILE', description: 'write failures (NDJSON, one per record) to FILE', defaultText: 'stderr' },
    ...SOURCE_OPTION_FLAGS,
  },
  examples: [
    'ocsf-lake map --source cloudtrail trail.json.gz | head',
    "ocsf-lake map --source VPC_FLOW --vpc-format '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}' flows.log",
    'ocsf-lake map --source EKS_AUDIT --region eu-west-1 --dlq failures.ndjson audit.log',
  ],
  async run({ values, positionals }) {
    const source = values.source as string | undefined;
    if (!source) throw new UsageError('--source is required');
    if (positionals.length === 0) throw new UsageError('at least one FILE (or -) is required');
    const version = (values['source-version'] as string | undefined) ?? undefined;
    if (version !== undefined && !/^\d\.\d$/.test(version)) throw new UsageError(`--source-version must look like 2.0, got ${version}`);
    const { context, options, sourceModules, limits } = sourceOptionsFromArgs(values);
    await requireReadable(positionals, 'FILE', { directories: 'map reads files; use ocsf-lake ingest for directories' });
    await importSourceModules(sourceModules);
    let session;
    try {
      session = createMapSession({ source, sourceVersion: version, context, options, limits });
    } catch (err) {
      if (err instanceof SourceError) throw sourceUsageError(err);
      throw err;
    }
    const dlq = values.dlq ? await openDlq(values.dlq as string) : process.stderr;
    let unreadable = 0;
    for (const file of positionals) {
      let bytes: Uint8Array;
      try {
        bytes = await readInput(file);
      } catch (err) {
        process.stderr.write(`ocsf-lake map: cannot read ${file}: ${fsReason(err)}\n`);
        unreadable++;
        continue;
      }
      for await (const o of session.mapInput(file, bytes)) {
        if (o.kind === 'event') await writeOut(process.stdout, JSON.stringify(o.event) + '\n');
        else if (o.kind === 'failure') await writeOut(dlq, stringifyAnyDepth(o.failure) + '\n');
      }
    }
    if (dlq !== process.stderr) await new Promise<void>((r) => (dlq as WriteStream).end(r));
    process.stderr.write(`summary: ${session.summary()}\n`);
    return unreadable > 0 ? 1 : 0;
  },
};

/** The --dlq file, opened before any input is read so that an unwritable path is a usage error. */
async function openDlq(path: string): Promise<WriteStream> {
  try {
    return (await open(path, 'w')).createWriteStream();
  } catch (err) {
    throw new UsageError(`cannot write --dlq ${path}: ${fsReason(err)}`);
  }
}
