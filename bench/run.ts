/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those named on the command line), each in its
 * own process so that one suite's heap and JIT state cannot skew another's.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const f of suites) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', dir + f], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench ${f} failed with exit code ${r.status}`);
    failed++;
  }
}
process.exitCode = failed > 0 ? 1 : 0;
