/**
 * What the CLI does with the inputs it is given: symbolic links inside directories are skipped unless
 * `--follow-symlinks` (then each real file is read once, so `loop -> .` neither repeats records nor runs
 * forever), a missing input is a one-line usage error before any work, an input that cannot be read during
 * the run is a counted `read-error` and a non-zero exit, and `map ... | head` ends quietly with exit 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listInputs, InputListingError } from '../../src/pipeline/inputs.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import { CLI, runCli } from '../cli-bin.js';

const tmp = mkdtempSync(join(tmpdir(), 'ocsf-lake-cli-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A directory holding one CloudTrail file of `records` records, plus the links `make` adds. */
function inputDir(name: string, records: number, make: (dir: string) => void = () => {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const f = [...generateSampleFiles('cloudtrail', records, { perFile: records, seed: 3 })][0]!;
  writeFileSync(join(dir, 'trail.json.gz'), f.bytes);
  make(dir);
  return dir;
}

async function names(inputs: string[], followSymlinks: boolean): Promise<string[]> {
  const out: string[] = [];
  for await (const o of listInputs(inputs, { followSymlinks })) out.push(o instanceof InputListingError ? `error:${o.input}` : o.name);
  return out;
}

function eventsWritten(stdout: string): number {
  return Number(/^events written +([\d,]+)$/m.exec(stdout)![1]!.replaceAll(',', ''));
}

describe('symbolic links inside input directories', () => {
  const outside = inputDir('outside', 3);
  const dir = inputDir('loops', 2, (d) => {
    symlinkSync('.', join(d, 'loop'));
    symlinkSync('.', join(d, 'loop2'));
    symlinkSync(join(outside, 'trail.json.gz'), join(d, 'linked.json.gz'));
    mkdirSync(join(d, 'sub'));
    symlinkSync('..', join(d, 'sub', 'up'));
  });

  it('are skipped by default; followed, each real file is listed once and loops end', async () => {
    expect(await names([dir], false)).toEqual([join(dir, 'trail.json.gz')]);
    expect(await names([dir], true)).toEqual([join(dir, 'linked.json.gz'), join(dir, 'trail.json.gz')]);
    // The same real file named twice, or reached through a link as well, is still read once when following.
    expect(await names([dir, join(outside, 'trail.json.gz')], true)).toEqual([join(dir, 'linked.json.gz'), join(dir, 'trail.json.gz')]);
  });

  it('a path named on the command line is followed even when it is a link', async () => {
    const link = join(tmp, 'named-link');
    symlinkSync(outside, link);
    expect(await names([link], false)).toEqual([join(link, 'trail.json.gz')]);
  });

  it('ingest writes each record once beside `loop -> .` and two such links, with and without --follow-symlinks', () => {
    const plain = runCli(['ingest', '--out', join(tmp, 'lake-plain'), '--workers', '1', dir]);
    expect(plain.status, plain.stderr).toBe(0);
    expect(eventsWritten(plain.stdout)).toBe(2);
    const followed = runCli(['ingest', '--follow-symlinks', '--out', join(tmp, 'lake-followed'), '--workers', '1', dir]);
    expect(followed.status, followed.stderr).toBe(0);
    expect(eventsWritten(followed.stdout)).toBe(2 + 3);
  });

  it('a dangling link followed is a counted read-error, and the run exits 1 with one line saying so', () => {
    const d = inputDir('dangling', 2, (x) => symlinkSync(join(x, 'gone.json'), join(x, 'broken.json')));
    const r = runCli(['ingest', '--follow-symlinks', '--out', join(tmp, 'lake-dangling'), '--workers', '1', d]);
    expect(r.status).toBe(1);
    expect(eventsWritten(r.stdout)).toBe(2);
    expect(r.stdout).toMatch(/^ {2}read-error +1$/m);
    expect(r.stderr).toBe('ocsf-lake ingest: 1 input could not be read (read-error, object-missing); their dead letters name them\n');
  });
});

describe('inputs named on the command line', () => {
  it('a missing one is a usage error before any work: exit 2, one line, nothing written', () => {
    const good = inputDir('good', 2);
    const out = join(tmp, 'lake-missing');
    for (const cmd of [['ingest', '--out', out], ['map', '--source', 'cloudtrail'], ['replay', '--out', out]]) {
      const r = runCli([...cmd, cmd[0] === 'map' ? join(good, 'trail.json.gz') : good, join(tmp, 'nope.json')]);
      expect(r.status, cmd[0]).toBe(2);
      expect(r.stdout, cmd[0]).toBe('');
      expect(r.stderr, cmd[0]).toMatch(new RegExp(`^ocsf-lake ${cmd[0]}: cannot read [^\\n]*nope\\.json: no such file or directory \\(see: ocsf-lake ${cmd[0]} --help\\)\\n$`));
    }
    expect(existsSync(out)).toBe(false);
  });

  it('map refuses a directory in one line naming ingest', () => {
    const r = runCli(['map', '--source', 'cloudtrail', inputDir('a-dir', 1)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ocsf-lake map: .*a-dir is a directory: map reads files; use ocsf-lake ingest for directories .*\n$/);
  });
});

describe('ocsf-lake map ... | head', () => {
  it('ends quietly with exit 0 when the reader closes the pipe', async () => {
    const file = join(tmp, 'big.json.gz');
    writeFileSync(file, [...generateSampleFiles('cloudtrail', 5000, { perFile: 5000, seed: 5 })][0]!.bytes);
    const child = spawn(process.execPath, [...CLI, 'map', '--source', 'cloudtrail', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let first = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy(); // what `head` does once it has its lines
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(first).toMatch(/^\{"class_uid":\d+,/);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
