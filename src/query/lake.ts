/**
 * SQL over a local lake with DuckDB (`@duckdb/node-api`, an optional peer dependency loaded on first use): one
 * view per table, named as Security Lake's Glue tables per Region
 * (`amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0`, `amazon_security_lake_table_us_east_1_ext_<name>`),
 * plus short aliases over every Region: `cloud_trail_mgmt_2_0`, `cloud_trail_mgmt` (its latest version in the
 * lake), `ext_<name>` and `<name>` for custom sources. Partition columns `region`, `accountId`, `eventDay` come
 * from the directories, as in Athena.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { glueIdentifier, tableName } from '../catalog/names.js';
import { AWS_REGION } from '../writer/partition.js';

export interface LakeView {
  /** The view's name in SQL. */
  name: string;
  /** The table it reads: `aws/CLOUD_TRAIL_MGMT/2.0` or `ext/<name>/<version>`. */
  table: string;
  /** The Region it is limited to (Glue-named views); absent for the aliases over every Region. */
  region?: string;
}

export interface LakeQuery {
  readonly views: readonly LakeView[];
  /** Runs one SQL statement; rows as JSON-safe objects (64-bit integers as strings). */
  run(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  close(): void;
}

/** Thrown when `@duckdb/node-api` is not installed: the message is the one-line install hint. */
export class DuckDbMissingError extends Error {
  override name = 'DuckDbMissingError';
  constructor() {
    super('querying a lake needs DuckDB: npm install @duckdb/node-api');
  }
}

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function versionOrder(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** The views of the tables found under a local lake root (directories holding `region=` partitions). */
export async function lakeViews(root: string): Promise<LakeView[]> {
  const views: LakeView[] = [];
  const aliases = new Map<string, LakeView>();
  for (const top of ['aws', 'ext'] as const) {
    for (const name of await dirs(join(root, top))) {
      const versions = (await dirs(join(root, top, name))).filter((v) => /^\d+\.\d+$/.test(v)).sort(versionOrder);
      for (const version of versions) {
        const table = `${top}/${name}/${version}`;
        const regions = (await dirs(join(root, table))).map((d) => /^region=(.+)$/.exec(d)?.[1]).filter((r): r is string => r !== undefined && AWS_REGION.test(r));
        if (regions.length === 0) continue;
        for (const region of regions) views.push({ name: tableName(region, top === 'aws' ? 'native' : 'custom', name, version), table, region });
        const id = glueIdentifier(name);
        // The latest version wins the unversioned alias (versions are sorted ascending).
        if (top === 'aws') {
          aliases.set(`${id}_${version.replace('.', '_')}`, { name: `${id}_${version.replace('.', '_')}`, table });
          aliases.set(id, { name: id, table });
        } else {
          aliases.set(`ext_${id}`, { name: `ext_${id}`, table });
          if (!aliases.has(id)) aliases.set(id, { name: id, table });
        }
      }
    }
  }
  const taken = new Set(views.map((v) => v.name));
  for (const a of aliases.values()) if (!taken.has(a.name)) views.push(a);
  return views;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Opens DuckDB in memory with the lake's views. Throws {@link DuckDbMissingError} without `@duckdb/node-api`. */
export async function openLakeQuery(root: string): Promise<LakeQuery> {
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import('@duckdb/node-api');
  } catch {
    throw new DuckDbMissingError();
  }
  const views = await lakeViews(root);
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  for (const v of views) {
    const files = join(root, v.table, v.region === undefined ? 'region=*' : `region=${v.region}`, '*', '*', '*.parquet');
    await conn.run(`CREATE VIEW "${v.name}" AS SELECT * FROM read_parquet(${quote(files)}, hive_partitioning = true, union_by_name = true)`);
  }
  return {
    views,
    async run(sql) {
      const reader = await conn.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}
