/**
 * `ocsf-lake catalog --source X|all [--source-version V|latest] --regions r1,r2 --location s3://bucket/prefix
 *   [--format ddl|json] [--layout native|custom] [--projection on|off] [--accounts a,b] [--first-day YYYYMMDD]
 *   [--register [--endpoint URL] [--force]]`
 *
 * Prints the Glue databases and tables of a lake (Athena DDL, or JSON `CreateDatabase`/`CreateTable`
 * inputs), or registers them in Glue. Exit codes: 0 done, 2 usage error, 1 a table or database could not
 * be registered (each failure printed).
 */
import { SourceError } from '../../core/source.js';
import { SchemaDerivationError } from '../../writer/arrow-schema.js';
import { planCatalog } from '../../catalog/glue.js';
import type { CatalogOptions, CatalogPlan } from '../../catalog/glue.js';
import { planDdl } from '../../catalog/ddl.js';
import { CatalogError } from '../../catalog/names.js';
import { registerCatalog } from '../../catalog/register.js';
import { commaList, UsageError, writeOut } from '../io.js';
import type { Command } from '../command.js';

const usage = [
  'ocsf-lake catalog --source SOURCE|family|all [--source-version V|latest] --regions r1,r2 --location s3://bucket/prefix',
  '    [--format ddl|json] [--layout native|custom] [--projection on|off] [--accounts a,b] [--first-day YYYYMMDD]',
  '    [--register [--endpoint URL] [--force]]',
  '  Glue tables (database amazon_security_lake_glue_db_<region>, table amazon_security_lake_table_<region>_<source>_<ver>)',
  '  over the lake at --location ({region} in it is replaced per region), as Athena DDL (default) or JSON Glue inputs.',
  '  --register creates missing databases and creates or updates the tables through the Glue API (AWS credentials',
  '  from the environment); --force also replaces tables ocsf-lake did not create.',
  '  Partition projection is on by default; without --accounts, accountid is an injected projection and queries',
  '  must filter on accountid.',
].join('\n');

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'print or register the Glue/Athena tables of a lake',
  usage,
  options: {
    source: { type: 'string', multiple: true },
    'source-version': { type: 'string' },
    regions: { type: 'string', multiple: true },
    location: { type: 'string' },
    format: { type: 'string' },
    layout: { type: 'string' },
    projection: { type: 'string' },
    accounts: { type: 'string', multiple: true },
    'first-day': { type: 'string' },
    register: { type: 'boolean' },
    endpoint: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const sources = commaList(values, 'source');
    if (!sources) throw new UsageError('--source is required (a source, a family, or all)');
    const regions = commaList(values, 'regions');
    if (!regions) throw new UsageError('--regions is required');
    const location = values.location as string | undefined;
    if (!location) throw new UsageError('--location s3://bucket[/prefix] is required');
    const format = (values.format as string | undefined) ?? 'ddl';
    if (format !== 'ddl' && format !== 'json') throw new UsageError(`--format must be ddl or json, got ${format}`);
    const layout = values.layout as string | undefined;
    if (layout !== undefined && layout !== 'native' && layout !== 'custom') throw new UsageError(`--layout must be native or custom, got ${layout}`);
    const projection = (values.projection as string | undefined) ?? 'on';
    if (projection !== 'on' && projection !== 'off') throw new UsageError(`--projection must be on or off, got ${projection}`);
    const accounts = commaList(values, 'accounts');
    const firstDay = values['first-day'] as string | undefined;
    if (projection === 'off' && (accounts || firstDay)) throw new UsageError('--accounts and --first-day are partition projection settings: they need --projection on');
    if (!values.register && (values.endpoint !== undefined || values.force)) throw new UsageError('--endpoint and --force go with --register');
    const version = values['source-version'] as string | undefined;
    if (version !== undefined && version !== 'latest' && !/^\d+\.\d+$/.test(version)) throw new UsageError(`--source-version must look like 2.0 or be latest, got ${version}`);

    const opts: CatalogOptions = {
      regions,
      location,
      ...(sources.some((s) => s.toLowerCase() === 'all') ? {} : { sources }),
      ...(version !== undefined ? { sourceVersion: version } : {}),
      ...(layout !== undefined ? { layout: layout as 'native' | 'custom' } : {}),
      projection: projection === 'off' ? false : { ...(accounts ? { accounts } : {}), ...(firstDay ? { firstDay } : {}) },
    };
    let plan: CatalogPlan;
    try {
      plan = planCatalog(opts);
    } catch (err) {
      if (err instanceof CatalogError || err instanceof SourceError) throw new UsageError(err.message);
      if (err instanceof SchemaDerivationError) {
        process.stderr.write(`ocsf-lake catalog: cannot derive a table schema: ${err.message}\n`);
        return 1;
      }
      throw err;
    }

    if (!values.register) {
      const text = format === 'json' ? JSON.stringify(jsonOf(plan), null, 2) + '\n' : planDdl(plan);
      await writeOut(process.stdout, text);
      return 0;
    }
    const report = await registerCatalog(plan, {
      ...(values.endpoint !== undefined ? { endpoint: values.endpoint as string } : {}),
      force: values.force === true,
      onResult: (r) => {
        const what = r.kind === 'database' ? `database ${r.database}` : `table ${r.database}.${r.table}`;
        const line = `${r.region}  ${what}: ${r.action}${r.error ? ` (${r.error})` : ''}\n`;
        if (r.action === 'failed') process.stderr.write(line);
        else process.stdout.write(line);
      },
    });
    return report.failed > 0 ? 1 : 0;
  },
};

/** The plan as Glue API inputs: `aws glue create-database --cli-input-json` / `create-table` shapes. */
function jsonOf(plan: CatalogPlan): unknown {
  return {
    databases: plan.databases.map(({ region, ...DatabaseInput }) => ({ region, DatabaseInput })),
    tables: plan.tables.map((t) => ({ region: t.region, DatabaseName: t.database, TableInput: t.tableInput })),
  };
}
