/**
 * The AWS SDK is loaded only by runs that use S3 or Glue: no static import chain from the CLI or the worker
 * thread reaches it, and a local `ingest` with workers runs with every `@aws-sdk/*` import refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSampleFiles } from '../../src/samples/index.js';
import { CLI, ROOT } from '../cli-bin.js';
import { spawnSync } from 'node:child_process';

const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-lean-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const STATIC_IMPORT = /^(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]/gm;

/** Packages reached from `entry` through static imports only (what loads before any `import()`). */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(entry);
  return packages;
}

describe('lean start-up', () => {
  it('neither the CLI nor a worker thread imports the AWS SDK statically', () => {
    for (const entry of [CLI[0]!, join(ROOT, 'dist', 'pipeline', 'worker.js')]) {
      const packages = staticPackages(entry);
      expect(packages.size, entry).toBeGreaterThan(0);
      expect([...packages].filter((p) => p.startsWith('@aws-sdk/')), entry).toEqual([]);
    }
  });

  it('a local ingest on worker threads runs with the AWS SDK unloadable', () => {
    const input = join(tmp, 'trail.json.gz');
    writeFileSync(input, [...generateSampleFiles('cloudtrail', 50, { perFile: 50, seed: 2 })][0]!.bytes);
    const hooks = join(tmp, 'no-aws-sdk.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(specifier, context, next) {\n  if (specifier.startsWith('@aws-sdk/')) throw new Error('AWS SDK imported: ' + specifier);\n  return next(specifier, context);\n}\n`,
    );
    const register = join(tmp, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const r = spawnSync(process.execPath, ['--import', `file://${register}`, ...CLI, 'ingest', '--workers', '2', '--out', join(tmp, 'lake'), input], { encoding: 'utf8' });
    expect(r.stderr).not.toContain('AWS SDK imported');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^events written +50$/m);
    // The hook does refuse the SDK: a run that needs it fails.
    const s3 = spawnSync(process.execPath, ['--import', `file://${register}`, ...CLI, 'ingest', '--out', 's3://lake/x', input], { encoding: 'utf8' });
    expect(s3.stderr).toContain('AWS SDK imported');
    const trace = /full trace in (.+); please report it/.exec(s3.stderr)?.[1];
    if (trace !== undefined) rmSync(trace, { force: true });
  });
});
