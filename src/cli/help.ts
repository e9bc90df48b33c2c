/**
 * `--help` text rendered from the command table: each option's description, value placeholder and default
 * live beside its parser definition, so the help lists exactly what a command parses.
 */
import type { Command, OptionSpec } from './command.js';

const TITLE = 'ocsf-lake: AWS security logs to OCSF and Security-Lake-compatible Parquet';

/** `ocsf-lake --help`: the commands, one line each. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    TITLE,
    '',
    'usage: ocsf-lake <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `ocsf-lake <command> --help` for the options, defaults and examples of a command.',
  ].join('\n');
}

/** The left column of an option: `--out DIR`, `--json`, `-w, --workers N`. */
function optionLabel(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : ''}--${name}`;
  if (o.type === 'boolean') return flag;
  return `${flag} ${o.value ?? 'VALUE'}${o.multiple ? '...' : ''}`;
}

function optionDefault(o: OptionSpec): string | undefined {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.default !== undefined && o.default !== false) return String(o.default);
  return undefined;
}

/** `ocsf-lake <command> --help`: synopsis, every option with its description and default, notes, examples. */
export function commandHelp(cmd: Command): string {
  const entries = Object.entries(cmd.options).sort(([a], [b]) => a.localeCompare(b));
  const labels = entries.map(([name, o]) => optionLabel(name, o));
  const width = Math.min(32, Math.max(...labels.map((l) => l.length)));
  const lines = [`ocsf-lake ${cmd.name}: ${cmd.summary}`, '', `usage: ${cmd.usage}`, '', 'options:'];
  entries.forEach(([, o], i) => {
    const def = optionDefault(o);
    const text = `${o.description}${def !== undefined ? ` (default: ${def})` : ''}${o.multiple ? ' (repeatable)' : ''}`;
    const label = labels[i]!;
    if (label.length <= width) lines.push(`  ${label.padEnd(width)}  ${text}`);
    else lines.push(`  ${label}`, `  ${''.padEnd(width)}  ${text}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width)}  show this help`);
  for (const n of cmd.notes ?? []) lines.push('', n);
  lines.push('', 'examples:', ...cmd.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
