/**
 * What a user sees when the CLI fails for a reason it does not expect: one line with the message and the path
 * of a file holding the full trace (under the OS temp directory), never a stack trace on the terminal.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `err`'s trace to a new file and returns the one line to print. */
export function crashLine(err: unknown, argv: readonly string[]): string {
  const message = err instanceof Error ? err.message : String(err);
  const trace = err instanceof Error ? (err.stack ?? message) : message;
  const file = join(tmpdir(), `ocsf-lake-error-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  try {
    writeFileSync(file, `ocsf-lake ${argv.join(' ')}\nnode ${process.version} ${process.platform}-${process.arch}\n\n${trace}\n`);
  } catch {
    return `ocsf-lake: unexpected error: ${oneLine(message)}\n${trace}`;
  }
  return `ocsf-lake: unexpected error: ${oneLine(message)} (full trace in ${file}; please report it)`;
}

export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
