/**
 * Real data (issue 4 item 8): every file under ../shared/raw/route53/ (plus the Route 53 inputs of
 * aws-native and ocsf-examples) maps at both source versions without a crash, every event validates,
 * and failures are listed (there are none today; a new one must be added to KNOWN_FAILURES with why).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { createValidator } from '../../src/validate/index.js';

const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return filesUnder(p);
    return /^(LICENSE|COPYING|README)/.test(n) ? [] : [p];
  });
}

const files = [
  ...filesUnder(join(SHARED, 'raw/route53')),
  ...filesUnder(join(SHARED, 'aws-native/1.0.0-rc.2/ROUTE53/inputs')),
  join(SHARED, 'ocsf-examples/v1.0.0-rc.2/route53/route53.raw.json'),
  join(SHARED, 'ocsf-examples/v1.1.0/route53/route53.raw.json'),
];

/** `<file relative to ../shared>: <reason>` of every expected failure. */
const KNOWN_FAILURES: string[] = [];

describe.skipIf(!existsSync(SHARED))('route53 real data', () => {
  const validator = createValidator();
  it('has input files', () => expect(files.length).toBeGreaterThanOrEqual(7));

  it.each(['1.0', '2.0'])('maps every file at %s, all events valid, failures listed', async (version) => {
    const failures: string[] = [];
    const invalid: string[] = [];
    let events = 0;
    for (const file of files) {
      const session = createMapSession({ source: 'ROUTE53', sourceVersion: version });
      for await (const o of session.mapInput(file, readFileSync(file))) {
        if (o.kind === 'failure') failures.push(`${relative(SHARED, file)}: ${o.failure.reason}`);
        else if (o.kind === 'event') {
          events++;
          const r = validator.validate(o.event);
          if (!r.valid) invalid.push(`${relative(SHARED, file)}: ${JSON.stringify(r.errors)}`);
        }
      }
      expect(session.stats.failuresByReason['mapper-error']).toBeUndefined();
    }
    if (failures.length) console.log(`route53 real-data failures at ${version}:\n  ${failures.join('\n  ')}`);
    expect(invalid).toEqual([]);
    expect(failures).toEqual(KNOWN_FAILURES);
    expect(events).toBe(files.length);
  });
});
