/**
 * Glue names and S3 locations of Security Lake tables (`../shared/docs/security-lake.md` §1.4, §3.2,
 * §3.3, §3.5):
 *
 * - database `amazon_security_lake_glue_db_<region with - → _>`;
 * - AWS source table `amazon_security_lake_table_<region_>_<lowercase sourceName>_<major>_<minor>`
 *   (`..._us_east_1_cloud_trail_mgmt_2_0`, `..._eks_audit_2_0`);
 * - custom source table `amazon_security_lake_table_<region_>_ext_<lowercase source name>` (no version,
 *   as in Security Lake's examples);
 * - location `<root>/aws/<SOURCE>/<version>/` or `<root>/ext/<name>/<version>/` (the writer's prefixes).
 *
 * Glue and Athena names may only hold lowercase letters, digits and `_`; a source name character outside
 * that set (custom names allow `-`, `:`, `.`) becomes `_` [INFERRED: Security Lake's rule for such names
 * is not documented].
 */
import { tablePrefix, AWS_REGION } from '../writer/partition.js';
import type { Layout } from '../writer/schema-tree.js';

/** A configuration problem in a catalog request (bad region, location, name clash, ...). */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

export const DATABASE_PREFIX = 'amazon_security_lake_glue_db_';
export const TABLE_PREFIX = 'amazon_security_lake_table_';

/** `us-east-1` → `us_east_1`, after checking it is an AWS region. */
export function regionToken(region: string): string {
  if (!AWS_REGION.test(region)) throw new CatalogError(`not an AWS region: ${JSON.stringify(region)}`);
  return region.replace(/-/g, '_');
}

/** Lowercase, every character other than `[a-z0-9_]` replaced by `_`. */
export function glueIdentifier(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** `2.0` → `2_0`; source versions are `major.minor` (Security Lake's pattern `^[0-9]\.[0-9]$`, or longer). */
export function versionToken(version: string): string {
  if (!/^\d+\.\d+$/.test(version)) throw new CatalogError(`source version ${JSON.stringify(version)} is not major.minor`);
  return version.replace('.', '_');
}

/** `amazon_security_lake_glue_db_us_east_1`. */
export function databaseName(region: string): string {
  return DATABASE_PREFIX + regionToken(region);
}

/**
 * `amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0` (native layout) or
 * `amazon_security_lake_table_us_east_1_ext_<name>` (custom layout; `name` is the folder under `ext/`).
 */
export function tableName(region: string, layout: Layout, name: string, version: string): string {
  const r = regionToken(region);
  return layout === 'native' ? `${TABLE_PREFIX}${r}_${glueIdentifier(name)}_${versionToken(version)}` : `${TABLE_PREFIX}${r}_ext_${glueIdentifier(name)}`;
}

/**
 * The lake root as an `s3://bucket[/prefix]/` URI ending in `/`. `{region}` in the root is replaced by
 * the region (one bucket per region, as in Security Lake: `s3://aws-security-data-lake-{region}-xyz/`).
 */
export function lakeRoot(location: string, region: string): string {
  const m = /^s3:\/\/([^/]+)(\/.*)?$/.exec(location.replaceAll('{region}', region));
  if (!m) throw new CatalogError(`--location must be an s3://bucket[/prefix] URI (Athena reads only s3://), got ${JSON.stringify(location)}`);
  const bucket = m[1]!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new CatalogError(`invalid S3 bucket name ${JSON.stringify(bucket)}`);
  const prefix = (m[2] ?? '').split('/').filter((s) => s !== '');
  for (const seg of prefix) {
    if (seg === '.' || seg === '..' || /[\\\0'`]/.test(seg)) throw new CatalogError(`invalid S3 prefix segment ${JSON.stringify(seg)} in ${location}`);
  }
  return `s3://${bucket}/${prefix.map((s) => s + '/').join('')}`;
}

/** Table location: `<root>aws/<SOURCE>/<version>/` or `<root>ext/<name>/<version>/`. */
export function tableLocation(root: string, layout: Layout, name: string, version: string): string {
  return `${root}${tablePrefix(layout, name, version)}/`;
}
