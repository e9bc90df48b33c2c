/**
 * Exactly-once into a local lake folder: the built CLI, killed and re-run, with growing inputs, other worker
 * counts, files closed by age, two runs at once, replays and an unwritable lake (scenarios.ts).
 */
import { afterAll, beforeAll } from 'vitest';
import { localTarget } from './lakes.js';
import type { LakeTarget } from './lakes.js';
import { exactlyOnceScenarios, prepareSuite } from './scenarios.js';
import type { SuiteState } from './scenarios.js';

let t: LakeTarget;
let st: SuiteState;
beforeAll(async () => {
  t = localTarget();
  st = await prepareSuite(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

exactlyOnceScenarios(() => st);
