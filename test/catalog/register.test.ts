/**
 * `registerCatalog` and `ocsf-lake catalog --register` with the REAL @aws-sdk/client-glue against a
 * loopback Glue stand-in (`glue-server.ts`): the requests the SDK sends (create when absent, update when
 * different, nothing when equal), Glue's errors, tables of other tools left alone, and the CLI.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import '../../src/sources/index.js';
import { planCatalog } from '../../src/catalog/glue.js';
import type { CatalogOptions } from '../../src/catalog/glue.js';
import { registerCatalog } from '../../src/catalog/register.js';
import { main } from '../../src/cli/main.js';
import type { RegisterOptions } from '../../src/catalog/register.js';
import { startGlueServer } from './glue-server.js';
import type { GlueServer } from './glue-server.js';
import { acmeAudit, acmeLogins } from './fixtures.js';
import { CLI } from '../cli-bin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

let server: GlueServer;
beforeAll(async () => {
  server = await startGlueServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.databases.clear();
  server.tables.clear();
});

const options = (extra: Partial<RegisterOptions> = {}): RegisterOptions => ({ endpoint: server.endpoint, clientConfig: { credentials: CREDENTIALS, maxAttempts: 1 }, ...extra });
const plan = (extra: Partial<CatalogOptions> = {}) => planCatalog({ regions: ['us-east-1', 'eu-west-1'], location: 's3://lake/p', sources: [acmeLogins], sourceVersion: '1.0', ...extra });
const summary = (r: Awaited<ReturnType<typeof registerCatalog>>) => r.results.map((x) => `${x.kind} ${x.table ?? x.database} ${x.action}`);

describe('registerCatalog through the AWS SDK', () => {
  it('creates the databases and tables when absent, with the exact inputs, signed for glue in each region', async () => {
    const p = plan();
    const r = await registerCatalog(p, options());
    expect(r.failed).toBe(0);
    expect(summary(r)).toEqual([
      'database amazon_security_lake_glue_db_us_east_1 created',
      'database amazon_security_lake_glue_db_eu_west_1 created',
      'table amazon_security_lake_table_us_east_1_ext_acme_logins_v1 created',
      'table amazon_security_lake_table_eu_west_1_ext_acme_logins_v1 created',
    ]);
    expect(server.ops()).toEqual(['GetDatabase', 'CreateDatabase', 'GetDatabase', 'CreateDatabase', 'GetTable', 'CreateTable', 'GetTable', 'CreateTable']);
    const [getDb, createDb] = server.requests;
    expect(getDb!.body).toEqual({ Name: 'amazon_security_lake_glue_db_us_east_1' });
    expect(createDb!.body).toEqual({ DatabaseInput: { Name: 'amazon_security_lake_glue_db_us_east_1', Description: p.databases[0]!.Description } });
    const creates = server.requests.filter((q) => q.op === 'CreateTable');
    expect(creates.map((q) => q.body)).toEqual(p.tables.map((t) => ({ DatabaseName: t.database, TableInput: t.tableInput })));
    for (const q of server.requests) {
      expect(q.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(q.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/(us-east-1|eu-west-1)\/glue\/aws4_request/);
    }
    expect(creates.map((q) => /\/(us-east-1|eu-west-1)\//.exec(String(q.headers.authorization))![1])).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('leaves equal tables alone, updates changed ones and keeps parameters other tools set', async () => {
    await registerCatalog(plan(), options());
    server.requests.length = 0;
    const again = await registerCatalog(plan(), options());
    expect(summary(again).map((s) => s.split(' ').at(-1))).toEqual(['exists', 'exists', 'unchanged', 'unchanged']);
    expect(server.ops()).toEqual(['GetDatabase', 'GetDatabase', 'GetTable', 'GetTable']);

    const key = 'amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_ext_acme_logins_v1';
    server.tables.get(key)!.Parameters.owner_team = 'secops';
    server.requests.length = 0;
    const changed = plan({ projection: { accounts: ['111122223333'] } });
    const r = await registerCatalog(changed, options());
    expect(summary(r).map((s) => s.split(' ').at(-1))).toEqual(['exists', 'exists', 'updated', 'updated']);
    expect(server.ops()).toEqual(['GetDatabase', 'GetDatabase', 'GetTable', 'UpdateTable', 'GetTable', 'UpdateTable']);
    const update = server.requests.find((q) => q.op === 'UpdateTable')!;
    expect(update.body.DatabaseName).toBe('amazon_security_lake_glue_db_us_east_1');
    expect(update.body.TableInput.Parameters).toEqual({ owner_team: 'secops', ...changed.tables[0]!.tableInput.Parameters });
    expect(server.tables.get(key)!.Parameters['projection.accountid.values']).toBe('111122223333');

    // switching projection off removes its parameters, keeps the foreign one
    server.requests.length = 0;
    await registerCatalog(plan({ projection: false }), options());
    const params = server.tables.get(key)!.Parameters;
    expect(Object.keys(params).filter((k: string) => k.startsWith('projection.') || k === 'storage.location.template')).toEqual([]);
    expect(params.owner_team).toBe('secops');
  });

  it('an existing database (e.g. Security Lake’s own) is kept; a foreign table is refused unless forced', async () => {
    server.databases.set('amazon_security_lake_glue_db_us_east_1', { Name: 'amazon_security_lake_glue_db_us_east_1', Description: 'Security Lake' });
    server.tables.set('amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_ext_acme_logins_v1', {
      DatabaseName: 'amazon_security_lake_glue_db_us_east_1',
      Name: 'amazon_security_lake_table_us_east_1_ext_acme_logins_v1',
      TableType: 'EXTERNAL_TABLE',
      Parameters: { table_type: 'ICEBERG' },
    });
    const p = plan({ regions: ['us-east-1'] });
    const r = await registerCatalog(p, options());
    expect(r.failed).toBe(1);
    expect(r.results[0]).toMatchObject({ kind: 'database', action: 'exists' });
    expect(r.results[1]).toMatchObject({ kind: 'table', action: 'failed' });
    expect(r.results[1]!.error).toMatch(/^CatalogError: .* exists \(ICEBERG\) and was not created by ocsf-lake/);
    expect(server.ops()).toEqual(['GetDatabase', 'GetTable']);
    expect(server.databases.get('amazon_security_lake_glue_db_us_east_1')!.Description).toBe('Security Lake');

    const forced = await registerCatalog(p, options({ force: true }));
    expect(forced.results.map((x) => x.action)).toEqual(['exists', 'updated']);
    expect(server.ops().at(-1)).toBe('UpdateTable');
  });

  it('Glue errors fail only their table; AlreadyExists on create (a concurrent writer) turns into an update', async () => {
    const p = planCatalog({ regions: ['us-east-1'], location: 's3://lake/p', sources: [acmeAudit], customSourceName: (_s, c) => `acme_${c}` });
    server.failNext('CreateTable', { type: 'AccessDeniedException', message: 'not allowed' }, 'amazon_security_lake_table_us_east_1_ext_acme_3002');
    const r = await registerCatalog(p, options());
    expect(summary(r)).toEqual([
      'database amazon_security_lake_glue_db_us_east_1 created',
      'table amazon_security_lake_table_us_east_1_ext_acme_6003 created',
      'table amazon_security_lake_table_us_east_1_ext_acme_3002 failed',
      'table amazon_security_lake_table_us_east_1_ext_acme_3001 created',
    ]);
    expect(r.results[2]!.error).toBe('AccessDeniedException: not allowed');
    expect(r.failed).toBe(1);

    // a table created by someone else between our GetTable and CreateTable (Glue answers AlreadyExists)
    server.requests.length = 0;
    const t0 = p.tables[0]!;
    server.tables.set(`${t0.database}.${t0.name}`, { ...t0.tableInput, DatabaseName: t0.database, Description: 'older definition' } as never);
    server.failNext('GetTable', { type: 'EntityNotFoundException', message: 'Table not found.' }, t0.name);
    const raced = await registerCatalog({ databases: p.databases, tables: [t0] }, options());
    expect(raced.results.map((x) => x.action)).toEqual(['exists', 'updated']);
    expect(server.ops()).toEqual(['GetDatabase', 'GetTable', 'CreateTable', 'GetTable', 'UpdateTable']);
  });

  it('a database that cannot be created fails its tables without calling Glue for them', async () => {
    server.failNext('CreateDatabase', { type: 'AccessDeniedException', message: 'no glue:CreateDatabase' });
    const r = await registerCatalog(plan({ regions: ['us-east-1'] }), options());
    expect(r.results.map((x) => [x.kind, x.action])).toEqual([
      ['database', 'failed'],
      ['table', 'failed'],
    ]);
    expect(r.results[1]!.error).toMatch(/database amazon_security_lake_glue_db_us_east_1 could not be created/);
    expect(server.ops()).toEqual(['GetDatabase', 'CreateDatabase']);
  });
});

function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...CLI_ENV },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The CLI in this process (spawning tsx costs seconds per run): `main()` with stdout/stderr captured. */
async function runMain(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  const saved = Object.fromEntries(Object.keys(CLI_ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, CLI_ENV);
  try {
    return { status: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const CLI_ENV = { AWS_ACCESS_KEY_ID: 'AKIDCLI', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };

describe('ocsf-lake catalog (CLI)', () => {
  const source = 'VPC_FLOW';
  const registerArgs = () => ['catalog', '--source', source, '--source-version', '2.0', '--regions', 'us-east-1,eu-west-1', '--location', 's3://lake/p', '--register', '--endpoint', server.endpoint];

  it('--register (spawned binary, credentials from the environment) creates databases and tables', async () => {
    const r = await runCli(registerArgs());
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'us-east-1  database amazon_security_lake_glue_db_us_east_1: created',
      'eu-west-1  database amazon_security_lake_glue_db_eu_west_1: created',
      'us-east-1  table amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_vpc_flow_2_0: created',
      'eu-west-1  table amazon_security_lake_glue_db_eu_west_1.amazon_security_lake_table_eu_west_1_vpc_flow_2_0: created',
    ]);
    expect(server.requests.every((q) => String(q.headers.authorization).includes('Credential=AKIDCLI/'))).toBe(true);
  });

  it('a second run finds everything unchanged; a failed registration exits 1 and names the error', async () => {
    const first = await runMain(registerArgs());
    expect(first.status).toBe(0);
    const again = await runMain(registerArgs());
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/vpc_flow_2_0: unchanged\n.*vpc_flow_2_0: unchanged\n$/);

    server.failNext('CreateTable', { type: 'AccessDeniedException', message: 'denied' });
    const r = await runMain(['catalog', '--source', source, '--source-version', '1.0', '--regions', 'us-east-1', '--location', 's3://lake/p', '--register', '--endpoint', server.endpoint]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('amazon_security_lake_table_us_east_1_vpc_flow_1_0: failed (AccessDeniedException: denied)');
  });

  it('prints DDL (default) and JSON Glue inputs; usage errors exit 2', async () => {
    const ddl = await runMain(['catalog', '--source', source, '--source-version', '2.0', '--regions', 'us-east-1', '--location', 's3://lake/p', '--accounts', '111122223333']);
    expect(ddl.status).toBe(0);
    expect(ddl.stdout).toMatch(/^CREATE DATABASE IF NOT EXISTS `amazon_security_lake_glue_db_us_east_1`/);
    expect(ddl.stdout).toContain("'projection.accountid.values'='111122223333'");
    const json = await runMain(['catalog', '--source', source, '--regions', 'us-east-1', '--location', 's3://lake/p', '--format', 'json', '--projection', 'off']);
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout);
    const expected = planCatalog({ regions: ['us-east-1'], location: 's3://lake/p', sources: [source], projection: false });
    expect(out.tables).toEqual(expected.tables.map((t) => ({ region: 'us-east-1', DatabaseName: t.database, TableInput: t.tableInput })));
    expect(out.databases).toEqual([{ region: 'us-east-1', DatabaseInput: { Name: 'amazon_security_lake_glue_db_us_east_1', Description: expected.databases[0]!.Description } }]);

    for (const bad of [
      ['catalog', '--regions', 'us-east-1', '--location', 's3://lake/p'],
      ['catalog', '--source', source, '--regions', 'us-east-1', '--location', '/tmp/lake'],
      ['catalog', '--source', source, '--regions', 'mars-1', '--location', 's3://lake/p'],
      ['catalog', '--source', 'NOPE', '--regions', 'us-east-1', '--location', 's3://lake/p'],
      ['catalog', '--source', source, '--regions', 'us-east-1', '--location', 's3://lake/p', '--format', 'yaml'],
      ['catalog', '--source', source, '--regions', 'us-east-1', '--location', 's3://lake/p', '--endpoint', 'http://x'],
      ['catalog', '--source', source, '--regions', 'us-east-1', '--location', 's3://lake/p', '--projection', 'off', '--accounts', '111122223333'],
      ['catalog', '--source', source, '--regions', 'us-east-1', '--location', 's3://lake/p', '--first-day', '2024-01-01'],
    ]) {
      const r = await runMain(bad);
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^ocsf-lake catalog: /);
    }
    expect(server.requests).toEqual([]);
  });
});
