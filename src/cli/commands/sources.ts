/**
 * `ocsf-lake sources <init|regions|delete-regions|add|remove|list|status> --lake DIR|s3://bucket/prefix ...`
 * Security Lake source management over the configuration stored in the lake root.
 * Exit codes: 0 done, 2 usage error, 1 API error (printed as `<ExceptionName>: <message>`).
 */
import { resolveSources, SourceError } from '../../core/source.js';
import { isKnownSource } from '../../lake/catalog.js';
import { openDataLake } from '../../lake/data-lake.js';
import type { DataLake } from '../../lake/data-lake.js';
import { ResourceNotFoundException, SecurityLakeException } from '../../lake/errors.js';
import { oneLine } from '../crash.js';
import type { AwsLogSourceConfiguration, LogSourceResource } from '../../lake/types.js';
import { commaList, UsageError, writeOut } from '../io.js';
import type { Command } from '../command.js';

const SUBCOMMANDS: Record<string, { summary: string; usage: string; allowed: string[]; required: string[] }> = {
  init: {
    summary: 'enable (or update) the data lake in Regions (CreateDataLake)',
    usage: 'init --lake L --regions r1,r2',
    allowed: ['regions'],
    required: ['regions'],
  },
  regions: { summary: 'list the Regions where the data lake is enabled (ListDataLakes)', usage: 'regions --lake L [--regions r1]', allowed: ['regions'], required: [] },
  'delete-regions': {
    summary: 'disable the data lake in Regions; data is kept (DeleteDataLake)',
    usage: 'delete-regions --lake L --regions r1',
    allowed: ['regions'],
    required: ['regions'],
  },
  add: {
    summary: 'enable sources (CreateAwsLogSource)',
    usage: 'add --lake L --source S[,S] [--source-version V|latest] [--accounts a,b] --regions r1,r2 [--latest-only]',
    allowed: ['source', 'source-version', 'accounts', 'regions', 'latest-only'],
    required: ['source', 'regions'],
  },
  remove: {
    summary: 'disable sources; data is kept (DeleteAwsLogSource)',
    usage: 'remove --lake L --source S[,S] [--source-version V] [--accounts a,b] --regions r1,r2',
    allowed: ['source', 'source-version', 'accounts', 'regions'],
    required: ['source', 'regions'],
  },
  list: {
    summary: 'list enabled sources per account and Region (ListLogSources)',
    usage: 'list --lake L [--accounts a,b] [--regions r1] [--source S]',
    allowed: ['accounts', 'regions', 'source'],
    required: [],
  },
  status: {
    summary: 'collection status per account and source (GetDataLakeSources)',
    usage: 'status --lake L [--accounts a,b]',
    allowed: ['accounts'],
    required: [],
  },
};
const COMMON = ['lake', 'json', 's3-endpoint', 's3-path-style'];

const notes = [
  ['subcommands:', ...Object.entries(SUBCOMMANDS).map(([, s]) => `  ocsf-lake sources ${s.usage}\n      ${s.summary}`)].join('\n'),
  'Lists take commas or repeated flags. Omitting --accounts means every account (also accounts seen later).',
];

export const sourcesCommand: Command = {
  name: 'sources',
  summary: 'manage Security Lake sources of a lake (init, add, remove, list, status)',
  usage: 'ocsf-lake sources init|regions|delete-regions|add|remove|list|status --lake DIR|s3://BUCKET/PREFIX [options]',
  options: {
    lake: { type: 'string', value: 'DIR|s3://BUCKET/PREFIX', description: 'lake root whose configuration to read and change (required)' },
    regions: { type: 'string', multiple: true, value: 'R[,R]', description: 'Regions (init, delete-regions, add, remove: required)' },
    accounts: { type: 'string', multiple: true, value: 'ID[,ID]', description: 'accounts the change or listing applies to', defaultText: 'every account' },
    source: { type: 'string', multiple: true, value: 'SOURCE[,SOURCE]', description: 'sourceNames or families (add, remove: required; list: a filter)' },
    'source-version': { type: 'string', value: 'V|latest', description: 'source version to enable or disable', defaultText: 'add: the latest; remove: every version' },
    'latest-only': { type: 'boolean', description: 'add: refuse any version but the latest' },
    json: { type: 'boolean', description: 'print regions, list and status as JSON instead of a table' },
    's3-endpoint': { type: 'string', value: 'URL', description: 'S3-compatible endpoint for an s3:// --lake', defaultText: "the SDK's" },
    's3-path-style': { type: 'boolean', description: 'address the bucket by path, as most S3-compatible servers need' },
  },
  notes,
  examples: [
    'ocsf-lake sources init --lake ./lake --regions us-east-1',
    'ocsf-lake sources add --lake ./lake --source CLOUD_TRAIL_MGMT,VPC_FLOW --regions us-east-1 --accounts 111122223333',
    'ocsf-lake sources status --lake s3://my-lake/ocsf --json',
  ],
  async run({ values, positionals }) {
    const [sub, ...extra] = positionals;
    if (sub === undefined) throw new UsageError(`a subcommand is required: ${Object.keys(SUBCOMMANDS).join(', ')}`);
    const spec = SUBCOMMANDS[sub];
    if (!spec) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}; expected one of ${Object.keys(SUBCOMMANDS).join(', ')}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    for (const k of Object.keys(values)) {
      if (!COMMON.includes(k) && !spec.allowed.includes(k)) throw new UsageError(`--${k} is not an option of \`sources ${sub}\``);
    }
    for (const k of ['lake', ...spec.required]) if (values[k] === undefined) throw new UsageError(`--${k} is required for \`sources ${sub}\``);
    const lake = openLake(values);
    try {
      return await SUBCOMMAND_RUN[sub]!(lake, values);
    } catch (err) {
      if (err instanceof ResourceNotFoundException && err.resourceType === 'DataLake' && err.regions) {
        const regions = err.regions.join(',');
        process.stderr.write(`ocsf-lake sources ${sub}: ${err.name}: the data lake is not enabled in ${regions}; run: ocsf-lake sources init --lake ${values.lake as string} --regions ${regions}\n`);
        return 1;
      }
      if (err instanceof SecurityLakeException) {
        process.stderr.write(`ocsf-lake sources ${sub}: ${err.name}: ${oneLine(err.message)}\n`);
        return 1;
      }
      throw err;
    }
  },
};

function openLake(values: Record<string, unknown>): DataLake {
  const root = values.lake as string;
  if (!root.startsWith('s3://')) {
    if (values['s3-endpoint'] !== undefined || values['s3-path-style']) throw new UsageError('--s3-endpoint/--s3-path-style need an s3:// --lake');
    return openDataLake({ root });
  }
  const endpoint = values['s3-endpoint'] as string | undefined;
  return openDataLake({
    root,
    s3ClientOptions: {
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      ...(values['s3-path-style'] ? { forcePathStyle: true } : {}),
    },
  });
}

/** Source names as typed: exact, upper-cased, or a family (`cloudtrail` → its members). */
function sourceNames(values: Record<string, unknown>): string[] {
  return commaList(values, 'source')!.flatMap((s) => {
    if (isKnownSource(s)) return [s];
    if (isKnownSource(s.toUpperCase())) return [s.toUpperCase()];
    try {
      return resolveSources(s).map((d) => d.name);
    } catch (err) {
      if (err instanceof SourceError) return [s]; // the API answers BadRequestException
      throw err;
    }
  });
}

function sourceConfigs(values: Record<string, unknown>): AwsLogSourceConfiguration[] {
  const regions = commaList(values, 'regions')!;
  const accounts = commaList(values, 'accounts');
  const version = values['source-version'] as string | undefined;
  return sourceNames(values).map((sourceName) => ({
    sourceName,
    regions,
    ...(accounts ? { accounts } : {}),
    ...(version !== undefined ? { sourceVersion: version } : {}),
  }));
}

async function printJson(x: unknown): Promise<void> {
  await writeOut(process.stdout, JSON.stringify(x, null, 2) + '\n');
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

async function reportFailed(failed: string[]): Promise<number> {
  if (failed.length > 0) process.stderr.write(`warning: not changed for accounts outside the organization: ${failed.join(', ')}\n`);
  return 0;
}

const SUBCOMMAND_RUN: Record<string, (lake: DataLake, values: Record<string, unknown>) => Promise<number>> = {
  async init(lake, values) {
    await printJson(await lake.createDataLake({ regions: commaList(values, 'regions')! }));
    return 0;
  },

  async regions(lake, values) {
    const regions = commaList(values, 'regions');
    const res = await lake.listDataLakes(regions ? { regions } : {});
    if (values.json) await printJson(res);
    else {
      const rows = res.dataLakes.map((d) => [d.region, d.dataLakeArn, d.encryptionConfiguration.kmsKeyId ?? '', d.createStatus]);
      await writeOut(process.stdout, formatTable(['REGION', 'DATA_LAKE_ARN', 'KMS_KEY', 'STATUS'], rows));
    }
    return 0;
  },

  async 'delete-regions'(lake, values) {
    await printJson(await lake.deleteDataLake({ regions: commaList(values, 'regions')! }));
    return 0;
  },

  async add(lake, values) {
    const res = await lake.createAwsLogSource({ sources: sourceConfigs(values) }, { latestOnly: values['latest-only'] === true });
    await printJson(res);
    return reportFailed(res.failed);
  },

  async remove(lake, values) {
    const res = await lake.deleteAwsLogSource({ sources: sourceConfigs(values) });
    await printJson(res);
    return reportFailed(res.failed);
  },

  async list(lake, values) {
    const accounts = commaList(values, 'accounts');
    const regions = commaList(values, 'regions');
    const sources: LogSourceResource[] | undefined = values.source
      ? sourceNames(values).map((sourceName) => ({ awsLogSource: { sourceName } }))
      : undefined;
    const rows: string[][] = [];
    const all = [];
    let nextToken: string | undefined;
    do {
      const res = await lake.listLogSources({ ...(accounts ? { accounts } : {}), ...(regions ? { regions } : {}), ...(sources ? { sources } : {}), ...(nextToken ? { nextToken } : {}) });
      all.push(...res.sources);
      nextToken = res.nextToken;
    } while (nextToken);
    if (values.json) {
      await printJson({ sources: all });
      return 0;
    }
    for (const s of all) {
      for (const r of s.sources) {
        const a = 'awsLogSource' in r ? r.awsLogSource : r.customLogSource;
        rows.push([s.account === '*' ? '* (every account)' : s.account, s.region, a.sourceName ?? '', a.sourceVersion ?? '']);
      }
    }
    await writeOut(process.stdout, formatTable(['ACCOUNT', 'REGION', 'SOURCE', 'VERSION'], rows));
    return 0;
  },

  async status(lake, values) {
    const accounts = commaList(values, 'accounts');
    const items = [];
    let nextToken: string | undefined;
    let dataLakeArn: string | null = null;
    do {
      const res = await lake.getDataLakeSources({ ...(accounts ? { accounts } : {}), ...(nextToken ? { nextToken } : {}) });
      items.push(...res.dataLakeSources);
      dataLakeArn = res.dataLakeArn;
      nextToken = res.nextToken;
    } while (nextToken);
    if (values.json) {
      await printJson({ dataLakeArn, dataLakeSources: items });
      return 0;
    }
    const rows = items.flatMap((i) =>
      i.sourceStatuses.map((s) => [
        i.account === '*' ? '* (every account)' : i.account,
        i.sourceName,
        s.region ?? '-',
        s.sourceVersion ?? '-',
        s.status,
        String(s.eventCount),
        String(s.failureCount),
        s.lastEventTime ?? '-',
        s.detail,
      ]),
    );
    await writeOut(process.stdout, formatTable(['ACCOUNT', 'SOURCE', 'REGION', 'VERSION', 'STATUS', 'EVENTS', 'FAILURES', 'LAST_EVENT', 'DETAIL'], rows));
    return 0;
  },
};
