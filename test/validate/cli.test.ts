/** `ocsf-lake validate` end to end (the built CLI spawned as `node dist/cli/bin.js validate ...`, test/cli-bin.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { apiActivity110, dnsActivityRc2 } from './fixtures.js';
import { CLI } from '../cli-bin.js';
import { ingest } from '../../src/index.js';
import { generateSampleFiles } from '../../src/samples/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ocsf-validate-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [...CLI, 'validate', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const bad = () => {
  const e = apiActivity110();
  e.activity_name = 'Create';
  delete e.api;
  return e;
};

describe('ocsf-lake validate', () => {
  it('valid NDJSON, JSON array, single pretty object and .gz: exit 0 with per-file counts', () => {
    const nd = file('ok.ndjson', [apiActivity110(), dnsActivityRc2()].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const arr = file('ok-array.json', JSON.stringify([apiActivity110(), apiActivity110(), dnsActivityRc2()]));
    const one = file('ok-one.json', JSON.stringify(apiActivity110(), null, 2));
    const gz = file('ok.ndjson.gz', gzipSync(JSON.stringify(dnsActivityRc2()) + '\n'));
    const r = cli([nd, arr, one, gz]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `${nd}: OK 2 events, 2 valid, 0 invalid`,
        `${arr}: OK 3 events, 3 valid, 0 invalid`,
        `${one}: OK 1 event, 1 valid, 0 invalid`,
        `${gz}: OK 1 event, 1 valid, 0 invalid`,
        'total: 7 events in 4 files, 7 valid, 0 invalid, 0 unreadable',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('invalid events: exit 1, first errors with location and path', () => {
    const p = file('bad.ndjson', [apiActivity110(), bad()].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const r = cli([p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        `${p}: INVALID 2 events, 1 valid, 1 invalid`,
        `  ${p}:2 /activity_name: activity_name "Create" does not match activity_id 2 (expected "Read")`,
        `  ${p}:2 /api: missing required attribute "api"`,
        'total: 2 events in 1 file, 1 valid, 1 invalid, 0 unreadable',
        '',
      ].join('\n'),
    );
  });

  it('--max-errors limits the listing', () => {
    const p = file('bad-array.json', JSON.stringify([bad(), bad(), bad()]));
    const r = cli(['--max-errors', '1', p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  ${p}[0] /activity_name: activity_name "Create"`);
    expect(r.stdout).toContain('  ... 5 more errors (--max-errors)');
  });

  it('reads stdin with -, gzip by content', () => {
    const r = cli(['-'], gzipSync(JSON.stringify(apiActivity110())));
    expect(r.stdout).toContain('<stdin>: OK 1 event, 1 valid, 0 invalid');
    expect(r.code).toBe(0);
  });

  it('unreadable inputs: missing file, bad JSON line, a broken Parquet file: exit 1 naming the file', () => {
    const missing = join(dir, 'nope.json');
    const broken = file('broken.ndjson', JSON.stringify(apiActivity110()) + '\n{"class_uid": \n');
    const pq = file('x.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(16), Buffer.from('PAR1')]));
    const r = cli([missing, broken, pq]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ocsf-lake validate: cannot read ${missing}: ENOENT`);
    expect(r.stderr).toContain(`ocsf-lake validate: cannot read ${broken}:2: line 2:`);
    expect(r.stderr).toContain(`ocsf-lake validate: cannot read ${pq}: not a readable Parquet file`);
    expect(r.stdout).toContain(`${broken}: UNREADABLE 1 event, 1 valid, 0 invalid`);
    expect(r.stdout).toContain('total: 1 event in 3 files, 1 valid, 0 invalid, 3 unreadable');
  });

  it('a zero-byte or cut Parquet file fails with its reason (in a lake too); random bytes are not a Parquet file', async () => {
    const lake = join(dir, 'lake');
    const sample = [...generateSampleFiles('route53', 20, { perFile: 20, seed: 2 })][0]!;
    const r = await ingest([{ name: 'r53.log.gz', bytes: sample.bytes }], { out: lake, workers: 1, fsync: false, validate: 'off' });
    const whole = readFileSync(join(lake, r.files[0]!.key));
    const partDir = join(lake, r.files[0]!.key, '..');
    writeFileSync(join(partDir, 'zero.parquet'), '');
    writeFileSync(join(partDir, 'cut.parquet'), whole.subarray(0, whole.length >> 1));
    const noise = file('noise.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256)));
    const out = cli([lake, noise]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`${join(partDir, 'zero.parquet')}: not a Parquet file: the file is empty (0 bytes)`);
    expect(out.stderr).toContain(`${join(partDir, 'cut.parquet')}: truncated Parquet file: ${whole.length >> 1} bytes`);
    expect(out.stderr).toContain(`${noise}: not a Parquet file (no PAR1 magic number) and not JSON text (binary data)`);
    expect(out.stderr).not.toContain('UTF-8');
    expect(out.stdout).toContain(`${join(lake, r.files[0]!.key)}: OK 20 events`);
    expect(out.stdout).toContain('3 unreadable');
  });

  it('an event nested 20,000 levels deep is one read error, not a stack overflow', () => {
    const deep = file('deep.json', '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000) + '\n' + JSON.stringify(apiActivity110()) + '\n');
    const r = cli([deep]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`ocsf-lake validate: cannot read ${deep}:1: nests objects/arrays deeper than 100 levels\n`);
    expect(r.stdout).toContain(`${deep}: UNREADABLE 1 event, 1 valid, 0 invalid`);
  });

  it('--strip-table-columns tolerates Security Lake table columns', () => {
    const p = file('table.json', JSON.stringify({ ...apiActivity110(), region: 'us-east-1', accountid: '123456789012', asl_version: '2' }));
    expect(cli([p]).code).toBe(1);
    expect(cli(['--strip-table-columns', p]).code).toBe(0);
  });

  it('usage error without FILE', () => {
    const r = cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('at least one FILE');
  });
});
