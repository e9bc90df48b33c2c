/**
 * `ocsf-lake query` over a lake written by `ingest`: views named as Security Lake's Glue tables per Region plus
 * short aliases, results as a table, JSON or CSV that agree with the run's own counts; a SQL error is one line,
 * exit 1; without @duckdb/node-api, a one-line install hint, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, writeSamples } from '../../src/index.js';
import type { IngestResult } from '../../src/index.js';
import { CLI, runCli } from '../cli-bin.js';

const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-query-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const lake = join(tmp, 'lake');
let run: IngestResult;

beforeAll(async () => {
  const spread = { regions: ['us-east-1', 'eu-west-1'], accounts: ['111122223333'], firstDay: Date.UTC(2024, 2, 14), days: 1 };
  writeSamples(join(tmp, 'in'), { records: { cloudtrail: 300, vpc_flow: 200 }, perFile: 100, spread, seed: 8 });
  run = await ingest([join(tmp, 'in')], { out: lake, workers: 1, validate: 'off' });
});

/** Events written per partition prefix that starts with `table` and is in `region` (any Region when absent). */
function written(table: string, region?: string): number {
  return Object.entries(run.counts.eventsByPartition)
    .filter(([p]) => p.startsWith(`${table}/`) && (region === undefined || p.includes(`/region=${region}/`)))
    .reduce((n, [, v]) => n + v, 0);
}

describe('ocsf-lake query', () => {
  it('lists a Glue-named view per table and Region, and the short aliases', () => {
    const r = runCli(['query', '--lake', lake, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const views = (JSON.parse(r.stdout) as { view: string }[]).map((v) => v.view);
    expect(views).toEqual(
      expect.arrayContaining([
        'amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0',
        'amazon_security_lake_table_eu_west_1_cloud_trail_mgmt_2_0',
        'amazon_security_lake_table_us_east_1_vpc_flow_2_0',
        'cloud_trail_mgmt_2_0',
        'cloud_trail_mgmt',
        'vpc_flow',
      ]),
    );
  });

  it('counts what ingest wrote, per Region view and per alias', () => {
    const sql =
      'SELECT (SELECT count(*) FROM amazon_security_lake_table_eu_west_1_cloud_trail_mgmt_2_0) AS ct_eu, (SELECT count(*) FROM cloud_trail_mgmt) AS ct, (SELECT count(*) FROM vpc_flow_2_0) AS vpc';
    const r = runCli(['query', '--lake', lake, '--json', sql]);
    expect(r.status, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout) as Record<string, string>[];
    expect(Number(row!.ct_eu)).toBe(written('aws/CLOUD_TRAIL_MGMT/2.0', 'eu-west-1'));
    expect(Number(row!.ct)).toBe(written('aws/CLOUD_TRAIL_MGMT/2.0'));
    expect(Number(row!.vpc)).toBe(written('aws/VPC_FLOW/2.0'));
    expect(Number(row!.ct_eu)).toBeGreaterThan(0);
  });

  it('prints a table by default and CSV with --csv, with partition columns from the directories', () => {
    const sql = "SELECT region, accountId, count(*) AS events FROM vpc_flow WHERE region = 'us-east-1' GROUP BY ALL";
    const table = runCli(['query', '--lake', lake, sql]);
    expect(table.status, table.stderr).toBe(0);
    const n = written('aws/VPC_FLOW/2.0', 'us-east-1');
    expect(table.stdout).toMatch(new RegExp(`^\\| region +\\| accountId +\\| events \\|\\n\\|[- |]+\\|\\n\\| us-east-1 \\| 111122223333 \\| ${n} +\\|\\n$`));
    const csv = runCli(['query', '--lake', lake, '--csv', sql]);
    expect(csv.stdout).toBe(`region,accountId,events\r\nus-east-1,111122223333,${n}\r\n`);
  });

  it('a SQL error is one line, exit 1', () => {
    const r = runCli(['query', '--lake', lake, 'SELECT nope FROM cloud_trail_mgmt']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ocsf-lake query: [^\n]*nope[^\n]*\n$/);
  });

  it('without @duckdb/node-api: a one-line install hint, exit 2', () => {
    const hooks = join(tmp, 'no-duckdb.mjs');
    writeFileSync(hooks, `export async function resolve(s, c, next) {\n  if (s.startsWith('@duckdb/')) throw new Error('not installed');\n  return next(s, c);\n}\n`);
    const register = join(tmp, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const r = spawnSync(process.execPath, ['--import', `file://${register}`, ...CLI, 'query', '--lake', lake, 'SELECT 1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ocsf-lake query: querying a lake needs DuckDB: npm install @duckdb/node-api\n');
  });
});
