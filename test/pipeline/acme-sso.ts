/**
 * A user-defined source of the pipeline tests, built through the public API only. No vitest import, so that a
 * worker thread can load it (`acme-sso-plugin.ts`, given to `ingest` as a source module).
 */
import { defineSource, getSource, isObject, MapFailure, parseJsonValues, registerSource } from '../../src/index.js';
import type { OcsfEvent } from '../../src/index.js';
import { customEvent } from '../writer/fixtures.js';

/**
 * `ACME_SSO`: NDJSON sign-in records (`{"acme_sso": "<user>", "at": "<ISO time>", ...}`) to OCSF 1.1.0
 * Authentication (3002), written to the custom-source layout (region and account of the partition come from the
 * run's `context`: see {@link ACME_CONTEXT}). A record with `"user_id": <number>` is mapped
 * as is into `user.uid`, which makes an event that the OCSF schema refuses (uid must be a string): the
 * validator (`validate: 'all'`) dead-letters it as `validation-failed` with its errors. Worker threads know it
 * when the run's `sourceModules` names `./acme-sso-plugin.ts` (registration is per thread).
 */
export const ACME_SSO = 'ACME_SSO';
export const ACME_CONTEXT = { region: 'us-east-1', accountId: '123456789012' };

export function registerAcmeSso(): void {
  if (getSource(ACME_SSO)) return;
  registerSource(
    defineSource({
      name: ACME_SSO,
      title: 'ACME single sign-on log (test)',
      custom: true,
      versions: {
        '1.0': {
          ocsfVersion: '1.1.0',
          classes: [3002],
          profiles: [],
          attributes: ['metadata.product.name', 'metadata.product.vendor_name', 'user.name', 'user.uid', 'dst_endpoint.svc_name', 'status_id', 'status', 'unmapped'],
        },
      },
      decoders: [
        {
          format: 'acme-sso-ndjson',
          sniff: (head) => head.includes('"acme_sso"'),
          decode: (input) => parseJsonValues(input.text, input.context, ACME_SSO),
        },
      ],
      createMapper(version) {
        return {
          source: ACME_SSO,
          version,
          ocsfVersion: '1.1.0',
          map(raw, context) {
            if (!isObject(raw)) return new MapFailure('not-an-object', 'an ACME SSO record is a JSON object', ACME_SSO, raw, context);
            const time = Date.parse(String(raw.at));
            if (Number.isNaN(time)) return new MapFailure('invalid-time', `at ${JSON.stringify(raw.at)} is not a time`, ACME_SSO, raw, context);
            const ok = raw.ok !== false;
            // The custom-source event of the writer tests, with this record's user and outcome.
            const ev: OcsfEvent = {
              ...customEvent(0, time),
              user: { name: String(raw.acme_sso), ...(raw.user_id !== undefined ? { uid: raw.user_id } : {}) },
              status_id: ok ? 1 : 2,
              status: ok ? 'Success' : 'Failure',
              unmapped: { ok: String(ok) },
            };
            return ev;
          },
        };
      },
    }),
  );
}

/** NDJSON lines of ACME SSO sign-ins on 2024-03-14 (valid unless the caller adds `user_id`). */
export function acmeLines(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ acme_sso: `user${i}`, at: new Date(Date.UTC(2024, 2, 14, 1, 0, i)).toISOString(), ok: i % 3 !== 0, ...extra(i) }),
  );
}
