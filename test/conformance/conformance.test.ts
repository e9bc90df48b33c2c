import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPairs, runPair } from './run.js';
import { SHARED } from './paths.js';

const pairs = existsSync(SHARED) ? await loadPairs() : [];

describe.skipIf(!existsSync(SHARED))('conformance with AWS native output and published OCSF samples', () => {
  it('has pairs', () => {
    expect(pairs.length).toBeGreaterThan(0);
  });
  it.each(pairs.map((p) => [p.id, p] as const))('%s matches leaf by leaf (or a listed deviation)', async (_id, pair) => {
    const r = await runPair(pair);
    expect(r.error).toBeUndefined();
    expect(r.problems).toEqual([]);
    expect(r.referenceLeaves).toBeGreaterThan(0);
  });
});
