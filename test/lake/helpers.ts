/** Shared test helpers for the data lake tests: temp roots, a test source, an s3rver on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { defineSource, getSource } from '../../src/index.js';
// The registry itself: this stub source is not meant to pass the OCSF checks of the public registerSource.
import { registerSource } from '../../src/core/source.js';

export function tempRoot(prefix = 'ocsf-lake-'): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * A registered, non-AWS source with versions 1.0 and 1.1, so that tests of "latest the library
 * supports" and "this library can emit it" do not depend on which built-in mappers have landed.
 */
export const TEST_SOURCE = 'ACME_AUDIT';
export function registerTestSource(): void {
  if (getSource(TEST_SOURCE)) return;
  const spec = { ocsfVersion: '1.1.0' as const, classes: [3002], profiles: [], attributes: ['unmapped'] };
  registerSource(
    defineSource({
      name: TEST_SOURCE,
      title: 'ACME audit (test)',
      versions: { '1.0': spec, '1.1': spec },
      decoders: [{ format: 'acme', sniff: () => false, decode: () => [] }],
      createMapper(version) {
        return { source: TEST_SOURCE, version, ocsfVersion: '1.1.0', map: () => ({ class_uid: 3002, activity_id: 1, type_uid: 300201, time: 0, metadata: { version: '1.1.0' } }) };
      },
    }),
  );
}

export interface TestS3 {
  endpoint: string;
  client: S3Client;
  close(): Promise<void>;
}

/** s3rver 3.7.1 on 127.0.0.1 with bucket `lake`, and a client with the settings of stack.md §4. */
export async function startS3(): Promise<TestS3> {
  const dir = tempRoot('s3rver-');
  // s3rver ships no type declarations; import it untyped rather than declaring an ambient module.
  const { default: S3rver } = (await import('s3rver' as string)) as {
    default: new (opts: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  };
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir.root, configureBuckets: [{ name: 'lake' }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    client: s3ClientFor(endpoint),
    async close() {
      await server.close();
      dir.cleanup();
    },
  };
}

export function s3ClientFor(endpoint: string, maxAttempts = 3): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts,
  });
}
