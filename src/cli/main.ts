/** `ocsf-lake` command-line entry point: a table of commands, each in `commands/`. */
import { parseArgs } from 'node:util';
import '../sources/index.js';
import type { Command } from './command.js';
import { OutputClosed, UsageError, watchStdout } from './io.js';
import { commandHelp, mainHelp } from './help.js';
import { oneLine } from './crash.js';
import { SourceModuleError } from '../core/source-modules.js';
import { mapCommand } from './commands/map.js';
import { ingestCommand } from './commands/ingest.js';
import { replayCommand } from './commands/replay.js';
import { demoCommand } from './commands/demo.js';
import { validateCommand } from './commands/validate.js';
import { sourcesCommand } from './commands/sources.js';
import { catalogCommand } from './commands/catalog.js';
import { schemaCommand } from './commands/schema.js';
import { ledgerCommand } from './commands/ledger.js';
import { queryCommand } from './commands/query.js';
import { coverageCommand } from './commands/coverage.js';

export const commands: Command[] = [demoCommand, ingestCommand, replayCommand, mapCommand, validateCommand, ledgerCommand, queryCommand, coverageCommand, sourcesCommand, catalogCommand, schemaCommand];

export async function main(argv: string[]): Promise<number> {
  watchStdout();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp(commands) + '\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`ocsf-lake: unknown command ${JSON.stringify(name)}; run: ocsf-lake --help\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
    return await cmd.run({ values: values as Record<string, unknown>, positionals });
  } catch (err) {
    // The reader of our output has what it wanted (`| head`): a normal end, as for any Unix filter.
    if (err instanceof OutputClosed) return 0;
    // A --source-module that cannot be imported is a bad argument, whichever command named it.
    if (err instanceof UsageError || err instanceof SourceModuleError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ocsf-lake ${cmd.name}: ${usageMessage(err as Error)} (see: ocsf-lake ${cmd.name} --help)\n`);
      return 2;
    }
    throw err;
  }
}


/** parseArgs explains how to pass a positional that starts with `-`; the user needs only the first sentence. */
function usageMessage(err: Error & { code?: string }): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return oneLine(err.message.split('. ')[0]!.replace(/'/g, ''));
  return oneLine(err.message);
}
