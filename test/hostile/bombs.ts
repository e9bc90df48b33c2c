/**
 * `npx tsx test/hostile/bombs.ts [DIR]`: builds the two gzip bombs of the hostile-input report as a user would
 * make them (one gzip stream at level 1, not repeated members: 2 GB of zeros, and one 700 MB line), runs
 * `ocsf-lake ingest` on each through test/hostile/rss.mjs and prints the file size, the reason codes, the time
 * and the process's peak resident memory. Not part of `npm test` (building 2.7 GB of input takes a while).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'ocsf-bombs-'));
const WRAPPER = fileURLToPath(new URL('./rss.mjs', import.meta.url));

async function gzipStream(path: string, parts: Iterable<Buffer>): Promise<void> {
  const gz = createGzip({ level: 1 });
  const out = gz.pipe(createWriteStream(path));
  for (const p of parts) if (!gz.write(p)) await new Promise<void>((r) => gz.once('drain', () => r()));
  gz.end();
  await new Promise<void>((r) => out.once('finish', () => r()));
}

function* repeat(chunk: Buffer, total: number, head = '', tail = ''): Generator<Buffer> {
  if (head) yield Buffer.from(head);
  for (let n = 0; n < total; n += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - n));
  if (tail) yield Buffer.from(tail);
}

const bombs = [
  { name: 'zeros.log.gz', source: 'auto', parts: () => repeat(Buffer.alloc(1 << 20), 2_000_000_000) },
  { name: 'one-line.log.gz', source: 'ROUTE53', parts: () => repeat(Buffer.alloc(1 << 20, 'q'), 700_000_000, '{"version":"1.100000","query_name":"', '"}\n') },
];
for (const b of bombs) {
  const path = join(dir, b.name);
  await gzipStream(path, b.parts());
  const rss = join(dir, `${b.name}.rss`);
  const t = Date.now();
  const r = spawnSync(process.execPath, [WRAPPER, 'ingest', '--source', b.source, '--out', join(dir, 'lake'), '--workers', '1', '--json', path], {
    encoding: 'utf8',
    env: { ...process.env, OCSF_LAKE_RSS_FILE: rss },
  });
  const s = JSON.parse(r.stdout) as { failuresByReason: Record<string, number> };
  console.log(`${b.name}: ${(statSync(path).size / 1e6).toFixed(1)} MB gzip, exit ${r.status}, ${JSON.stringify(s.failuresByReason)}, ${Date.now() - t} ms, peak RSS ${(Number(readFileSync(rss, 'utf8')) / 1024).toFixed(0)} MiB`);
}
if (process.argv[2] === undefined) rmSync(dir, { recursive: true, force: true });
