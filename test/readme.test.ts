/**
 * Every TypeScript and JavaScript example of README.md runs, as written, taken from the README itself so that
 * it cannot drift: `// file: NAME` blocks are modules the others import, every other block runs (through tsx,
 * against the built package as `ocsf-lake`) in one directory holding the files the examples name. The custom
 * source's lake is then read back with DuckDB.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMapSession } from '../src/index.js';
import { generateSampleFiles } from '../src/samples/index.js';
import { ROOT } from './cli-bin.js';

interface Example {
  line: number;
  lang: string;
  code: string;
  file?: string;
}

function readmeExamples(): Example[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const out: Example[] = [];
  for (const m of text.matchAll(/^```(ts|js|typescript|javascript)\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, m.index).split('\n').length;
    const file = /^\/\/ file: (\S+)\n/.exec(m[2]!)?.[1];
    out.push({ line, lang: m[1]!, code: m[2]!, ...(file ? { file } : {}) });
  }
  return out;
}

const examples = readmeExamples();
/** tsx's loader (a dev dependency of this repository), so the TypeScript examples run as they are written. */
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'ocsf-lake-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // `ocsf-lake` resolves to this package, as after `npm install ocsf-lake`.
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'ocsf-lake'), 'dir');
  // The inputs the examples name: a CloudTrail trail under AWSLogs/, a Route 53 query log, one OCSF event.
  for (const f of generateSampleFiles('cloudtrail', 200, { perFile: 100, seed: 4 })) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.bytes);
  }
  writeFileSync(join(dir, 'query.log.gz'), [...generateSampleFiles('route53', 20, { perFile: 20, seed: 4 })][0]!.bytes);
  const trail = [...generateSampleFiles('cloudtrail', 5, { perFile: 5, seed: 4 })][0]!;
  const session = createMapSession({ source: 'CLOUD_TRAIL_MGMT', sourceVersion: '2.0' });
  for await (const o of session.mapInput(trail.name, trail.bytes)) {
    if (o.kind === 'event') {
      writeFileSync(join(dir, 'event.json'), JSON.stringify(o.event));
      break;
    }
  }
  for (const e of examples) if (e.file) writeFileSync(join(dir, e.file), e.code);
});

describe('README examples', () => {
  it('are found: the ingest, map, validate, custom source and writer examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
    expect(examples.filter((e) => e.file === 'my-source.mjs')).toHaveLength(1);
  });

  // In README order: the custom source block (a module) runs when the blocks after it import it.
  it.each(examples.filter((e) => !e.file).map((e) => [e.line, e] as const))('the example at README.md:%i runs', (line, e) => {
    const file = join(dir, `example-${line}.${e.lang.startsWith('t') ? 'mts' : 'mjs'}`);
    writeFileSync(file, e.code);
    const r = spawnSync(process.execPath, ['--import', TSX, file], { cwd: dir, encoding: 'utf8' });
    expect(r.status, `README.md:${line}\n${r.stderr}`).toBe(0);
    expect(r.stderr).not.toMatch(/Error|warning/i);
  });

  it("the custom source's lake reads back in DuckDB with what the derive step filled", async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (
      await conn.runAndReadAll(
        `SELECT class_uid, class_name, category_name, type_uid, type_name, activity_name, severity, status, metadata.version AS version, "user".name AS "user", accountId, region
           FROM read_parquet('${join(dir, 'lake', 'ext', 'ACME_LOGINS')}/**/*.parquet', hive_partitioning = true) ORDER BY "user"`,
      )
    ).getRowObjectsJson();
    conn.closeSync();
    expect(rows).toEqual([
      { class_uid: 3002, class_name: 'Authentication', category_name: 'Identity & Access Management', type_uid: '300201', type_name: 'Authentication: Logon', activity_name: 'Logon', severity: 'Unknown', status: 'Success', version: '1.1.0', user: 'alice', accountId: '123456789012', region: 'us-east-1' },
      { class_uid: 3002, class_name: 'Authentication', category_name: 'Identity & Access Management', type_uid: '300201', type_name: 'Authentication: Logon', activity_name: 'Logon', severity: 'Unknown', status: 'Failure', version: '1.1.0', user: 'bob', accountId: '123456789012', region: 'us-east-1' },
    ]);
  });
});
