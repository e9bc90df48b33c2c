/**
 * User sources on worker threads: `ingest({ sourceModules })` imports the modules that register them on the
 * calling thread and in every worker, so a run that selects a user source keeps its workers. Without them such a
 * run stays on the calling thread; a source the modules do not register is refused by the workers.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ingest, unregisterSource } from '../../src/index.js';
import type { InputSource } from '../../src/index.js';
import { ACME_CONTEXT, ACME_SSO, acmeLines, registerAcmeSso } from './acme-sso.js';
import { expectBalanced, readDeadLetters, tempDir } from './helpers.js';

const PLUGIN = fileURLToPath(new URL('./acme-sso-plugin.ts', import.meta.url));
const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => unregisterSource(ACME_SSO));

/** Four days of sign-ins, one object per day (so two workers both get work), two of them with a numeric user id. */
function inputs(): InputSource[] {
  return [14, 15, 16, 17].map((day, k) => {
    const lines = acmeLines(50, (i) => ({ at: new Date(Date.UTC(2024, 2, day, 1, 0, i)).toISOString(), ...(k === 1 && i < 2 ? { user_id: i } : {}) }));
    return { name: `sso/2024-03-${day}.ndjson.gz`, bytes: gzipSync(lines.join('\n') + '\n') };
  });
}
const run = (out: string, extra: object) =>
  ingest(inputs(), { source: ACME_SSO, context: ACME_CONTEXT, out: `${tmp.dir}/${out}`, fsync: false, validate: 'all', workers: 2, ...extra });

describe('sourceModules', () => {
  it('registers a user source in every worker, so the run keeps its workers', async () => {
    const r = await run('with-modules', { sourceModules: [PLUGIN] });
    expect(r.workers).toBe(2);
    expectBalanced(r.counts);
    expect(r.counts).toMatchObject({ recordsIn: 200, eventsWritten: 198, failures: 2 });
    expect(r.counts.failuresByReason).toEqual({ 'validation-failed': 2 });
    expect(Object.keys(r.counts.eventsByPartition).sort()).toEqual(
      [14, 15, 16, 17].map((d) => `ext/ACME_SSO/1.0/region=us-east-1/accountId=123456789012/eventDay=202403${d}`),
    );
    expect(readDeadLetters(`${tmp.dir}/with-modules`).map((d) => d.source)).toEqual([ACME_SSO, ACME_SSO]);
  });

  it('runs on the calling thread when the workers could not know the source', async () => {
    registerAcmeSso();
    const r = await run('without-modules', {});
    expect(r.workers).toBe(1);
    expect(r.counts).toMatchObject({ recordsIn: 200, eventsWritten: 198, failures: 2 });
  });

  it('is refused by the workers when the modules do not register a selected source', async () => {
    registerAcmeSso();
    const other = fileURLToPath(new URL('./acme-sso.ts', import.meta.url)); // defines ACME_SSO but registers nothing
    await expect(run('wrong-modules', { sourceModules: [other] })).rejects.toThrow(/source ACME_SSO is registered on the calling thread but not by the sourceModules/);
  });

  it('reports a module that cannot be imported, before any work', async () => {
    await expect(run('missing', { sourceModules: ['./no-such-plugin.js'] })).rejects.toThrow(/source module "\.\/no-such-plugin\.js" could not be imported/);
  });
});
