/**
 * Golden cases for EKS_AUDIT (issue 5 item 5): every `test/golden/eks_audit/<case>.raw.<ext>` is mapped at
 * source version 2.0 and compared with the hand-checked `<case>.2.0.ocsf.json` (an array, in input order);
 * every expected event must also pass the OCSF validator. A new case needs no new code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const DIR = new URL('../golden/eks_audit/', import.meta.url);
const cases = readdirSync(DIR)
  .filter((f) => /\.raw\.[a-z]+$/.test(f))
  .sort()
  .map((f) => ({ name: f.replace(/\.raw\.[a-z]+$/, ''), input: f }));
const validator = createValidator();

async function mapFile(file: string) {
  const session = createMapSession({ source: 'EKS_AUDIT', sourceVersion: '2.0' });
  const events: unknown[] = [];
  const other: unknown[] = [];
  for await (const o of session.mapInput(file, readFileSync(new URL(file, DIR)))) {
    if (o.kind === 'event') events.push(JSON.parse(JSON.stringify(o.event)));
    else other.push(o.kind === 'failure' ? o.failure.toJSON() : o.filtered);
  }
  return { events, other, stats: session.stats };
}

describe('EKS_AUDIT golden cases (source version 2.0, OCSF 1.1.0)', () => {
  it('covers the issue 5 item 5 cases', () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['verbs', 'iam_role_user', 'anonymous', 'forbidden_403', 'pod_create', 'several_source_ips', 'pod_exec']),
    );
  });

  it.each(cases)('$name maps to its expected output', async ({ name, input }) => {
    const expected = JSON.parse(readFileSync(new URL(`${name}.2.0.ocsf.json`, DIR), 'utf8')) as unknown[];
    const { events, other, stats } = await mapFile(input);
    expect(other).toEqual([]);
    expect(stats.recordsIn).toBe(stats.events + stats.failures + stats.filtered);
    expect(events).toEqual(expected);
  });

  it.each(cases)('$name: every expected event is valid OCSF', ({ name }) => {
    const expected = JSON.parse(readFileSync(new URL(`${name}.2.0.ocsf.json`, DIR), 'utf8')) as unknown[];
    expect(expected.length).toBeGreaterThan(0);
    for (const ev of expected) expect(validator.validate(ev).errors).toEqual([]);
  });

  it('the verbs case has every verb of §7 with its activity', async () => {
    const expected = JSON.parse(readFileSync(new URL('verbs.2.0.ocsf.json', DIR), 'utf8')) as { api: { operation: string }; activity_id: number }[];
    expect(expected.map((e) => [e.api.operation, e.activity_id])).toEqual([
      ['create', 1], ['get', 2], ['list', 2], ['watch', 2], ['update', 3], ['patch', 3], ['delete', 4], ['deletecollection', 4],
    ]);
  });
});
