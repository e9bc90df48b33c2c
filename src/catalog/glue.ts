/**
 * The Glue Data Catalog entries of a lake: for each (region, source, version) a Glue `TableInput` whose
 * columns are the writer's file schema (`schemaFor`/`deriveSchema`), so the catalog can never disagree
 * with the Parquet files.
 *
 * Decisions (see also `src/catalog/README.md`):
 * - Hive external tables over Parquet for both source versions. Security Lake's own 2.0 tables are
 *   Apache Iceberg tables (security-lake.md §3.5); ours point at the Hive-style directories the writer
 *   produces (`region=/accountId=/eventDay=`), which Iceberg metadata would not describe. [DEVIATION]
 * - Partition keys `region`, `accountid`, `eventday`, all `string` (Security Lake 1.0 tables, §3.5).
 *   Glue/Hive/Athena column names are lowercase, so the key is `accountid` while the directory is
 *   `accountId=`. Hive-style discovery (`MSCK REPAIR TABLE`) matches directory keys to column names and
 *   is reported by AWS to skip camelCase directories, so it is not the way partitions get known here.
 * - Partition projection is ON by default, so new partitions are queryable at once, without MSCK or a
 *   partition-registering Lambda. `storage.location.template` spells the camelCase directories
 *   explicitly; `region` is an enum of the table's one region (one lake root can hold every region,
 *   each region's table sees only its own); `eventday` is a `date` projection (`yyyyMMdd`, from
 *   `firstDay`, default 20130101 — CloudTrail, the oldest source, began in Nov 2013 — to NOW, 1 day);
 *   `accountid` is an `enum` of the accounts given, else `injected` (then Athena requires every query to
 *   filter `accountid = '...'` or `IN (...)`). With projection off, partitions must be added with
 *   `ALTER TABLE ADD PARTITION ... LOCATION` ({@link addPartitionsDdl}) or Glue `BatchCreatePartition`,
 *   as Security Lake's MetaStoreManager does.
 * - Native layout: one table per source version over the union schema of its classes. Custom layout:
 *   one table per `ext/<name>/` folder; when several classes share a folder (the writer's default for a
 *   multi-class source), the table takes the source's union schema — a superset of each class file's
 *   columns — since Athena matches Parquet columns by name.
 */
import type { Column, DatabaseInput, TableInput } from '@aws-sdk/client-glue';
import { latestVersion, listSources, resolveSources } from '../core/source.js';
import type { SourceDefinition } from '../core/source.js';
import { deriveSchema } from '../writer/arrow-schema.js';
import { AWS_ACCOUNT, EXTERNAL_ACCOUNT } from '../writer/partition.js';
import { glueColumns, PARTITION_COLUMNS, schemaMetadata } from '../writer/schema-tree.js';
import type { Layout, WriterSchema } from '../writer/schema-tree.js';
import { CatalogError, databaseName, lakeRoot, tableLocation, tableName } from './names.js';

export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';
export const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
export const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';
/** Table parameter marking tables this package manages (`--register` only updates tables carrying it). */
export const GENERATOR_PARAMETER = 'ocsf.generator';
export const GENERATOR = 'ocsf-lake';
/** Default first day of the `eventday` projection. */
export const DEFAULT_FIRST_DAY = '20130101';

export interface PartitionProjection {
  /** Accounts to enumerate (12 digits or `external`); omitted = `injected` (queries must filter accountid). */
  accounts?: readonly string[];
  /** First `eventday` (YYYYMMDD) of the date projection (default {@link DEFAULT_FIRST_DAY}). */
  firstDay?: string;
}

export interface CatalogOptions {
  /** Regions to catalog (one database per region). */
  regions: readonly string[];
  /** Lake root, `s3://bucket[/prefix]`; `{region}` is replaced by each region. */
  location: string;
  /**
   * Sources: registry names or families (`CLOUD_TRAIL_MGMT`, `cloudtrail`, case-insensitive) or
   * definitions. Default: every registered source.
   */
  sources?: readonly (string | SourceDefinition)[];
  /**
   * One version (`2.0`, or `latest`). Default: every version each source declares. Sources named
   * explicitly must have it; sources selected by default or by family without it are skipped.
   */
  sourceVersion?: string;
  /** The writer's layout option: `native`, `custom` or `auto` (default: custom for `custom: true` sources). */
  layout?: Layout | 'auto';
  /** Custom layout: the folder name under `ext/` of a source's class, as given to the writer (default: the source name). */
  customSourceName?: (source: string, classUid: number) => string;
  /** Partition projection parameters (default on, see the module doc); `false` for none. */
  projection?: PartitionProjection | false;
  /** Database name of a region (default `amazon_security_lake_glue_db_<region_>`). */
  database?: (region: string) => string;
  /** Folder of the generated OCSF JSON Schemas (default: the package's `schemas/`). */
  schemasDir?: string;
}

/** One Glue table of the plan. */
export interface CatalogTable {
  region: string;
  database: string;
  name: string;
  /** Registry source name and version the table holds. */
  source: string;
  sourceVersion: string;
  layout: Layout;
  /** `s3://.../aws/<SOURCE>/<version>/` or `s3://.../ext/<name>/<version>/`. */
  location: string;
  /** The writer's schema of the files under `location`. */
  schema: WriterSchema;
  tableInput: TableInput;
}

export interface CatalogPlan {
  databases: (DatabaseInput & { Name: string; region: string })[];
  tables: CatalogTable[];
}

/** The databases and tables of a lake for the given regions, sources and versions. */
export function planCatalog(opts: CatalogOptions): CatalogPlan {
  if (opts.regions.length === 0) throw new CatalogError('at least one region is required');
  const projection = opts.projection === false ? undefined : checkProjection(opts.projection ?? {});
  const regions = [...new Set(opts.regions)];
  const roots = new Map(regions.map((r) => [r, lakeRoot(opts.location, r)]));
  const dbName = opts.database ?? databaseName;

  const tables: CatalogTable[] = [];
  const seen = new Map<string, string>();
  for (const { def, version } of selectVersions(opts)) {
    for (const target of targetsOf(def, version, opts)) {
      for (const region of regions) {
        const database = dbName(region);
        const name = tableName(region, target.layout, target.name, version);
        const what = `${def.name} ${version}${target.layout === 'custom' ? ` (ext/${target.name})` : ''}`;
        const key = `${database}.${name}`;
        const prev = seen.get(key);
        if (prev !== undefined) throw new CatalogError(`${prev} and ${what} would both be table ${key}; catalog one version at a time (--source-version)`);
        seen.set(key, what);
        const location = tableLocation(roots.get(region)!, target.layout, target.name, version);
        tables.push({
          region,
          database,
          name,
          source: def.name,
          sourceVersion: version,
          layout: target.layout,
          location,
          schema: target.schema,
          tableInput: tableInputOf(def, target.schema, name, region, location, projection),
        });
      }
    }
  }
  const databases = regions.map((region) => ({
    Name: dbName(region),
    region,
    Description: `Amazon Security Lake compatible OCSF tables of ${region} (created by ${GENERATOR})`,
  }));
  return { databases, tables };
}

function checkProjection(p: PartitionProjection): Required<Pick<PartitionProjection, 'firstDay'>> & PartitionProjection {
  const firstDay = p.firstDay ?? DEFAULT_FIRST_DAY;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(firstDay);
  const d = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : undefined;
  if (!m || !d || d.getUTCFullYear() !== +m[1]! || d.getUTCMonth() !== +m[2]! - 1 || d.getUTCDate() !== +m[3]!) {
    throw new CatalogError(`first day must be a YYYYMMDD date, got ${JSON.stringify(firstDay)}`);
  }
  if (p.accounts !== undefined) {
    if (p.accounts.length === 0) throw new CatalogError('projection accounts: give at least one account, or omit them for an injected projection');
    for (const a of p.accounts) {
      if (!AWS_ACCOUNT.test(a) && a !== EXTERNAL_ACCOUNT) throw new CatalogError(`not a 12-digit account id (or ${EXTERNAL_ACCOUNT}): ${JSON.stringify(a)}`);
    }
  }
  return { ...p, firstDay, accounts: p.accounts && [...new Set(p.accounts)] };
}

interface Selected {
  def: SourceDefinition;
  version: string;
}

function selectVersions(opts: CatalogOptions): Selected[] {
  const picked: { def: SourceDefinition; explicit: boolean }[] = [];
  if (opts.sources === undefined) for (const def of listSources()) picked.push({ def, explicit: false });
  else {
    for (const s of opts.sources) {
      if (typeof s !== 'string') picked.push({ def: s, explicit: true });
      else {
        for (const def of resolveSources(s)) picked.push({ def, explicit: s.toLowerCase() === def.name.toLowerCase() });
      }
    }
  }
  const out: Selected[] = [];
  const done = new Set<string>();
  for (const { def, explicit } of picked) {
    if (done.has(def.name)) continue;
    done.add(def.name);
    const have = Object.keys(def.versions);
    let versions: string[];
    if (opts.sourceVersion === undefined) versions = have;
    else {
      const v = opts.sourceVersion === 'latest' ? latestVersion(def) : opts.sourceVersion;
      if (!have.includes(v)) {
        if (explicit) throw new CatalogError(`${def.name} has no version ${v} (have ${have.join(', ')})`);
        continue;
      }
      versions = [v];
    }
    for (const version of versions) out.push({ def, version });
  }
  if (out.length === 0) throw new CatalogError(opts.sourceVersion === undefined ? 'no sources to catalog' : `no selected source has version ${opts.sourceVersion}`);
  return out;
}

interface Target {
  layout: Layout;
  /** Source name (native) or folder under `ext/` (custom). */
  name: string;
  schema: WriterSchema;
}

/** The tables one source version needs: one native table, or one per custom folder. */
function targetsOf(def: SourceDefinition, version: string, opts: CatalogOptions): Target[] {
  const layout: Layout = opts.layout === undefined || opts.layout === 'auto' ? (def.custom ? 'custom' : 'native') : opts.layout;
  const src = { schemasDir: opts.schemasDir };
  if (layout === 'native') return [{ layout, name: def.name, schema: deriveSchema(def, version, { ...src, layout }) }];
  const byFolder = new Map<string, number[]>();
  for (const classUid of def.versions[version]!.classes) {
    const folder = opts.customSourceName ? opts.customSourceName(def.name, classUid) : def.name;
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), classUid]);
  }
  return [...byFolder].map(([name, classes]) => {
    if (classes.length === 1) return { layout, name, schema: deriveSchema(def, version, { ...src, layout, classUid: classes[0] }) };
    const union = deriveSchema(def, version, { ...src, layout: 'native' });
    return { layout, name, schema: { ...union, layout, classes } };
  });
}

function tableInputOf(
  def: SourceDefinition,
  schema: WriterSchema,
  name: string,
  region: string,
  location: string,
  projection: (PartitionProjection & { firstDay: string }) | undefined,
): TableInput {
  const columns: Column[] = glueColumns(schema).map((c) => ({ Name: c.name, Type: c.type }));
  const partitionKeys: Column[] = PARTITION_COLUMNS.map((c) => ({ Name: c.name, Type: c.type }));
  const clash = columns.find((c) => partitionKeys.some((p) => p.Name === c.Name));
  if (clash) throw new CatalogError(`${def.name} ${schema.sourceVersion}: column ${clash.Name} has the name of a partition key`);
  const parameters: Record<string, string> = {
    EXTERNAL: 'TRUE',
    classification: 'parquet',
    [GENERATOR_PARAMETER]: GENERATOR,
    ...schemaMetadata(schema),
  };
  if (projection) Object.assign(parameters, projectionParameters(region, location, projection));
  return {
    Name: name,
    Description: `OCSF ${schema.ocsfVersion} events of ${def.title} (${def.name} ${schema.sourceVersion}, class${schema.classes.length > 1 ? 'es' : ''} ${schema.classes.join(', ')}) in ${region}`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: parameters,
    PartitionKeys: partitionKeys,
    StorageDescriptor: {
      Columns: columns,
      Location: location,
      InputFormat: PARQUET_INPUT_FORMAT,
      OutputFormat: PARQUET_OUTPUT_FORMAT,
      Compressed: false,
      StoredAsSubDirectories: false,
      SerdeInfo: { SerializationLibrary: PARQUET_SERDE, Parameters: { 'serialization.format': '1' } },
    },
  };
}

/** Athena partition projection table parameters (see the module doc). */
export function projectionParameters(region: string, location: string, p: PartitionProjection & { firstDay: string }): Record<string, string> {
  const out: Record<string, string> = {
    'projection.enabled': 'true',
    'projection.region.type': 'enum',
    'projection.region.values': region,
  };
  if (p.accounts) {
    out['projection.accountid.type'] = 'enum';
    out['projection.accountid.values'] = p.accounts.join(',');
  } else out['projection.accountid.type'] = 'injected';
  out['projection.eventday.type'] = 'date';
  out['projection.eventday.format'] = 'yyyyMMdd';
  out['projection.eventday.range'] = `${p.firstDay},NOW`;
  out['projection.eventday.interval'] = '1';
  out['projection.eventday.interval.unit'] = 'DAYS';
  out['storage.location.template'] = `${location}region=\${region}/accountId=\${accountid}/eventDay=\${eventday}/`;
  return out;
}

/** True for table parameters this package owns (replaced on update; others are kept). */
export function isManagedParameter(key: string): boolean {
  return key.startsWith('ocsf.') || key.startsWith('projection.') || key === 'storage.location.template' || key === 'classification' || key === 'EXTERNAL';
}
