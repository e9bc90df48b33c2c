/**
 * SH_FINDINGS: Security Hub findings (ASFF) → OCSF. Source version 1.0 emits OCSF 1.0.0-rc.2 Security
 * Finding (2001); 2.0 emits OCSF 1.1.0 Vulnerability (2002), Compliance (2003) or Detection (2004)
 * Finding, chosen per finding. Mapping tables: `mappings/security_hub/{1.0.0-rc.2,1.1.0}.json`;
 * spec: `../shared/docs/mapping-spec.md` §6 and §11.4.
 */
import { defineSource, SourceError } from '../../core/source.js';
import type { SourceVersionSpec } from '../../core/source.js';
import { asffDecoder, SOURCE_NAME } from './decode.js';
import { createFindingMapper } from './map/finding.js';
import { createSecurityFindingMapper } from './map/security_finding.js';
import { loadTable } from './tables.js';
import type { MappingTable } from './tables.js';

const TABLES: Record<string, MappingTable> = {
  '1.0': loadTable('1.0.0-rc.2'),
  '2.0': loadTable('1.1.0'),
};

function versionSpec(t: MappingTable): SourceVersionSpec {
  const classes = Object.keys(t.classes).map(Number);
  const profiles = [...new Set(Object.values(t.classes).flatMap((c) => c.profiles))];
  return { ocsfVersion: t.ocsfVersion, classes, profiles, attributes: t.attributes };
}

export const securityHubFindings = defineSource({
  name: SOURCE_NAME,
  title: 'Security Hub findings (ASFF)',
  versions: { '1.0': versionSpec(TABLES['1.0']!), '2.0': versionSpec(TABLES['2.0']!) },
  decoders: [asffDecoder],
  createMapper(version) {
    const table = TABLES[version];
    if (!table) throw new SourceError(`${SOURCE_NAME} has no source version ${version} (supported: 1.0, 2.0)`);
    return version === '1.0' ? createSecurityFindingMapper(table) : createFindingMapper(table);
  },
});
