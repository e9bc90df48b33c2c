/**
 * `ocsf-lake ledger --lake <DIR|s3://bucket/prefix> [--json]`: what the lake has ingested — one line per
 * committed unit of work (when, which run, inputs, records, events, dead letters, files), newest last.
 */
import type { Command } from '../command.js';
import { UsageError, writeOut } from '../io.js';
import { S3_FLAGS, s3OptionsFromArgs } from '../lake-options.js';
import { Ledger } from '../../ledger/ledger.js';
import { shardOut } from '../../pipeline/ingest.js';
import { sinkFor } from '../../pipeline/shard.js';

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: "list what a lake has ingested (its commit ledger): inputs, counts and files per unit of work",
  usage: 'ocsf-lake ledger --lake <DIR|s3://bucket/prefix> [--json] [--endpoint URL --path-style]',
  options: {
    lake: { type: 'string', value: 'DIR|s3://BUCKET/PREFIX', description: 'the lake root whose ledger to list' },
    json: { type: 'boolean', description: 'print every entry as JSON (inputs, files, dead letters, counts) instead of the table' },
    endpoint: S3_FLAGS.endpoint!,
    'path-style': S3_FLAGS['path-style']!,
  },
  examples: ['ocsf-lake ledger --lake ./lake', 'ocsf-lake ledger --lake s3://my-lake/ocsf --json', 'ocsf-lake ledger --endpoint http://localhost:9000 --path-style --lake s3://lake/ocsf'],
  async run({ values }) {
    const lake = values.lake as string | undefined;
    if (!lake) throw new UsageError('--lake DIR|s3://bucket/prefix is required');
    const store = await sinkFor(shardOut({ out: lake, s3: s3OptionsFromArgs(values), fsync: false }));
    try {
      const ledger = await new Ledger(store).load();
      const entries = [...ledger.entries.values()].sort((a, b) => a.seq - b.seq).map((e) => ({ ...e, superseded: ledger.isSuperseded(e.seq) }));
      if (values.json === true) {
        await writeOut(process.stdout, JSON.stringify({ lake, entries }, null, 1) + '\n');
        return 0;
      }
      const n = (x: number) => x.toLocaleString('en-US');
      const rows = entries.map((e) => [
        String(e.seq),
        e.committedAt.replace(/\.\d+Z$/, 'Z'),
        e.command,
        n(e.inputs.length),
        n(e.counts.recordsIn),
        n(e.counts.eventsWritten),
        n(e.counts.failures),
        n(e.counts.filtered),
        n(e.files.length),
        e.superseded ? 'superseded' : e.supersedes.length > 0 ? `replaces ${e.supersedes.join(',')}` : '',
      ]);
      const head = ['seq', 'committed', 'command', 'inputs', 'records', 'events', 'failures', 'filtered', 'files', ''];
      const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (r: string[]) => r.map((c, i) => (i <= 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ').trimEnd();
      await writeOut(process.stdout, [line(head), ...rows.map(line)].join('\n') + '\n');
      const live = entries.filter((e) => !e.superseded);
      const sum = (f: (e: (typeof entries)[number]) => number) => n(live.reduce((s, e) => s + f(e), 0));
      await writeOut(
        process.stdout,
        `${entries.length} entries (${live.length} live): ${sum((e) => e.inputs.length)} inputs, ${sum((e) => e.counts.eventsWritten)} events, ${sum((e) => e.counts.failures)} dead letters, ${sum((e) => e.files.length)} files\n`,
      );
      return 0;
    } finally {
      await store.close?.();
    }
  },
};
