/**
 * The CloudTrail family (`--source cloudtrail`): CLOUD_TRAIL_MGMT (management events → API Activity,
 * Authentication, Account Change), S3_DATA and LAMBDA_EXECUTION (data events → API Activity), at
 * source versions 1.0 (OCSF 1.0.0-rc.2) and 2.0 (OCSF 1.1.0). The three share the decoders and the
 * `route()` that sends each record of a trail to its member (see `route.ts`); each member builds its
 * mapper from the tables in `mappings/cloudtrail/` (see `tables.ts`, `map/v1.ts`, `map/v2.ts`).
 */
import { defineSource, SourceError } from '../../core/source.js';
import type { Mapper, SourceDefinition, SourceVersionSpec } from '../../core/source.js';
import type { SourceOptions, SourceVersion } from '../../core/types.js';
import { CLOUDTRAIL_DECODERS } from './decode.js';
import { CloudTrailMapperV1 } from './map/v1.js';
import { CloudTrailMapperV2 } from './map/v2.js';
import { FAMILY, MANAGEMENT_SOURCE, routeCloudTrail } from './route.js';
import { CLOUDTRAIL_VERSIONS, CLASS_KEYS, compileTables, loadVersionTables } from './tables.js';

function versionSpecs(dataEvents: boolean): Record<SourceVersion, SourceVersionSpec> {
  const out: Record<SourceVersion, SourceVersionSpec> = {};
  for (const v of CLOUDTRAIL_VERSIONS) {
    const t = loadVersionTables(v);
    const keys = dataEvents ? (['api_activity'] as const) : CLASS_KEYS;
    out[v] = {
      ocsfVersion: t.ocsfVersion,
      classes: keys.map((k) => t.classes[k].class_uid),
      profiles: t.profiles,
      attributes: t.attributes,
    };
  }
  return out;
}

function makeMapper(source: string, version: SourceVersion, options: SourceOptions, dataEvents: boolean): Mapper {
  if (!CLOUDTRAIL_VERSIONS.includes(version)) throw new SourceError(`${source} has no source version ${version} (supported: ${CLOUDTRAIL_VERSIONS.join(', ')})`);
  const tables = compileTables(version, options);
  return version === '1.0' ? new CloudTrailMapperV1(source, version, tables, dataEvents) : new CloudTrailMapperV2(source, version, tables, dataEvents);
}

function member(name: string, title: string, dataEvents: boolean): SourceDefinition {
  return defineSource({
    name,
    title,
    family: FAMILY,
    versions: versionSpecs(dataEvents),
    decoders: CLOUDTRAIL_DECODERS,
    route: routeCloudTrail,
    createMapper: (version, options) => makeMapper(name, version, options, dataEvents),
  });
}

export const cloudTrailManagement = member(MANAGEMENT_SOURCE, 'CloudTrail management events', false);
export const s3DataEvents = member('S3_DATA', 'CloudTrail S3 data events', true);
export const lambdaDataEvents = member('LAMBDA_EXECUTION', 'CloudTrail Lambda data events', true);

/** The family in Security Lake's order. */
export const cloudTrailSources: readonly SourceDefinition[] = [cloudTrailManagement, lambdaDataEvents, s3DataEvents];

export { routeCloudTrail } from './route.js';
export { decodeCloudTrail, looksLikeCloudTrail } from './decode.js';
