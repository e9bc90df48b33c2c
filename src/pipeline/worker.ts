/**
 * Worker-thread entry: runs one shard over the objects the main thread posts, and posts back progress and the
 * shard's result. Reads its own objects (local files, S3) so bytes cross threads only for in-memory inputs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import '../sources/index.js';
import { getSource } from '../core/source.js';
import { importSourceModules } from '../core/source-modules.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputListingError, s3Object } from './inputs.js';
import type { InputObject } from './inputs.js';
import type { ObjectMessage, WorkerReply } from './ingest.js';
import { runShard } from './shard.js';
import type { ShardConfig } from './shard.js';

const port = parentPort!;
const cfg = (workerData as { cfg: ShardConfig }).cfg;
// The run's S3 settings (endpoint, credentials) serve inputs whatever the output is.
const s3 = cfg.inputS3 ?? (cfg.out.kind === 's3' ? cfg.out.s3 : undefined);
let client: S3Client | undefined;

/** Objects as the main thread sends them, turned into an async iterable for the shard. */
async function* objects(): AsyncGenerator<InputObject | InputListingError> {
  const queue: (ObjectMessage | { type: 'end' })[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: ObjectMessage | { type: 'end' }) => {
    queue.push(m);
    wake?.();
  });
  for (;;) {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    const m = queue.shift()!;
    if (m.type === 'end') return;
    if (m.type === 'listing-error') {
      yield new InputListingError(m.input, m.reason, m.message);
      continue;
    }
    const ledger = { ...(m.identity ? { identity: m.identity } : {}), ...(m.group ? { group: m.group } : {}), ...(m.retire !== undefined ? { retire: m.retire } : {}) };
    if ('bytes' in m) {
      const bytes = m.bytes;
      yield { name: m.name, size: m.size, context: m.context, ...ledger, read: async () => bytes };
    } else if (m.ref.kind === 'file') {
      const path = m.ref.path;
      yield { name: m.name, size: m.size, context: m.context, ...ledger, read: () => readFile(path) };
    } else {
      // Imported on the first S3 object: a run over local files never loads the AWS SDK.
      client ??= (await import('../io/s3.js')).createS3Client(s3);
      yield { ...s3Object(client, m.ref.bucket, m.ref.key, m.size), ...ledger };
    }
  }
}

/** Registers the run's user sources in this thread (imports the modules that register them), then checks them. */
async function loadSourceModules(): Promise<void> {
  await importSourceModules(cfg.sourceModules ?? []);
  const missing = (cfg.sourceNames ?? []).filter((name) => getSource(name) === undefined);
  if (missing.length > 0) {
    throw new Error(
      `source ${missing.join(', ')} is registered on the calling thread but not by the sourceModules (${(cfg.sourceModules ?? []).join(', ')}): ` +
        'worker threads know only the built-in sources and what those modules register',
    );
  }
}

loadSourceModules()
  .then(() => runShard(cfg, objects(), (p) => port.postMessage({ type: 'progress', ...p } satisfies WorkerReply)))
  .then(
    (result) => port.postMessage({ type: 'done', result } satisfies WorkerReply),
    (err: Error) => port.postMessage({ type: 'error', message: err.stack ?? String(err) } satisfies WorkerReply),
  );
