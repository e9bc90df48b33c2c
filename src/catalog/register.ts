/**
 * Registers a {@link CatalogPlan} in the Glue Data Catalog of each region through `@aws-sdk/client-glue`:
 *
 * - database: `GetDatabase`; `CreateDatabase` when Glue answers `EntityNotFoundException` (an existing
 *   database, e.g. Security Lake's own, is left as it is);
 * - table: `GetTable`; `CreateTable` when absent; when present, `UpdateTable` only if it differs
 *   (columns, partition keys, location, formats, SerDe, this package's parameters), keeping parameters
 *   other tools set. A table without the `ocsf.generator` parameter was not made by this package (for
 *   instance Security Lake's own Iceberg table): it is never changed unless `force` is given.
 *   `AlreadyExistsException` on create (a concurrent registration) falls back to the update path.
 *
 * The SDK is loaded on first use, so importing the package does not load it.
 */
import type { Column, GlueClient, GlueClientConfig, Table, TableInput } from '@aws-sdk/client-glue';
import { GENERATOR_PARAMETER, isManagedParameter } from './glue.js';
import type { CatalogPlan, CatalogTable } from './glue.js';
import { CatalogError } from './names.js';

export interface RegisterOptions {
  /** Glue endpoint for every region (e.g. a local test server). */
  endpoint?: string;
  /** Extra client configuration (credentials, retries, ...); `region` and `endpoint` are set per call. */
  clientConfig?: Omit<GlueClientConfig, 'region'>;
  /** Clients made by the caller, per region (overrides `endpoint`/`clientConfig`). */
  client?: (region: string) => GlueClient;
  /** Glue catalog id (account), default the caller's. */
  catalogId?: string;
  /** Update tables this package did not create. */
  force?: boolean;
  /** Called after each database or table. */
  onResult?: (r: RegisterResult) => void;
}

export type RegisterAction = 'created' | 'exists' | 'updated' | 'unchanged' | 'failed';

export interface RegisterResult {
  kind: 'database' | 'table';
  region: string;
  database: string;
  /** Table name (tables only). */
  table?: string;
  action: RegisterAction;
  /** Why it failed (`failed` only): `<ErrorName>: <message>`. */
  error?: string;
}

export interface RegisterReport {
  results: RegisterResult[];
  failed: number;
}

type GlueModule = typeof import('@aws-sdk/client-glue');

/** Creates missing databases and creates or updates the tables of a plan. Never throws for a per-table failure. */
export async function registerCatalog(plan: CatalogPlan, opts: RegisterOptions = {}): Promise<RegisterReport> {
  const glue: GlueModule = await import('@aws-sdk/client-glue');
  const clients = new Map<string, GlueClient>();
  const own: GlueClient[] = [];
  const clientFor = (region: string): GlueClient => {
    let c = clients.get(region);
    if (!c) {
      if (opts.client) c = opts.client(region);
      else {
        c = new glue.GlueClient({ ...opts.clientConfig, region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
        own.push(c);
      }
      clients.set(region, c);
    }
    return c;
  };
  const results: RegisterResult[] = [];
  const report = (r: RegisterResult) => {
    results.push(r);
    opts.onResult?.(r);
  };
  const CatalogId = opts.catalogId;
  try {
    const dbOk = new Set<string>();
    for (const db of plan.databases) {
      const { region, ...input } = db;
      const client = clientFor(region);
      const base = { kind: 'database' as const, region, database: db.Name };
      try {
        await client.send(new glue.GetDatabaseCommand({ CatalogId, Name: db.Name }));
        report({ ...base, action: 'exists' });
      } catch (err) {
        if (errorName(err) !== 'EntityNotFoundException') {
          report({ ...base, action: 'failed', error: describe(err) });
          continue;
        }
        try {
          await client.send(new glue.CreateDatabaseCommand({ CatalogId, DatabaseInput: input }));
          report({ ...base, action: 'created' });
        } catch (err2) {
          if (errorName(err2) !== 'AlreadyExistsException') {
            report({ ...base, action: 'failed', error: describe(err2) });
            continue;
          }
          report({ ...base, action: 'exists' });
        }
      }
      dbOk.add(`${region}\0${db.Name}`);
    }
    for (const t of plan.tables) {
      const base = { kind: 'table' as const, region: t.region, database: t.database, table: t.name };
      if (!dbOk.has(`${t.region}\0${t.database}`)) {
        report({ ...base, action: 'failed', error: `database ${t.database} could not be created` });
        continue;
      }
      try {
        report({ ...base, action: await upsertTable(glue, clientFor(t.region), t, CatalogId, opts.force ?? false) });
      } catch (err) {
        report({ ...base, action: 'failed', error: describe(err) });
      }
    }
  } finally {
    for (const c of own) c.destroy();
  }
  return { results, failed: results.filter((r) => r.action === 'failed').length };
}

async function upsertTable(glue: GlueModule, client: GlueClient, t: CatalogTable, CatalogId: string | undefined, force: boolean): Promise<RegisterAction> {
  const existing = await getTable(glue, client, t, CatalogId);
  if (existing === undefined) {
    try {
      await client.send(new glue.CreateTableCommand({ CatalogId, DatabaseName: t.database, TableInput: t.tableInput }));
      return 'created';
    } catch (err) {
      if (errorName(err) !== 'AlreadyExistsException') throw err;
    }
    const raced = await getTable(glue, client, t, CatalogId);
    if (raced === undefined) throw new CatalogError(`${t.database}.${t.name}: CreateTable said it exists, GetTable that it does not`);
    return update(glue, client, t, raced, CatalogId, force);
  }
  return update(glue, client, t, existing, CatalogId, force);
}

async function getTable(glue: GlueModule, client: GlueClient, t: CatalogTable, CatalogId: string | undefined): Promise<Table | undefined> {
  try {
    const out = await client.send(new glue.GetTableCommand({ CatalogId, DatabaseName: t.database, Name: t.name }));
    return out.Table;
  } catch (err) {
    if (errorName(err) === 'EntityNotFoundException') return undefined;
    throw err;
  }
}

async function update(glue: GlueModule, client: GlueClient, t: CatalogTable, existing: Table, CatalogId: string | undefined, force: boolean): Promise<RegisterAction> {
  if (existing.Parameters?.[GENERATOR_PARAMETER] === undefined && !force) {
    const kind = existing.Parameters?.table_type ?? existing.TableType ?? 'table';
    throw new CatalogError(`${t.database}.${t.name} exists (${kind}) and was not created by ocsf-lake; left unchanged (force replaces its definition)`);
  }
  const input = mergedInput(t.tableInput, existing);
  if (sameDefinition(input, existing)) return 'unchanged';
  await client.send(new glue.UpdateTableCommand({ CatalogId, DatabaseName: t.database, TableInput: input }));
  return 'updated';
}

/** Our table input with the parameters other tools set on the existing table kept. */
function mergedInput(input: TableInput, existing: Table): TableInput {
  const kept = Object.entries(existing.Parameters ?? {}).filter(([k]) => !isManagedParameter(k));
  return { ...input, Parameters: { ...Object.fromEntries(kept), ...input.Parameters } };
}

function sameDefinition(input: TableInput, t: Table): boolean {
  const a = input.StorageDescriptor ?? {};
  const b = t.StorageDescriptor ?? {};
  return (
    sameColumns(a.Columns, b.Columns) &&
    sameColumns(input.PartitionKeys, t.PartitionKeys) &&
    a.Location === b.Location &&
    a.InputFormat === b.InputFormat &&
    a.OutputFormat === b.OutputFormat &&
    a.SerdeInfo?.SerializationLibrary === b.SerdeInfo?.SerializationLibrary &&
    input.TableType === t.TableType &&
    input.Description === t.Description &&
    sameRecord(input.Parameters, t.Parameters)
  );
}

function sameColumns(a: Column[] | undefined, b: Column[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((c, i) => c.Name === y[i]!.Name && c.Type === y[i]!.Type);
}

function sameRecord(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = Object.entries(a ?? {});
  return x.length === Object.keys(b ?? {}).length && x.every(([k, v]) => b?.[k] === v);
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | null)?.name;
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return e.message?.startsWith(`${e.name}:`) ? e.message : `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}
