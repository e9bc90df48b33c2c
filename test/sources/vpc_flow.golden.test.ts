/**
 * VPC_FLOW golden cases: `test/golden/vpc_flow/<case>.raw.<ext>` (inputs written for this project),
 * optional `<case>.options.json` (`{options, context}`), and `<case>.<1.0|2.0>.ocsf.json` (the expected
 * events, checked by hand against mapping-spec §4 / §11.2). Every expected event must also pass the
 * OCSF validator. `GOLDEN_UPDATE=1` rewrites the expected files (review every change before keeping it).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import type { OcsfEvent, RecordContext, SourceOptions } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const DIR = new URL('../golden/vpc_flow/', import.meta.url);
const VERSIONS = ['1.0', '2.0'] as const;
const UPDATE = process.env.GOLDEN_UPDATE === '1';

const cases = readdirSync(DIR)
  .filter((f) => /\.raw\.[a-z]+$/.test(f))
  .map((f) => ({ name: f.replace(/\.raw\.[a-z]+$/, ''), file: f }));

function sidecar(name: string): { options?: SourceOptions; context?: RecordContext } {
  const p = new URL(`${name}.options.json`, DIR);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : {};
}

async function run(file: string, version: string, side: { options?: SourceOptions; context?: RecordContext }) {
  const session = createMapSession({ source: 'VPC_FLOW', sourceVersion: version, options: side.options, context: side.context });
  const events: OcsfEvent[] = [];
  const failures: unknown[] = [];
  for await (const o of session.mapInput(file, readFileSync(new URL(file, DIR)))) {
    if (o.kind === 'event') events.push(o.event);
    else if (o.kind === 'failure') failures.push(o.failure.toJSON());
  }
  return { events, failures, stats: session.stats };
}

/** Compact JSON: objects one key per line, arrays of scalars on one line. */
function pretty(v: unknown, ind = ''): string {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
    return '[\n' + v.map((x) => ind + '  ' + pretty(x, ind + '  ')).join(',\n') + '\n' + ind + ']';
  }
  if (v !== null && typeof v === 'object') {
    const e = Object.entries(v);
    if (e.length === 0) return '{}';
    return '{\n' + e.map(([k, x]) => `${ind}  ${JSON.stringify(k)}: ${pretty(x, ind + '  ')}`).join(',\n') + '\n' + ind + '}';
  }
  return JSON.stringify(v);
}

describe('VPC_FLOW golden cases', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const c of cases) {
    for (const v of VERSIONS) {
      it(`${c.name} @ ${v}`, async () => {
        const side = sidecar(c.name);
        const { events, failures, stats } = await run(c.file, v, side);
        expect(failures).toEqual([]);
        expect(stats.recordsIn).toBe(stats.events + stats.failures + stats.filtered);
        const expPath = new URL(`${c.name}.${v}.ocsf.json`, DIR);
        if (UPDATE) writeFileSync(expPath, pretty(JSON.parse(JSON.stringify(events))) + '\n');
        const expected = JSON.parse(readFileSync(expPath, 'utf8'));
        expect(events).toStrictEqual(expected);
      });
    }
  }
});

describe('VPC_FLOW golden expected outputs are valid OCSF', () => {
  const validator = createValidator();
  for (const c of cases) {
    for (const v of VERSIONS) {
      it(`${c.name} @ ${v}`, () => {
        const expected = JSON.parse(readFileSync(new URL(`${c.name}.${v}.ocsf.json`, DIR), 'utf8')) as unknown[];
        expect(expected.length).toBeGreaterThan(0);
        const bad = expected.map((e, i) => ({ i, errors: validator.validate(e).errors })).filter((r) => r.errors.length > 0);
        expect(bad).toEqual([]);
      });
    }
  }
});
