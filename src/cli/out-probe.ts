/**
 * `--out` checked before any input is read: a real write of a small probe object (then deleted), so a lake root
 * under a regular file, a read-only directory, a missing bucket or missing credentials is one line and exit 2,
 * not a failure after minutes of work or a stack trace.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PROBE_DIR } from '../ledger/entry.js';
import type { S3ClientOptions } from '../io/s3.js';
import { fsReason, UsageError } from './io.js';

/**
 * Under the lake's own folder (`_ocsf_lake/probe/`), which readers of the table paths never look at and the next
 * run clears, so a run killed between the write and the delete leaves nothing in view.
 */
const probeName = () => `${PROBE_DIR}/${randomBytes(6).toString('hex')}`;

export interface ProbeOptions {
  s3?: S3ClientOptions;
  kmsKeyId?: string;
}

/** Writes and deletes a probe object under `out`; throws a {@link UsageError} naming `--out` when it cannot. */
export async function probeOutput(out: string, opts: ProbeOptions = {}): Promise<void> {
  if (out.startsWith('s3://')) return probeS3(out, opts);
  const path = join(out, probeName());
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, '');
      break;
    } catch (err) {
      // A concurrent run may remove the emptied probe folder between the mkdir and the write: try again.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 5) continue;
      throw new UsageError(`cannot write to --out ${out}: ${fsReason(err)}`);
    }
  }
  await rm(path, { force: true });
  await rmdir(dirname(path)).catch(() => undefined); // another run's probe may be there too
}

async function probeS3(out: string, opts: ProbeOptions): Promise<void> {
  // The SDK is loaded only for runs that write to S3.
  const [{ createS3Client }, { PutObjectCommand, DeleteObjectCommand }] = await Promise.all([import('../io/s3.js'), import('@aws-sdk/client-s3')]);
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(out);
  if (!m) throw new UsageError(`--out ${out} is not an s3://BUCKET/PREFIX URL`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  const target = { Bucket: m[1]!, Key: `${prefix === '' ? '' : `${prefix}/`}${probeName()}` };
  const client = createS3Client({ ...opts.s3, maxAttempts: 2 });
  try {
    await client.send(
      new PutObjectCommand({ ...target, Body: new Uint8Array(0), ContentLength: 0, ...(opts.kmsKeyId !== undefined ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: opts.kmsKeyId } : {}) }),
    );
  } catch (err) {
    client.destroy();
    const e = err as Error & { Code?: string };
    throw new UsageError(`cannot write to --out ${out}: ${e.name !== 'Error' ? `${e.name}: ` : ''}${e.message.split('\n')[0]}`);
  }
  try {
    await client.send(new DeleteObjectCommand(target));
  } catch (err) {
    // Writing works; a policy may still forbid deletes. The run can go on, the user should know what is left.
    process.stderr.write(`ocsf-lake: warning: could not delete the write probe s3://${target.Bucket}/${target.Key}: ${(err as Error).message.split('\n')[0]}\n`);
  } finally {
    client.destroy();
  }
}
