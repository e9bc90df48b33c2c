/**
 * Real data (issue 4 item 8): every file under ../shared/raw/vpcflow/ maps at both source versions
 * without a crash, every event validates, and the failures are exactly the listed ones.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const ROOT = fileURLToPath(new URL('../../../shared/raw/vpcflow/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : /^(LICENSE|COPYING)/.test(d.name) ? [] : [join(dir, d.name)],
  );
}

/**
 * Expected failures: the two doc formats without a `start` field cannot give `time` (mappings/vpc_flow
 * deviation vpc-start-missing). Every other line maps.
 */
const EXPECTED_FAILURES: Record<string, { reason: string; count: number }> = {
  'awsdocs/vpc-user-guide__custom-nat-gateway.log': { reason: 'missing-field', count: 6 },
  'awsdocs/vpc-user-guide__custom-v3-transit-gateway.log': { reason: 'missing-field', count: 4 },
};

describe.skipIf(!existsSync(ROOT))('VPC_FLOW real data (../shared/raw/vpcflow)', () => {
  const validator = createValidator();
  const all = existsSync(ROOT) ? files(ROOT) : [];

  it('finds the files', () => expect(all.length).toBeGreaterThanOrEqual(6));

  for (const version of ['1.0', '2.0']) {
    for (const file of all) {
      const rel = relative(ROOT, file);
      it(`${rel} @ ${version}`, async () => {
        const session = createMapSession({ source: 'VPC_FLOW', sourceVersion: version });
        const invalid: unknown[] = [];
        const failures: string[] = [];
        for await (const o of session.mapInput(file, readFileSync(file))) {
          if (o.kind === 'event') {
            const r = validator.validate(o.event);
            if (!r.valid) invalid.push({ line: o.context.line, errors: r.errors });
          } else if (o.kind === 'failure') failures.push(o.failure.reason);
        }
        const s = session.stats;
        expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
        expect(invalid).toEqual([]);
        const want = EXPECTED_FAILURES[rel];
        expect(failures).toEqual(want ? Array(want.count).fill(want.reason) : []);
        expect(s.events + s.failures).toBeGreaterThan(0);
      });
    }
  }
});
