/** Sources for the catalog tests that do not depend on the built-in mappers (custom-layout cases). */
import { defineSource } from '../../src/core/source.js';
import type { SourceDefinition } from '../../src/core/source.js';

const noMapper = () => {
  throw new Error('catalog test source: no mapper');
};

/** A custom source with one class and a name Glue cannot take as is (`-`, `.`, upper case). */
export const acmeLogins: SourceDefinition = defineSource({
  name: 'Acme-Logins.v1',
  title: 'ACME logins',
  custom: true,
  versions: {
    '1.0': { ocsfVersion: '1.1.0', classes: [3002], profiles: [], attributes: ['user.name', 'user.uid', 'status', 'status_id', 'unmapped', 'metadata.product.name'] },
    '2.0': { ocsfVersion: '1.1.0', classes: [3002], profiles: ['cloud', 'datetime'], attributes: ['user.name', 'cloud.provider', 'cloud.region', 'unmapped'] },
  },
  decoders: [],
  createMapper: noMapper,
});

/** A custom source with three classes (API Activity, Authentication, Account Change). */
export const acmeAudit: SourceDefinition = defineSource({
  name: 'ACME_AUDIT',
  title: 'ACME audit',
  custom: true,
  versions: {
    '1.0': {
      ocsfVersion: '1.1.0',
      classes: [6003, 3002, 3001],
      profiles: ['cloud', 'datetime'],
      attributes: ['cloud.provider', 'api.operation', 'api.service.name', 'user.name', 'is_mfa', 'actor.user.name', 'unmapped'],
    },
  },
  decoders: [],
  createMapper: noMapper,
});
