import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createMapSession, defineSource, Filtered, MapFailure, unregisterSource } from '../../src/index.js';
// The registry itself: the engine's stub sources are not meant to pass the OCSF checks of the public registerSource.
import { registerSource } from '../../src/core/source.js';
import type { OcsfEvent } from '../../src/index.js';
import { isObject, parseJsonValues } from '../../src/core/json-input.js';

// A user-defined source, built only from the public API: NDJSON "logins" to OCSF Authentication.
const logins = defineSource({
  name: 'ACME_LOGINS',
  title: 'ACME login log',
  custom: true,
  versions: {
    '1.0': { ocsfVersion: '1.1.0', classes: [3002], profiles: [], attributes: ['user.name', 'unmapped'] },
  },
  decoders: [
    {
      format: 'acme-ndjson',
      sniff: (head) => head.includes('"acme_user"'),
      decode: (input) => parseJsonValues(input.text, input.context, 'ACME_LOGINS'),
    },
  ],
  createMapper(version) {
    return {
      source: 'ACME_LOGINS',
      version,
      ocsfVersion: '1.1.0',
      map(raw, context) {
        if (!isObject(raw)) return new MapFailure('not-an-object', 'not an object', 'ACME_LOGINS', raw, context);
        if (raw.kind === 'heartbeat') return new Filtered('heartbeat', '', 'ACME_LOGINS');
        const time = Date.parse(String(raw.at));
        if (Number.isNaN(time)) return new MapFailure('invalid-time', `bad time ${String(raw.at)}`, 'ACME_LOGINS', raw, context);
        const ev: OcsfEvent = {
          class_uid: 3002,
          activity_id: 1,
          type_uid: 300201,
          time,
          metadata: { version: '1.1.0', product: { name: 'ACME' } },
          user: { name: String(raw.acme_user) },
        };
        return ev;
      },
    };
  },
});

describe('engine with a user-defined source', () => {
  registerSource(logins);
  afterAll(() => unregisterSource('ACME_LOGINS'));

  it('maps, fails and filters with exact accounting, from gzip input', async () => {
    const lines = [
      '{"acme_user":"alice","at":"2024-01-01T00:00:00Z"}',
      '{"acme_user":"bob","at":"nope"}',
      '{not json',
      '42',
      '{"acme_user":"x","kind":"heartbeat"}',
      '{"acme_user":"carol","at":"2024-01-02T00:00:00Z"}',
    ].join('\n');
    const session = createMapSession({ source: 'acme_logins' });
    const out = [];
    for await (const o of session.mapInput('in.ndjson.gz', gzipSync(lines))) out.push(o);
    expect(out.map((o) => o.kind)).toEqual(['event', 'failure', 'failure', 'failure', 'filtered', 'event']);
    const failures = out.flatMap((o) => (o.kind === 'failure' ? [o.failure] : []));
    expect(failures.map((f) => [f.reason, f.context.line])).toEqual([
      ['invalid-time', 2],
      ['invalid-json', 3],
      ['not-an-object', 4],
    ]);
    const s = session.stats;
    expect(s).toMatchObject({ recordsIn: 6, events: 2, failures: 3, filtered: 1 });
    expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
    const first = out[0]!;
    expect(first.kind === 'event' && first.event.user).toEqual({ name: 'alice' });
  });

  it('reports unknown formats, empty inputs, fake gzip and truncated gzip without throwing', async () => {
    const session = createMapSession({ source: 'ACME_LOGINS' });
    const reasons: string[] = [];
    const full = gzipSync('{"acme_user":"a","at":"2024-01-01T00:00:00Z"}\n'.repeat(2000));
    const inputs: [string, Uint8Array][] = [
      ['x.csv', Buffer.from('a,b,c\n1,2,3\n')],
      ['empty.json', Buffer.alloc(0)],
      ['fake.gz', Buffer.from('{"acme_user":"a"}')],
      ['cut.gz', full.subarray(0, Math.floor(full.length / 2))],
    ];
    let events = 0;
    for (const [name, bytes] of inputs) {
      for await (const o of session.mapInput(name, bytes)) {
        if (o.kind === 'failure') reasons.push(o.failure.reason);
        else if (o.kind === 'event') events++;
      }
    }
    expect(reasons.slice(0, 3)).toEqual(['unknown-format', 'empty-input', 'not-gzip']);
    expect(reasons.at(-1)).toBe('truncated-gzip');
    // Records before the damage are salvaged.
    expect(events).toBeGreaterThan(100);
    const s = session.stats;
    expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
  });

  it('rejects unknown sources and versions at setup', () => {
    expect(() => createMapSession({ source: 'NOPE' })).toThrow(/unknown source "NOPE"/);
    expect(() => createMapSession({ source: 'ACME_LOGINS', sourceVersion: '2.0' })).toThrow(/exists only from source version 1.0/);
  });
});
