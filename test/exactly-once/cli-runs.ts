/**
 * Runs the built CLI as a child process, the way a cron job or a crash-looping container runs it, and kills it
 * with SIGKILL at a chosen moment: after a delay, when the lake has gained N files (local sinks, polled), or at
 * the client's Nth write request (S3, seen by the proxy, which may still let that write land). Every run is
 * logged (arguments, how it ended, the kill point) so that a failing test prints what happened, with the seed.
 */
import type { RunCounts } from '../../src/pipeline/summary.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { CLI, ROOT } from '../cli-bin.js';
import type { ConditionalProxy } from './s3-server.js';

/** When to SIGKILL a run; `undefined` lets it finish. */
export type KillTrigger =
  | { kind: 'delay'; ms: number }
  /** Local lake: when the tree under `root` holds `count` more files than when the run started. */
  | { kind: 'files'; root: string; count: number }
  /** S3 lake: at the `nth` write request of this run under `prefix`; `land` forwards that request after the kill. */
  | { kind: 'write'; proxy: ConditionalProxy; prefix: string; nth: number; land: boolean };

export interface CliRun {
  label: string;
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Set when the harness killed the process (it was still running at the kill point). */
  killedAt?: string;
}

/** The seed of every random choice (kill moments, worker counts, outages): `EO_SEED=<n>` reproduces a run. */
export const SEED = Number(process.env.EO_SEED ?? 20261208);

/** The runs of the test in progress (tests may run concurrently, so the log follows the async context). */
const runLog = new AsyncLocalStorage<CliRun[]>();

/**
 * A test whose CLI runs are logged: when it fails (or always, with `EO_TRACE=1`) it prints the seed and every
 * run, kill points included.
 */
export function scenario(name: string, body: (ctx: TestContext) => Promise<void>, timeout = 300_000): void {
  it(name, { timeout }, async (ctx) => {
    const log: CliRun[] = [];
    const print = () => {
      process.stderr.write(`\n[exactly-once] ${name}: seed ${SEED} (EO_SEED=${SEED} reproduces), ${log.length} runs:\n${log.map((r) => `  ${describeRun(r)}`).join('\n')}\n`);
    };
    ctx.onTestFailed(print);
    await runLog.run(log, () => body(ctx));
    if (process.env.EO_TRACE === '1') print();
  });
}

/** The AWS SDK's notice about future Node versions, which every S3 run prints: not what a failure is about. */
const SDK_NOTICE = /NodeVersionSupportWarning|versions published after|will require node|To continue receiving|security updates please|More information can be found|--trace-warnings/;

export function describeRun(r: CliRun): string {
  const end = r.killedAt ? `SIGKILL ${r.killedAt}` : r.signal ? `signal ${r.signal} after ${r.ms} ms` : `exit ${r.code} after ${r.ms} ms`;
  const tail = r.stderr.split('\n').filter((l) => l.trim() !== '' && !SDK_NOTICE.test(l)).slice(-3).join(' | ');
  return `${r.label}: ${end}${tail ? ` — stderr: ${tail.slice(0, 400)}` : ''}\n    ocsf-lake ${r.args.join(' ')}`;
}

function countFiles(root: string): number {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  } catch {
    return 0;
  }
}

/** Runs `ocsf-lake ...args` to its end or to the kill trigger. */
export function runCli(label: string, args: string[], opts: { env?: Record<string, string>; kill?: KillTrigger } = {}): Promise<CliRun> {
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CliRun = { label, args, code: null, signal: null, stdout: '', stderr: '', ms: 0 };
  child.stdout!.on('data', (c: Buffer) => (run.stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (run.stderr += c.toString('utf8')));
  let exited = false;
  const kill = (why: string) => {
    if (exited || run.killedAt) return;
    run.killedAt = `${why}, ${Date.now() - started} ms into the run`;
    child.kill('SIGKILL');
  };
  const cleanups: (() => void)[] = [];
  const k = opts.kill;
  if (k?.kind === 'delay') {
    const t = setTimeout(() => kill(`after ${k.ms} ms`), k.ms);
    cleanups.push(() => clearTimeout(t));
  } else if (k?.kind === 'files') {
    const base = countFiles(k.root);
    const t = setInterval(() => {
      if (countFiles(k.root) >= base + k.count) kill(`when the lake gained ${k.count} files`);
    }, 4);
    cleanups.push(() => clearInterval(t));
  } else if (k?.kind === 'write') {
    cleanups.push(
      k.proxy.intercept(k.prefix, (m) => {
        if (m.n !== k.nth || exited) return undefined;
        kill(`at write #${m.n} ${m.method} ${m.key}${m.copySource ? ` (copy of ${m.copySource})` : ''}, ${k.land ? 'which lands' : 'which is dropped'}`);
        return k.land ? 'forward' : 'drop';
      }),
    );
  }
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      for (const c of cleanups) c();
      run.code = code;
      run.signal = signal;
      run.ms = Date.now() - started;
      // A kill that raced the exit did not land: the run finished on its own.
      if (run.killedAt && signal !== 'SIGKILL') delete run.killedAt;
      runLog.getStore()?.push(run);
      resolve(run);
    });
  });
}

/** The JSON summary `ingest --json` / `replay --json` prints on stdout: the run's counts and more. */
export type RunSummary = Pick<RunCounts, 'recordsIn' | 'eventsWritten' | 'failures' | 'filtered' | 'recordsNotStored' | 'objectsSkipped' | 'recordsSkipped'> & {
  balanced: boolean;
  [k: string]: unknown;
};

export function parseSummary(r: CliRun): RunSummary {
  const start = r.stdout.indexOf('{');
  expect(start, `${describeRun(r)}\nno JSON summary on stdout: ${r.stdout.slice(0, 500)}`).toBeGreaterThanOrEqual(0);
  return JSON.parse(r.stdout.slice(start)) as RunSummary;
}

/**
 * The accounting of a completed run (one that printed its summary): records in = events written + failures +
 * filtered + records not stored; `balanced` exactly when nothing is unstored and that identity holds; a run
 * that exits 0 is balanced. Returns the summary.
 */
export function expectAccounting(r: CliRun): RunSummary {
  const s = parseSummary(r);
  const what = `${describeRun(r)}\nsummary: ${JSON.stringify({ recordsIn: s.recordsIn, eventsWritten: s.eventsWritten, failures: s.failures, filtered: s.filtered, recordsNotStored: s.recordsNotStored, objectsSkipped: s.objectsSkipped, recordsSkipped: s.recordsSkipped, balanced: s.balanced })}`;
  for (const f of ['recordsIn', 'eventsWritten', 'failures', 'filtered', 'recordsNotStored', 'objectsSkipped', 'recordsSkipped'] as const) {
    expect(Number.isInteger(s[f]) && s[f] >= 0, `${what}\n${f} must be a count`).toBe(true);
  }
  const identity = s.recordsIn === s.eventsWritten + s.failures + s.filtered + s.recordsNotStored;
  expect(identity, `${what}\nrecordsIn !== eventsWritten + failures + filtered + recordsNotStored`).toBe(true);
  expect(s.balanced, `${what}\nbalanced must be (recordsNotStored === 0 && identity)`).toBe(s.recordsNotStored === 0 && identity);
  if (r.code === 0) expect(s.balanced, `${what}\na run that exits 0 must be balanced`).toBe(true);
  return s;
}

/** A run that was not interfered with: it exits 0 with a balanced summary. */
export function expectCompleted(r: CliRun): RunSummary {
  expect(r.killedAt, describeRun(r)).toBeUndefined();
  expect(r.code, describeRun(r)).toBe(0);
  return expectAccounting(r);
}

/**
 * A run that met a fault it could not ride out: it exits non-zero and says why on stderr; when it printed a
 * summary, the summary balances with what it could not store.
 */
export function expectFailedLoudly(r: CliRun): RunSummary | undefined {
  expect(r.killedAt, describeRun(r)).toBeUndefined();
  expect(r.code, describeRun(r)).not.toBe(0);
  expect(r.stderr, `${describeRun(r)}\na failed run must say why on stderr`).toMatch(/ocsf-lake \w+: \S/);
  return r.stdout.includes('{') ? expectAccounting(r) : undefined;
}
