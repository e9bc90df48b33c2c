/**
 * `ocsf-lake map --source <SOURCE> [--source-version 1.0|2.0] [--dlq FILE] FILE...`
 * OCSF events as NDJSON on stdout in input order, failures as NDJSON to --dlq (default stderr), and a
 * summary as the last stderr line. Exit 0 when every input was read, even with failures.
 */
import { createWriteStream } from 'node:fs';
import { createMapSession } from '../../core/engine.js';
import { stringifyAnyDepth } from '../../core/stringify.js';
import { importSourceModules } from '../../core/source-modules.js';
import { SourceError } from '../../core/source.js';
import { readInput, UsageError, writeOut } from '../io.js';
import type { Command } from '../command.js';
import { sourceOptionsFromArgs, SOURCE_OPTION_FLAGS } from '../source-options.js';

export const mapCommand: Command = {
  name: 'map',
  summary: 'map raw AWS logs to OCSF events (NDJSON on stdout)',
  usage: 'ocsf-lake map --source <SOURCE|cloudtrail|auto> [--source-version 1.0|2.0] [--dlq FILE] [--source-module FILE]... FILE...',
  options: {
    source: { type: 'string' },
    'source-version': { type: 'string' },
    dlq: { type: 'string' },
    ...SOURCE_OPTION_FLAGS,
  },
  async run({ values, positionals }) {
    const source = values.source as string | undefined;
    if (!source) throw new UsageError('--source is required');
    if (positionals.length === 0) throw new UsageError('at least one FILE (or -) is required');
    const version = (values['source-version'] as string | undefined) ?? undefined;
    if (version !== undefined && !/^\d\.\d$/.test(version)) throw new UsageError(`--source-version must look like 2.0, got ${version}`);
    const { context, options, sourceModules, limits } = sourceOptionsFromArgs(values);
    await importSourceModules(sourceModules);
    let session;
    try {
      session = createMapSession({ source, sourceVersion: version, context, options, limits });
    } catch (err) {
      if (err instanceof SourceError) throw new UsageError(err.message);
      throw err;
    }
    const dlq = values.dlq ? createWriteStream(values.dlq as string) : process.stderr;
    let unreadable = 0;
    for (const file of positionals) {
      let bytes: Uint8Array;
      try {
        bytes = await readInput(file);
      } catch (err) {
        process.stderr.write(`ocsf-lake: cannot read ${file}: ${(err as Error).message}\n`);
        unreadable++;
        continue;
      }
      for await (const o of session.mapInput(file, bytes)) {
        if (o.kind === 'event') await writeOut(process.stdout, JSON.stringify(o.event) + '\n');
        else if (o.kind === 'failure') await writeOut(dlq, stringifyAnyDepth(o.failure) + '\n');
      }
    }
    if (dlq !== process.stderr) await new Promise<void>((r) => (dlq as ReturnType<typeof createWriteStream>).end(r));
    process.stderr.write(`summary: ${session.summary()}\n`);
    return unreadable > 0 ? 1 : 0;
  },
};
