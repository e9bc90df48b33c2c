/**
 * ROUTE53: Route 53 Resolver query logs → OCSF DNS Activity (4003) at Security Lake source versions
 * 1.0 (OCSF 1.0.0-rc.2) and 2.0 (OCSF 1.1.0). Tables: `mappings/route53/*.json`; rules:
 * mapping-spec §5, §8.10, §11.1.
 */
import { defineSource, SourceError } from '../../core/source.js';
import type { SourceVersionSpec } from '../../core/source.js';
import type { OcsfVersion } from '../../core/types.js';
import { compileTables, loadTable } from './compile.js';
import type { CompiledTables } from './compile.js';
import { route53Decoders } from './decode.js';
import { createDnsActivityMapper, ROUTE53 } from './map/dns_activity.js';

const OCSF_BY_SOURCE_VERSION: Readonly<Record<string, OcsfVersion>> = { '1.0': '1.0.0-rc.2', '2.0': '1.1.0' };

const compiled = new Map<OcsfVersion, CompiledTables>();

/** The compiled tables of one OCSF version (loaded and compiled once per process). */
export function route53Tables(ocsfVersion: OcsfVersion): CompiledTables {
  let t = compiled.get(ocsfVersion);
  if (t === undefined) {
    t = compileTables(loadTable(ocsfVersion));
    compiled.set(ocsfVersion, t);
  }
  return t;
}

function versionSpec(ocsfVersion: OcsfVersion): SourceVersionSpec {
  const t = route53Tables(ocsfVersion);
  return { ocsfVersion, classes: [t.cls.class_uid], profiles: t.profiles, attributes: t.attributes };
}

export const route53Source = defineSource({
  name: ROUTE53,
  title: 'Route 53 Resolver query logs',
  versions: {
    '1.0': versionSpec('1.0.0-rc.2'),
    '2.0': versionSpec('1.1.0'),
  },
  decoders: route53Decoders,
  createMapper(version) {
    const ocsf = OCSF_BY_SOURCE_VERSION[version];
    if (ocsf === undefined) throw new SourceError(`${ROUTE53} has no source version ${version} (supported: 1.0, 2.0)`);
    return createDnsActivityMapper(version, route53Tables(ocsf));
  },
});
