/**
 * `ocsf-lake demo [--out ./lake] [--records N]`: the README's main command. Generates sample inputs for all seven
 * sources with the project's own seeded generator (local files only), ingests them into a lake, prints the
 * summary, then queries the lake with DuckDB: events per source and class, and one sample row.
 */
import { rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingest } from '../../pipeline/ingest.js';
import { writeSamples } from '../../samples/index.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { printResult } from './ingest.js';
import { probeOutput } from '../out-probe.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate sample logs for all seven sources, ingest them into ./lake and query the lake with DuckDB',
  usage: 'ocsf-lake demo [options]',
  options: {
    out: { type: 'string', default: 'lake', value: 'DIR', description: 'lake directory to write' },
    records: { type: 'string', default: '20000', value: 'N', description: 'CloudTrail and VPC Flow records to generate (fewer for the other sources)' },
    workers: { type: 'string', value: 'N', description: 'worker threads', defaultText: 'one per core' },
    'keep-samples': { type: 'boolean', description: 'keep the generated sample logs (their directory is printed)' },
  },
  examples: ['ocsf-lake demo', 'ocsf-lake demo --records 1000 --out /tmp/lake', 'ocsf-lake demo --keep-samples --workers 2'],
  async run({ values }) {
    const out = resolve(values.out as string);
    const records = Number(values.records);
    if (!(Number.isInteger(records) && records > 0)) throw new UsageError(`--records must be a positive integer, got ${String(values.records)}`);
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    await probeOutput(out);
    // The same samples, at the same path with the same modification time, on every run: a second demo into the
    // same lake shows the ledger skipping what it has already ingested.
    const samples = join(tmpdir(), `ocsf-lake-demo-samples-${records}`);
    rmSync(samples, { recursive: true, force: true });
    try {
      const files = writeSamples(samples, {
        seed: 1,
        records: {
          cloudtrail: records,
          vpc_flow: records,
          route53: Math.ceil(records / 2),
          security_hub: Math.ceil(records / 20),
          eks_audit: Math.ceil(records / 2),
        },
      });
      const generated = new Date(Date.UTC(2024, 2, 15));
      for (const f of files) utimesSync(f.path, generated, generated);
      const bytes = files.reduce((n, f) => n + f.bytes, 0);
      process.stdout.write(`generated ${files.length} sample files (${(bytes / 1e6).toFixed(1)} MB gzip) in ${samples}\n`);
      process.stdout.write(`ingesting into ${out} (EKS audit payloads carry no Region: --region us-east-1 is their default)\n\n`);
      const result = await ingest([samples], {
        source: 'auto',
        out,
        workers,
        validate: { sample: 0.05 },
        context: { region: 'us-east-1' },
      });
      const code = await printResult('demo', result, { json: false, out, region: 'us-east-1' });
      await queryLake(out);
      return code;
    } finally {
      if (values['keep-samples']) process.stdout.write(`\nsamples kept in ${samples}\n`);
      else rmSync(samples, { recursive: true, force: true });
    }
  },
};

/** Reads the lake back with DuckDB (a dev dependency: the query is skipped, with a note, when it is absent). */
async function queryLake(root: string): Promise<void> {
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import('@duckdb/node-api');
  } catch {
    process.stdout.write('\n(@duckdb/node-api is not installed: skipping the DuckDB query of the lake)\n');
    return;
  }
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const glob = `${root.replaceAll("'", "''")}/aws/*/*/*/*/*/*.parquet`;
  const counts = await conn.runAndReadAll(
    `SELECT split_part(filename, '/aws/', 2).split('/')[1] AS source, class_uid, class_name, count(*) AS events,
            count(DISTINCT region || accountid || eventday) AS partitions
       FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true, filename = true)
      GROUP BY ALL ORDER BY source, class_uid`,
  );
  process.stdout.write(`\nDuckDB: SELECT source, class_uid, class_name, count(*) FROM read_parquet('${root}/aws/**/*.parquet', hive_partitioning = true) GROUP BY ALL\n`);
  printRows(counts.getRowObjectsJson() as Record<string, unknown>[]);
  const sample = await conn.runAndReadAll(
    `SELECT time_dt, region, accountid, eventday, activity_name, actor.user.name AS actor, api.operation AS operation,
            src_endpoint.ip AS src_ip, cardinality(unmapped) AS unmapped_keys
       FROM read_parquet('${root.replaceAll("'", "''")}/aws/CLOUD_TRAIL_MGMT/2.0/*/*/*/*.parquet', hive_partitioning = true)
      WHERE class_uid = 6003 AND actor.user.name IS NOT NULL AND src_endpoint.ip IS NOT NULL
      ORDER BY time LIMIT 1`,
  );
  process.stdout.write('\nDuckDB: one CloudTrail management API Activity event\n');
  printRows(sample.getRowObjectsJson() as Record<string, unknown>[]);
  conn.closeSync();
}

function printRows(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ') + ' |';
  process.stdout.write(line(cols) + '\n' + line(widths.map((w) => '-'.repeat(w))) + '\n');
  for (const r of rows) process.stdout.write(line(cols.map((c) => cell(r[c]))) + '\n');
}
