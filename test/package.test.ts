/**
 * The package as users see it: named exports only, every name the README imports exists, the bin and exports map
 * point at the build, and dependency versions are pinned exactly (the lockfile holds them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('package', () => {
  it('has no default export, and every name the README imports from ocsf-lake is exported', () => {
    expect('default' in api).toBe(false);
    const imported = [...readme.matchAll(/import \{([^}]+)\} from 'ocsf-lake'/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter((s) => /^[A-Za-z_]\w*$/.test(s)));
    expect(imported.length).toBeGreaterThan(5);
    for (const name of imported) expect(api, `README imports ${name}`).toHaveProperty(name);
  });

  it('exposes the CLI and the typed ESM build', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.bin).toEqual({ 'ocsf-lake': './dist/cli/bin.js' });
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'mappings', 'schemas']));
  });

  it('pins every dependency to an exact version', () => {
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(version, name).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    }
  });

  it('installs only what the library imports: every runtime dependency is imported by src/, DuckDB is an optional peer', () => {
    const sources = readdirSync(new URL('src/', root), { recursive: true })
      .filter((f) => String(f).endsWith('.ts'))
      .map((f) => readFileSync(new URL(`src/${String(f)}`, root), 'utf8'))
      .join('\n');
    for (const name of Object.keys(pkg.dependencies)) expect(sources, `${name} is a dependency src/ never imports`).toMatch(new RegExp(`['"]${name}(/[^'"]*)?['"]`));
    expect(pkg.dependencies.tinybench).toBeUndefined();
    expect(pkg.peerDependenciesMeta['@duckdb/node-api']).toEqual({ optional: true });
    expect(pkg.dependencies['@duckdb/node-api']).toBeUndefined();
  });

  it('README names the two set-up commands that .ci/run runs', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
    const ci = readFileSync(new URL('.ci/run', root), 'utf8');
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
