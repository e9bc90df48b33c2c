/**
 * Exactly-once into an S3 lake: the built CLI against s3rver behind the conditional-write proxy
 * (s3-server.ts), killed at seeded moments and at seeded write requests, with the scenarios of scenarios.ts;
 * an S3 outage that heals (s3rver stopped mid-run and started again on the same port and data); and
 * `validate s3://…`, the lake's own integrity check of an S3 lake.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { describeRun, expectCompleted, expectFailedLoudly, runCli, scenario } from './cli-runs.js';
import { expectExactlyOnce, expectNoDuplicateOrForeignEvent, ingestArgs, s3Target } from './lakes.js';
import type { LakeTarget } from './lakes.js';
import { COMMIT_EVERY, exactlyOnceScenarios, prepareSuite, rng } from './scenarios.js';
import type { SuiteState } from './scenarios.js';

let t: LakeTarget;
let st: SuiteState;
beforeAll(async () => {
  t = await s3Target();
  st = await prepareSuite(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

exactlyOnceScenarios(() => st);

// After the concurrent scenarios: stopping s3rver would fail their runs too.
describe('a healed S3 outage', () => {
  scenario('s3rver stops mid-run for 1-4 s and comes back: the run completes or fails loudly, and the same command again completes', async () => {
    const r = rng('s3', 'outage');
    const s3 = t.s3!;
    for (let attempt = 0; ; attempt++) {
      const lake = t.newLake(`outage-${attempt}`);
      const args = ingestArgs(t, lake, [st.base.dir], ['--workers', '2', ...COMMIT_EVERY]);
      const stopAfter = Math.round(st.cleanMs * (0.2 + 0.4 * r.next()) * 0.6 ** attempt);
      const downFor = r.int(1000, 4000);
      const running = runCli(`run with s3rver down from ${stopAfter} ms for ${downFor} ms`, args, { env: t.env });
      let ended = false;
      void running.then(() => (ended = true));
      await sleep(stopAfter);
      const failedBefore = t.proxy!.unreachable;
      const going = !ended;
      await s3.stop();
      await sleep(downFor);
      await s3.start();
      const hit = going && t.proxy!.unreachable > failedBefore;
      const run = await running;
      if (!hit) {
        // The run was over before the outage began, or sent nothing while it lasted: try again, earlier.
        expect(attempt, `${describeRun(run)}\nno run met the outage`).toBeLessThan(3);
        expectCompleted(run);
        continue;
      }
      if (run.code === 0) expectCompleted(run);
      else expectFailedLoudly(run);
      await expectNoDuplicateOrForeignEvent(t, lake, st.ref, `after ${describeRun(run)}`);
      expectCompleted(await runCli('the same command again', args, { env: t.env }));
      await expectExactlyOnce(t, lake, st.ref, 'healed S3 outage, then a re-run');
      return;
    }
  });
});

describe('validate s3://…', () => {
  scenario('checks an S3 lake as it checks a local one (events and integrity against the ledger)', async () => {
    const v = await runCli('validate an S3 lake', ['validate', t.newLake('measure'), ...t.flags], { env: t.env });
    expect(v.code, `${describeRun(v)}\n${v.stdout.slice(-800)}`).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`total: ${st.ref.lake.rows} events in \\d+ files, ${st.ref.lake.rows} valid, 0 invalid, 0 unreadable`));
  });
});
