/**
 * `registerSource` (public API) checks a user source against the OCSF schemas when it is registered and says
 * everything that is wrong at once; a source that passes is registered with the derive step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMapSession, defineSource, getSource, registerSource, SourceError, unregisterSource } from '../../src/index.js';
import type { SourceVersionSpec } from '../../src/index.js';

const NAME = 'ACME_CHECKED';
afterEach(() => void unregisterSource(NAME));

function source(spec: Partial<SourceVersionSpec>, map: () => unknown = () => ({})) {
  return defineSource({
    name: NAME,
    title: 'ACME (test)',
    custom: true,
    versions: { '1.0': { ocsfVersion: '1.1.0', classes: [3002], profiles: [], attributes: [], ...spec } },
    decoders: [{ format: 'acme', sniff: (head) => head.startsWith('{"acme"'), decode: (input) => [{ value: JSON.parse(input.text), context: input.context }] }],
    createMapper: (version) => ({ source: NAME, version, ocsfVersion: '1.1.0', map: map as never }),
  });
}

function registrationError(def: ReturnType<typeof source>): string {
  try {
    registerSource(def);
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return (err as Error).message;
  }
  throw new Error('registerSource accepted the source');
}

describe('registerSource checks', () => {
  it('lists a missing required attribute and an unmet at-least-one rule (what the old README example lacked)', () => {
    const msg = registrationError(source({ attributes: ['user.name', 'metadata.product.name'] }));
    expect(msg).toContain(`cannot register ${NAME}:`);
    expect(msg).toContain('class 3002 requires metadata.product.vendor_name: declare it in attributes and set it in the mapper');
    expect(msg).toContain('class 3002 requires at least one of service, dst_endpoint: declare one in attributes');
    expect(getSource(NAME)).toBeUndefined();
  });

  it('names a class without a schema and an attribute in none of the classes', () => {
    expect(registrationError(source({ classes: [9999] }))).toContain('class 9999 has no OCSF 1.1.0 schema in this package');
    const typo = registrationError(source({ attributes: ['metadata.product.vendor_name', 'user.nmae', 'service.name'] }));
    expect(typo).toContain('user.nmae');
    expect(typo).not.toContain('requires');
  });

  it('registers a sound source, whose events get what OCSF derives from class, activity and enums', async () => {
    registerSource(
      source({ attributes: ['metadata.product.name', 'metadata.product.vendor_name', 'user.name', 'service.name', 'status_id'] }, () => ({
        class_uid: 3002,
        activity_id: 2,
        time: 1_700_000_000_000,
        status_id: 2,
        metadata: { product: { name: 'ACME', vendor_name: 'ACME' } },
        user: { name: 'alice' },
        service: { name: 'sso' },
      })),
    );
    const session = createMapSession({ source: NAME });
    const events = [];
    for await (const o of session.mapInput('x.json', Buffer.from('{"acme":1}'))) if (o.kind === 'event') events.push(o.event);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      class_name: 'Authentication',
      category_uid: 3,
      category_name: 'Identity & Access Management',
      activity_name: 'Logoff',
      type_uid: 300202,
      type_name: 'Authentication: Logoff',
      severity_id: 0,
      severity: 'Unknown',
      status: 'Failure',
      metadata: { version: '1.1.0', product: { name: 'ACME', vendor_name: 'ACME' } },
    });
  });
});
