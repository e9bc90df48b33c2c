/**
 * `ocsf-lake demo [--out ./lake] [--records N]`: the README's main command. Generates sample inputs for all seven
 * sources with the project's own seeded generator (local files only), ingests them into a lake, prints the
 * summary, then queries the lake as `ocsf-lake query` does: events per table and class, and one sample row.
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
import { DuckDbMissingError, openLakeQuery } from '../../query/lake.js';
import { formatRows } from '../rows.js';

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

/** Reads the lake back through `ocsf-lake query`'s views (skipped, with a note, without `@duckdb/node-api`). */
async function queryLake(root: string): Promise<void> {
  let q;
  try {
    q = await openLakeQuery(root);
  } catch (err) {
    if (!(err instanceof DuckDbMissingError)) throw err;
    process.stdout.write(`\n(skipping the query of the lake: ${err.message})\n`);
    return;
  }
  try {
    const tables = q.views.filter((v) => v.region === undefined && /_\d+_\d+$/.test(v.name)).map((v) => v.name);
    const perTable = tables.map((t) => `SELECT '${t}' AS "table", class_uid, class_name, count(*) AS events, count(DISTINCT region || accountId || eventDay) AS partitions FROM ${t} GROUP BY ALL`);
    const counts = await q.run(`${perTable.join(' UNION ALL ')} ORDER BY "table", class_uid`);
    process.stdout.write(`\nocsf-lake query --lake ${root} "SELECT class_uid, class_name, count(*) FROM <table> GROUP BY ALL" (one view per table)\n`);
    process.stdout.write(formatRows(counts.columns, counts.rows));
    const sql = `SELECT time_dt, region, accountId, eventDay, activity_name, actor.user.name AS actor, api.operation AS operation,
            src_endpoint.ip AS src_ip, cardinality(unmapped) AS unmapped_keys
       FROM cloud_trail_mgmt WHERE class_uid = 6003 AND actor.user.name IS NOT NULL AND src_endpoint.ip IS NOT NULL ORDER BY time LIMIT 1`;
    const sample = await q.run(sql);
    process.stdout.write(`\nocsf-lake query --lake ${root} "SELECT ... FROM cloud_trail_mgmt WHERE class_uid = 6003 ... LIMIT 1"\n`);
    process.stdout.write(formatRows(sample.columns, sample.rows));
  } finally {
    q.close();
  }
}
