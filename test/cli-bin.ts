/** How tests start the CLI: the built executable (fresh from `test/global-setup.ts`). */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Arguments to `process.execPath` that run `ocsf-lake`. */
export const CLI = [fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url))];

/** Runs `ocsf-lake ...args` to completion (stdin from `input`). */
export function runCli(args: readonly string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...CLI, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', input: opts.input, env: opts.env ?? process.env, maxBuffer: 1 << 28 });
}
