/** `ocsf-lake` command-line entry point: a table of commands, each in `commands/`. */
import { parseArgs } from 'node:util';
import '../sources/index.js';
import type { Command } from './command.js';
import { UsageError } from './io.js';
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

const commands: Command[] = [demoCommand, ingestCommand, replayCommand, mapCommand, validateCommand, ledgerCommand, sourcesCommand, catalogCommand, schemaCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'ocsf-lake: AWS security logs to OCSF and Security-Lake-compatible Parquet',
    '',
    'usage: ocsf-lake <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `ocsf-lake <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`ocsf-lake: unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
    return await cmd.run({ values: values as Record<string, unknown>, positionals });
  } catch (err) {
    // A --source-module that cannot be imported is a bad argument, whichever command named it.
    if (err instanceof UsageError || err instanceof SourceModuleError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ocsf-lake ${cmd.name}: ${(err as Error).message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    throw err;
  }
}

