/**
 * Which JSON Schemas `npm run schemas` generates: per OCSF version, the classes Security Lake emits and
 * the profile sets it declares in `metadata.profiles` per source (security-lake.md §6, mapping-spec §6.5),
 * plus a profile-less variant of every class. Adding a class or a profile set here and rerunning
 * `npm run schemas` is all it takes; the validator discovers variants through `schemas/index.json`.
 */

export interface SchemaTarget {
  /** OCSF class name as in the export (`api_activity`). */
  className: string;
  /** Profile sets to generate; each set is sorted when written. `[]` = no profile. */
  profileSets: string[][];
}

const NONE: string[] = [];

/** OCSF 1.0.0-rc.2 (Security Lake source version 1.0). */
const RC2: SchemaTarget[] = [
  { className: 'api_activity', profileSets: [['cloud'], NONE] }, // 3005, CloudTrail
  { className: 'account_change', profileSets: [['cloud'], NONE] }, // 3001, CloudTrail
  { className: 'authentication', profileSets: [['cloud'], NONE] }, // 3002, CloudTrail
  { className: 'security_finding', profileSets: [['cloud'], NONE] }, // 2001, Security Hub
  { className: 'dns_activity', profileSets: [['cloud', 'security_control'], NONE] }, // 4003, Route 53
  { className: 'network_activity', profileSets: [['cloud', 'security_control'], NONE] }, // 4001, VPC Flow
];

/** OCSF 1.1.0 (Security Lake source version 2.0). */
const V110: SchemaTarget[] = [
  { className: 'api_activity', profileSets: [['cloud', 'datetime'], NONE] }, // 6003, CloudTrail + EKS
  { className: 'account_change', profileSets: [['cloud', 'datetime'], NONE] }, // 3001
  { className: 'authentication', profileSets: [['cloud', 'datetime'], NONE] }, // 3002
  { className: 'vulnerability_finding', profileSets: [['cloud', 'datetime'], NONE] }, // 2002, Security Hub
  { className: 'compliance_finding', profileSets: [['cloud', 'datetime'], NONE] }, // 2003, Security Hub
  // 2004: Security Hub declares the linux extension (mapping-spec §6.5: profiles ["cloud","datetime","linux"]).
  { className: 'detection_finding', profileSets: [['cloud', 'datetime', 'linux'], ['cloud', 'datetime'], NONE] },
  { className: 'dns_activity', profileSets: [['cloud', 'datetime', 'security_control'], NONE] }, // 4003, Route 53
  { className: 'network_activity', profileSets: [['cloud', 'datetime', 'security_control'], NONE] }, // 4001, VPC Flow
];

export const SCHEMA_TARGETS: Readonly<Record<string, readonly SchemaTarget[]>> = {
  '1.0.0-rc.2': RC2,
  '1.1.0': V110,
};

/** Canonical form of a profile set: sorted, de-duplicated. */
export function canonicalProfiles(profiles: readonly string[]): string[] {
  return [...new Set(profiles)].sort();
}

/** `schemas/<version>/<file>`: `<class_name>.<sorted profiles joined by _ | none>.json`. */
export function schemaFileName(className: string, profiles: readonly string[]): string {
  const p = canonicalProfiles(profiles);
  return `${className}.${p.length === 0 ? 'none' : p.join('_')}.json`;
}

/** Key of a profile set in `schemas/index.json`: sorted names joined by `,` (`""` = no profile). */
export function profileKey(profiles: readonly string[]): string {
  return canonicalProfiles(profiles).join(',');
}
