/**
 * The exactly-once scenarios, the same for every sink: each ends with a final successful run and the check that
 * the lake holds exactly the events of one clean run of the same inputs (`expectExactlyOnce`), and every run
 * that completes must balance its accounting. They are the cases that duplicated or lost events before the
 * lake had a commit ledger: a growing input folder, another worker count, files closed by age, crashes (SIGKILL
 * at seeded moments, then re-runs, with 1 or 2 workers), two ingests at once, replays, and a dead-letter sink
 * that cannot be written.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { Random } from '../../src/samples/random.js';
import { describeRun, expectCompleted, expectFailedLoudly, runCli, scenario, SEED } from './cli-runs.js';
import type { CliRun, KillTrigger } from './cli-runs.js';
import { copyInputs, writeBaseInputs, writeEksInputs, writeExtraInputs } from './inputs.js';
import type { InputSet } from './inputs.js';
import { multisetDiff, readLake } from './lake-readback.js';
import { cleanReference, expectExactlyOnce, expectNoDuplicateOrForeignEvent, ingestArgs, prefixOf } from './lakes.js';
import type { LakeTarget, Reference } from './lakes.js';

/** Kills that must land (the process still running) per sink, across the crash scenarios. */
export const MIN_KILLS_PER_SINK = 20;
/** Input objects per unit of work in the crash scenarios: many units, many windows between commits. */
export const COMMIT_EVERY = ['--commit-objects', '2'];

/** A PRNG per scenario and sink, so that one scenario's draws do not depend on which ran before it. */
export function rng(sink: string, scenario: string): Random {
  let h = SEED >>> 0;
  for (const c of `${sink}/${scenario}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return new Random(h);
}

export interface SuiteState {
  t: LakeTarget;
  base: InputSet;
  ref: Reference;
  /** Wall time and writes of a clean run with the crash scenarios' flags, for choosing kill points. */
  cleanMs: number;
  cleanWrites: number;
}

/** Builds the base inputs, the clean reference, and the clean run's duration and writes on this sink. */
export async function prepareSuite(t: LakeTarget): Promise<SuiteState> {
  const base = writeBaseInputs(join(t.tmp, 'in-base'), SEED);
  const ref = await cleanReference(t.tmp, 'base', [base.dir]);
  const lake = t.newLake('measure');
  const { result, writes } = await t.countWrites(lake, () => runCli('measure a clean run', ingestArgs(t, lake, [base.dir], ['--workers', '2', ...COMMIT_EVERY]), { env: t.env }));
  expectCompleted(result);
  return { t, base, ref, cleanMs: result.ms, cleanWrites: writes };
}

/**
 * A kill point: after a delay between 50 ms and the clean run's duration, or at one of the clean run's writes.
 * A re-run only redoes what is not committed yet, so the ranges shrink with each kill the lake has taken
 * (`k`): the delay by 0.8 per kill down to a quarter, the write number (which only counts this run's
 * writes) by 0.6 per kill down to a tenth.
 */
function pickKill(st: SuiteState, r: Random, lake: string, k: number): KillTrigger {
  if (r.chance(0.5)) return { kind: 'delay', ms: r.int(50, Math.max(51, Math.round(st.cleanMs * Math.max(0.25, 0.8 ** k)))) };
  return st.t.writeTrigger(lake, r.int(1, Math.max(1, Math.round(st.cleanWrites * Math.max(0.1, 0.6 ** k)))), r);
}

async function landedKill(st: SuiteState, what: string, run: CliRun, lake: string): Promise<void> {
  expect(run.signal, describeRun(run)).toBe('SIGKILL');
  // Whatever moment the crash hit, a reader of the table paths sees no duplicate and nothing foreign.
  await expectNoDuplicateOrForeignEvent(st.t, lake, st.ref, `${what}, right after ${describeRun(run)}`);
}

export function exactlyOnceScenarios(get: () => SuiteState): void {
  const ingest = (st: SuiteState, label: string, lake: string, inputs: readonly string[], extra: readonly string[], kill?: KillTrigger) =>
    runCli(label, ingestArgs(st.t, lake, inputs, extra), { env: st.t.env, kill });

  // Scenarios use lakes of their own, so they run side by side (vitest's maxConcurrency at a time).
  describe.concurrent('the scenarios that duplicated events, word for word', () => {
    scenario('growing input: ingest over a folder, add a file, the same command again', async () => {
      const st = get();
      const dir = copyInputs(st.base.dir, join(st.t.tmp, 'in-grow'));
      const lake = st.t.newLake('grow');
      const first = expectCompleted(await ingest(st, 'first run', lake, [dir], ['--workers', '1']));
      const added = writeExtraInputs(dir, SEED, 2);
      const again = await ingest(st, 'same command, one more file', lake, [dir], ['--workers', '1']);
      const second = expectCompleted(again);
      expect(second.objectsSkipped, describeRun(again)).toBe(st.base.files.length);
      expect(second.recordsSkipped, describeRun(again)).toBe(first.recordsIn);
      expect(second.recordsIn, describeRun(again)).toBe(added.length * 10);
      const third = await runCli('the same command, summary table', ingestArgs(st.t, lake, [dir], ['--workers', '1']).filter((a) => a !== '--json'), { env: st.t.env });
      expect(third.code, describeRun(third)).toBe(0);
      expect(third.stdout + third.stderr).toMatch(new RegExp(`skipped +${st.base.files.length + added.length} objects already ingested \\(${first.recordsIn + second.recordsIn} records\\)`));
      await expectExactlyOnce(st.t, lake, await cleanReference(st.t.tmp, 'grow', [dir]), 'growing input');
    });

    scenario('another worker count: a lake from --workers 1 re-run with --workers 2', async () => {
      const st = get();
      const lake = st.t.newLake('workers');
      expectCompleted(await ingest(st, '--workers 1', lake, [st.base.dir], ['--workers', '1']));
      const again = await ingest(st, '--workers 2', lake, [st.base.dir], ['--workers', '2']);
      const s = expectCompleted(again);
      expect({ eventsWritten: s.eventsWritten, objectsSkipped: s.objectsSkipped }, describeRun(again)).toEqual({ eventsWritten: 0, objectsSkipped: st.base.files.length });
      await expectExactlyOnce(st.t, lake, st.ref, 'another worker count');
    });

    scenario('files closed by age (--max-file-age 0.2), run twice', async () => {
      const st = get();
      const lake = st.t.newLake('age');
      const age = ['--workers', '1', '--max-file-age', '0.2'];
      expectCompleted(await ingest(st, 'first run', lake, [st.base.dir], age));
      const s = expectCompleted(await ingest(st, 'second run', lake, [st.base.dir], age));
      expect(s.eventsWritten).toBe(0);
      await expectExactlyOnce(st.t, lake, st.ref, 'files closed by age');
    });

    scenario('a crash, then a re-run: a 2-worker run killed with SIGKILL, re-run with 1 worker', async () => {
      const st = get();
      const r = rng(st.t.sink, 'crash');
      let lake = '';
      let landed = false;
      for (let attempt = 0; attempt < 4 && !landed; attempt++) {
        lake = st.t.newLake(`crash-${attempt}`);
        const ms = Math.round(st.cleanMs * (0.3 + 0.5 * r.next()) * 0.7 ** attempt);
        const run = await ingest(st, `2 workers, SIGKILL after ${ms} ms`, lake, [st.base.dir], ['--workers', '2', ...COMMIT_EVERY], { kind: 'delay', ms });
        landed = run.killedAt !== undefined;
        if (landed) await landedKill(st, 'crash then 1 worker', run, lake);
        else expectCompleted(run); // it finished first: try again, earlier
      }
      expect(landed, 'a kill that landed mid-run').toBe(true);
      expectCompleted(await ingest(st, 're-run with 1 worker', lake, [st.base.dir], ['--workers', '1', ...COMMIT_EVERY]));
      await expectExactlyOnce(st.t, lake, st.ref, 'crash then re-run with another worker count');
    });

    scenario('replay: a replay that fails again changes nothing; replaying twice never writes an event twice', async () => {
      const st = get();
      const dir = copyInputs(st.base.dir, join(st.t.tmp, 'in-replay'));
      const eks = writeEksInputs(dir, SEED);
      const lake = st.t.newLake('replay');
      const replay = (label: string, extra: string[]) => runCli(label, ['replay', '--out', lake, '--json', ...st.t.flags, ...extra, `${lake}/dlq`], { env: st.t.env });
      const first = expectCompleted(await ingest(st, 'ingest without --region', lake, [dir], ['--workers', '1']));
      expect(first.failures, 'the EKS records and the bad ones are dead-lettered').toBe(eks.length * 15 + st.ref.summary.failures);
      const before = await readLake(await st.t.snapshot(lake));

      // The EKS records still have no region: they fail again, and neither events nor dead letters change.
      const failed = await replay('replay that fails again', []);
      expect(expectCompleted(failed).eventsWritten).toBe(0);
      const after = await readLake(await st.t.snapshot(lake));
      expect(multisetDiff(after.events, before.events), describeRun(failed)).toBe('');
      expect(multisetDiff(after.deadLetters, before.deadLetters), `${describeRun(failed)}\ndead letters after a replay that failed again`).toBe('');

      // With the fix the EKS records land once, however often the replay runs; the bad records stay dead letters, once.
      const fixed = expectCompleted(await replay('replay with --region', ['--region', 'us-east-1']));
      const twice = expectCompleted(await replay('the same replay again', ['--region', 'us-east-1']));
      expect({ first: fixed.eventsWritten, second: twice.eventsWritten }).toEqual({ first: eks.length * 15, second: 0 });
      await expectExactlyOnce(st.t, lake, await cleanReference(st.t.tmp, 'replay-region', [dir], ['--region', 'us-east-1']), 'after two replays with the fix');
    });

    scenario('loss is never reported as success: records that cannot be stored fail the run, a publish that fails is redone, the re-run stores everything once', async () => {
      const st = get();
      const lake = st.t.newLake('loss');
      const command = (label: string) => ingest(st, label, lake, [st.base.dir], ['--workers', '1']);
      let heal = breakStorage(st.t, lake);
      const broken = await command('dead letters cannot be stored');
      heal();
      const s = expectFailedLoudly(broken);
      expect(s, `${describeRun(broken)}\na run that could not store records must print its summary`).toBeDefined();
      expect(s!.balanced, describeRun(broken)).toBe(false);
      expect(s!.recordsNotStored, describeRun(broken)).toBeGreaterThanOrEqual(st.ref.summary.failures);
      await expectNoDuplicateOrForeignEvent(st.t, lake, st.ref, 'after the run that could not store records');

      // Stored and committed, but the move to dlq/ fails: the run must not exit 0, and the next run finishes it.
      heal = breakDeadLetterPublish(st.t, lake);
      const unpublished = await command('dead letters committed, their publish fails');
      heal();
      expectFailedLoudly(unpublished);
      await expectNoDuplicateOrForeignEvent(st.t, lake, st.ref, 'after the run whose publish failed');

      expectCompleted(await command('the same command, everything healed'));
      await expectExactlyOnce(st.t, lake, st.ref, 'after the healed re-run');
    });
  });

  describe.concurrent('crashes at seeded random moments', () => {
    scenario(`SIGKILL at ${MIN_KILLS_PER_SINK}+ moments, 1 or 2 workers per run, re-run until one completes: exactly one copy of each event`, async () => {
      const st = get();
      const r = rng(st.t.sink, 'storm');
      const kills: string[] = [];
      // One lake takes the kills (recovery itself gets crashed), then a run without a kill must complete. A run
      // that ends before its kill point completes that lake early; the remaining kills go to a new lake.
      for (let lakeNo = 0; kills.length < MIN_KILLS_PER_SINK && lakeNo < 6; lakeNo++) {
        const lake = st.t.newLake(`storm-${lakeNo}`);
        for (let attempt = 0, killed = 0; ; attempt++) {
          const workers = String(r.int(1, 2));
          const kill = kills.length < MIN_KILLS_PER_SINK ? pickKill(st, r, lake, killed) : undefined;
          const run = await ingest(st, `lake ${lakeNo} run ${attempt}, --workers ${workers}`, lake, [st.base.dir], ['--workers', workers, ...COMMIT_EVERY], kill);
          if (!run.killedAt) {
            expectCompleted(run);
            break;
          }
          killed++;
          kills.push(run.killedAt);
          await landedKill(st, `storm lake ${lakeNo}`, run, lake);
        }
        await expectExactlyOnce(st.t, lake, st.ref, `storm lake ${lakeNo}`);
      }
      expect(kills.length, `kills that landed:\n${kills.join('\n')}`).toBeGreaterThanOrEqual(MIN_KILLS_PER_SINK);
    });
  });

  describe.concurrent('two ingests at once into one lake', () => {
    scenario('over the same inputs: each object is committed once, the accounting of both runs adds up to one clean run', async () => {
      const st = get();
      const lake = st.t.newLake('concurrent-same');
      const runs = await Promise.all([1, 2].map((n) => ingest(st, `concurrent run ${n}`, lake, [st.base.dir], ['--workers', '1', ...COMMIT_EVERY])));
      const [a, b] = runs.map(expectCompleted);
      expect(a!.eventsWritten + b!.eventsWritten, runs.map(describeRun).join('\n')).toBe(st.ref.summary.eventsWritten);
      await expectExactlyOnce(st.t, lake, st.ref, 'two runs at once over the same inputs');
    });

    scenario('over overlapping inputs (CloudTrail in both), then a third run that finds nothing to do', async () => {
      const st = get();
      const lake = st.t.newLake('concurrent-overlap');
      const d = st.base.dir;
      const runs = await Promise.all([
        ingest(st, 'CloudTrail + bad', lake, [join(d, 'cloudtrail'), join(d, 'bad')], ['--workers', '2', ...COMMIT_EVERY]),
        ingest(st, 'CloudTrail + Route 53', lake, [join(d, 'cloudtrail'), join(d, 'route53')], ['--workers', '1', ...COMMIT_EVERY]),
      ]);
      runs.forEach(expectCompleted);
      const third = expectCompleted(await ingest(st, 'everything, once more', lake, [d], ['--workers', '1']));
      expect({ eventsWritten: third.eventsWritten, objectsSkipped: third.objectsSkipped }).toEqual({ eventsWritten: 0, objectsSkipped: st.base.files.length });
      await expectExactlyOnce(st.t, lake, st.ref, 'two runs at once over overlapping inputs');
    });
  });
}

/**
 * Makes storing records fail in a way that holds as root. Local: `_ocsf_lake/staging` is a regular file, so no
 * unit can stage a file. S3: the proxy answers 403 AccessDenied to every write of a dead-letter file (staged
 * or final). Returns the function that heals it.
 */
function breakStorage(t: LakeTarget, lake: string): () => void {
  if (t.sink === 'local') return blockWithFile(join(lake, '_ocsf_lake', 'staging'));
  return denyWrites(t, lake, (rel) => /(^|\/)dlq\//.test(rel));
}

/** Makes the last step fail: moving dead letters to `dlq/` (local: `dlq` is a regular file; S3: 403 on `dlq/…`). */
function breakDeadLetterPublish(t: LakeTarget, lake: string): () => void {
  if (t.sink === 'local') return blockWithFile(join(lake, 'dlq'));
  return denyWrites(t, lake, (rel) => rel.startsWith('dlq/'));
}

function blockWithFile(path: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, 'not a directory\n');
  return () => rmSync(path);
}

function denyWrites(t: LakeTarget, lake: string, denied: (lakeRelativeKey: string) => boolean): () => void {
  const prefix = prefixOf(lake);
  return t.proxy!.intercept(prefix, (m) => (denied(m.key.slice(prefix.length)) ? { status: 403, code: 'AccessDenied' } : undefined));
}
