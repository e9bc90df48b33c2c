/**
 * `ocsf-lake schema --source <SOURCE> [--source-version V] [--layout native|custom] [--class UID]
 *  [--format text|glue|athena|arrow|json]`
 * Prints the Parquet file schema the writer derives for a source version (from the OCSF JSON Schemas and
 * the attributes the source declares): as an indented column list (default), as Glue/Hive column types,
 * as an Athena DDL statement, as Apache Arrow's schema text, or as JSON.
 */
import { latestVersion, resolveSources, SourceError } from '../../core/source.js';
import { deriveSchema, SchemaDerivationError } from '../../writer/arrow-schema.js';
import { athenaDdl, describeColumns, glueColumns, leafCount, PARTITION_COLUMNS, toArrowSchema } from '../../writer/schema-tree.js';
import type { Layout, WriterSchema } from '../../writer/schema-tree.js';
import { tablePrefix } from '../../writer/partition.js';
import { sourceUsageError, UsageError, writeOut } from '../io.js';
import type { Command } from '../command.js';

const FORMATS = ['text', 'glue', 'athena', 'arrow', 'json'] as const;

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the Parquet schema of a source version (columns, Glue/Athena types)',
  usage: 'ocsf-lake schema --source SOURCE [options]',
  options: {
    source: { type: 'string', value: 'SOURCE', description: 'a sourceName (CLOUD_TRAIL_MGMT) or a family (cloudtrail) (required)' },
    'source-version': { type: 'string', value: '1.0|2.0', description: 'Security Lake source version', defaultText: "the source's latest" },
    layout: { type: 'string', value: 'native|custom', description: 'one table per source (native) or per class (custom)', defaultText: 'native; custom for custom sources' },
    class: { type: 'string', value: 'UID', description: 'only the columns of this OCSF class (e.g. 6003)', defaultText: "every class of the source" },
    region: { type: 'string', default: 'us-east-1', value: 'REGION', description: 'Region in the Glue table name of --format athena and json' },
    format: { type: 'string', default: 'text', value: 'text|glue|athena|arrow|json', description: 'column tree, Glue column types, Athena DDL, Arrow schema text, or JSON' },
  },
  examples: ['ocsf-lake schema --source cloudtrail', 'ocsf-lake schema --source VPC_FLOW --source-version 1.0 --format glue', 'ocsf-lake schema --source SH_FINDINGS --format athena --region eu-west-1'],
  async run({ values }) {
    const selector = values.source as string | undefined;
    if (!selector) throw new UsageError('--source is required');
    const format = values.format as string;
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got ${format}`);
    let defs;
    try {
      defs = resolveSources(selector);
    } catch (err) {
      if (err instanceof SourceError) throw sourceUsageError(err);
      throw err;
    }
    const schemas: WriterSchema[] = [];
    for (const def of defs) {
      const version = (values['source-version'] as string | undefined) ?? latestVersion(def);
      if (!def.versions[version]) throw new UsageError(`--source-version: ${def.name} has no version ${version} (have ${Object.keys(def.versions).join(', ')})`);
      const layout = ((values.layout as string | undefined) ?? (def.custom ? 'custom' : 'native')) as Layout;
      if (layout !== 'native' && layout !== 'custom') throw new UsageError(`--layout must be native or custom, got ${layout}`);
      const classes = values.class !== undefined ? [Number(values.class)] : layout === 'custom' ? def.versions[version]!.classes : [undefined];
      for (const classUid of classes) {
        try {
          schemas.push(deriveSchema(def, version, { layout, ...(classUid !== undefined ? { classUid } : {}) }));
        } catch (err) {
          if (err instanceof SchemaDerivationError) throw new UsageError(err.message);
          throw err;
        }
      }
    }
    const region = values.region as string;
    const out: string[] = [];
    for (const s of schemas) {
      // A built-in source's extra declarations are ours to fix, not the user's; a custom source's are likely typos.
      if (s.unresolved && defs.some((d) => d.name === s.source && d.custom)) {
        process.stderr.write(`ocsf-lake schema: warning: ${s.source} ${s.sourceVersion} declares attributes in none of its classes, left out of the schema (check registerSource attributes): ${s.unresolved.join(', ')}\n`);
      }
      const prefix = tablePrefix(s.layout, s.source, s.sourceVersion);
      const table = `amazon_security_lake_table_${region.replace(/-/g, '_')}_${s.layout === 'custom' ? `ext_${s.source.toLowerCase()}` : `${s.source.toLowerCase()}_${s.sourceVersion.replace('.', '_')}`}`;
      const title = `${s.source} ${s.sourceVersion} (OCSF ${s.ocsfVersion}, ${s.layout} layout, classes ${s.classes.join(', ')}, ${s.fields.length} columns, ${leafCount(s.fields)} leaf columns, fingerprint ${s.fingerprint})`;
      switch (format) {
        case 'text':
          out.push(`# ${title}`, `# files: <root>/${prefix}/region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/<name>.parquet`);
          out.push(...describeColumns(s.fields).map((l) => `${'  '.repeat(l.split(':')[0]!.split('.').length - 1)}${l}`));
          break;
        case 'glue':
          out.push(`# ${title}`, ...glueColumns(s).map((c) => `${c.name} ${c.type}`), ...PARTITION_COLUMNS.map((c) => `${c.name} ${c.type} (partition)`));
          break;
        case 'athena':
          out.push(`-- ${title}`, athenaDdl(s, table, `s3://<bucket>/${prefix}/`));
          break;
        case 'arrow':
          out.push(`# ${title}`, ...toArrowSchema(s).fields.map((f) => f.toString()));
          break;
        case 'json':
          out.push(JSON.stringify({ ...s, prefix, glue: { table, columns: glueColumns(s), partitionKeys: PARTITION_COLUMNS } }, null, 2));
          break;
      }
      out.push('');
    }
    await writeOut(process.stdout, out.join('\n'));
    return 0;
  },
};
