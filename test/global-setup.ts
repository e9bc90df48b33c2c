/**
 * Builds `dist/` once per test run so CLI tests spawn the real executable (`node dist/cli/bin.js`, as users run
 * it) instead of paying tsx's start-up for every process. tsc is incremental, so an unchanged tree builds fast.
 * Type errors are reported but do not stop the run here: `npm ci` (prepare → build) and `npm run typecheck`
 * are where they fail the build; tsc still emits JavaScript for the CLI tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`test/global-setup: tsc reported errors:\n${r.stdout}${r.stderr}\n`);
  if (!existsSync(fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url)))) throw new Error('test/global-setup: dist/cli/bin.js was not built');
}
