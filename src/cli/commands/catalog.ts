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
import { DEFAULT_FIRST_DAY, planCatalog } from '../../catalog/glue.js';
import type { CatalogOptions, CatalogPlan } from '../../catalog/glue.js';
import { planDdl } from '../../catalog/ddl.js';
import { CatalogError } from '../../catalog/names.js';
import { registerCatalog } from '../../catalog/register.js';
import { commaList, sourceUsageError, UsageError, writeOut } from '../io.js';
import type { Command } from '../command.js';

const notes = [
  [
    'Glue tables (database amazon_security_lake_glue_db_<region>, table amazon_security_lake_table_<region>_<source>_<ver>)',
    'over the lake at --location ({region} in it is replaced per region), as Athena DDL (default) or JSON Glue inputs.',
    'Partition projection is on by default; without --accounts, accountid is an injected projection and queries',
    'must filter on accountid.',
  ].join('\n'),
];

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'print or register the Glue/Athena tables of a lake',
  usage: 'ocsf-lake catalog --source SOURCE|all --regions R[,R] --location s3://BUCKET/PREFIX [options]',
  options: {
    source: { type: 'string', multiple: true, value: 'SOURCE[,SOURCE]', description: 'sourceNames, families (cloudtrail) or all (required)' },
    'source-version': { type: 'string', value: 'V|latest', description: 'Security Lake source version of the tables', defaultText: 'every version' },
    regions: { type: 'string', multiple: true, value: 'R[,R]', description: 'Regions to create databases and tables in (required)' },
    location: { type: 'string', value: 's3://BUCKET/PREFIX', description: 'lake root the tables read; {region} is replaced per Region (required)' },
    format: { type: 'string', default: 'ddl', value: 'ddl|json', description: 'Athena CREATE statements, or Glue CreateDatabase/CreateTable inputs as JSON' },
    layout: { type: 'string', value: 'native|custom', description: 'one table per source (native) or per class (custom)', defaultText: 'native; custom for custom sources' },
    projection: { type: 'string', default: 'on', value: 'on|off', description: 'Athena partition projection (no MSCK REPAIR or crawler needed)' },
    accounts: { type: 'string', multiple: true, value: 'ID[,ID]', description: 'accounts to enumerate in the accountid projection', defaultText: 'injected: queries filter on accountid' },
    'first-day': { type: 'string', value: 'YYYYMMDD', description: 'first day of the eventday projection', defaultText: DEFAULT_FIRST_DAY },
    register: { type: 'boolean', description: 'create the databases and create or update the tables through the Glue API (credentials from the environment)' },
    endpoint: { type: 'string', value: 'URL', description: 'Glue endpoint for --register (e.g. LocalStack)', defaultText: "the SDK's" },
    force: { type: 'boolean', description: 'with --register, also replace tables ocsf-lake did not create' },
  },
  notes,
  examples: [
    'ocsf-lake catalog --source all --regions us-east-1 --location s3://my-lake/ocsf',
    'ocsf-lake catalog --source cloudtrail --source-version 2.0 --regions us-east-1,eu-west-1 --accounts 111122223333 --format json --location s3://my-lake/ocsf',
    'ocsf-lake catalog --source VPC_FLOW --regions us-east-1 --register --location s3://my-lake/ocsf',
  ],
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const sources = commaList(values, 'source');
    if (!sources) throw new UsageError('--source is required (a source, a family, or all)');
    const regions = commaList(values, 'regions');
    if (!regions) throw new UsageError('--regions is required');
    const location = values.location as string | undefined;
    if (!location) throw new UsageError('--location s3://bucket[/prefix] is required');
    const format = values.format as string;
    if (format !== 'ddl' && format !== 'json') throw new UsageError(`--format must be ddl or json, got ${format}`);
    const layout = values.layout as string | undefined;
    if (layout !== undefined && layout !== 'native' && layout !== 'custom') throw new UsageError(`--layout must be native or custom, got ${layout}`);
    const projection = values.projection as string;
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
      if (err instanceof SourceError) throw sourceUsageError(err);
      if (err instanceof CatalogError) throw new UsageError(err.message);
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
