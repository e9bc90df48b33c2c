/** CLI plumbing shared by the commands: reading FILE arguments (`-` = stdin) and usage errors. */
import { readFile } from 'node:fs/promises';

/** A usage error: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads a FILE argument; `-` reads all of stdin. */
export async function readInput(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  return readFile(path);
}

/** Writes to a stream and waits for it to drain when its buffer is full (backpressure). */
export function writeOut(stream: NodeJS.WritableStream, s: string): Promise<void> | undefined {
  if (stream.write(s)) return undefined;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}

/** Repeatable comma-list flags: `--x a,b --x c` → `['a','b','c']`; undefined when the flag is absent. */
export function commaList(values: Record<string, unknown>, key: string): string[] | undefined {
  const v = values[key] as string[] | undefined;
  if (v === undefined) return undefined;
  const out = v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (out.length === 0) throw new UsageError(`--${key} needs at least one value`);
  return out;
}
