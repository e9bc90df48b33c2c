/**
 * Shared helpers of the pipeline tests (streaming, dead-letter and accounting, bad-input catalogue): temp
 * lakes, a user-defined source registered through the public API, a fault-injecting Sink wrapper, and readers
 * for the dead-letter files and the lake's object keys.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { SinkError } from '../../src/index.js';
import type { DeadLetterEntry, RunCounts, Sink } from '../../src/index.js';
import { generateSampleFiles } from '../../src/samples/index.js';

/** A fresh temp directory and its cleanup. */
export function tempDir(prefix = 'ocsf-pipeline-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under `root`, relative and `/`-separated, sorted (dot-files such as a sink's `.tmp` included). */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p).split('\\').join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * Three bad objects under `dir/bad/`: a CloudTrail file whose second record has a number for `eventName`
 * (`invalid-type`), a text file of no known format (`unknown-format`) and an empty `.gz` (`empty-input`).
 */
export function writeBadInputs(dir: string): void {
  const ct = [...generateSampleFiles('cloudtrail', 3, { perFile: 3, seed: 22 })][0]!;
  const doc = JSON.parse(gunzipSync(ct.bytes).toString('utf8')) as { Records: Record<string, unknown>[] };
  // Outside any AWSLogs/ key its records are filed under their recipientAccountId: an account no other sample
  // uses keeps them in partitions of their own, written by one worker.
  for (const r of doc.Records) r.recipientAccountId = '000011112222';
  doc.Records[1] = { ...doc.Records[1], eventName: 42 };
  mkdirSync(join(dir, 'bad'), { recursive: true });
  writeFileSync(join(dir, 'bad', 'cloudtrail-wrong-type.json'), JSON.stringify(doc));
  writeFileSync(join(dir, 'bad', 'garbage.txt'), 'this is not a log\n');
  writeFileSync(join(dir, 'bad', 'empty.json.gz'), '');
}

/** The accounting invariant of every run, with the counts in the failure message. */
export function expectBalanced(c: RunCounts): void {
  expect(c.recordsIn, JSON.stringify(c)).toBe(c.eventsWritten + c.failures + c.filtered);
  expect(Object.values(c.failuresByReason).reduce((a, b) => a + b, 0)).toBe(c.failures);
  expect(Object.values(c.filteredByReason).reduce((a, b) => a + b, 0)).toBe(c.filtered);
  expect(Object.values(c.eventsByPartition).reduce((a, b) => a + b, 0)).toBe(c.eventsWritten);
  expect(Object.values(c.eventsByClass).reduce((a, b) => a + b, 0)).toBe(c.eventsWritten);
}

/** A dead-letter entry with the lake-relative key of the file it was read from. */
export type StoredDeadLetter = DeadLetterEntry & { file: string };

/** Every dead-letter entry under `<root>/dlq/`, file by file (gzip NDJSON). */
export function readDeadLetters(root: string): StoredDeadLetter[] {
  const out: StoredDeadLetter[] = [];
  let files: string[];
  try {
    files = listTree(join(root, 'dlq')).map((f) => `dlq/${f}`);
  } catch {
    return out;
  }
  for (const file of files) {
    const text = gunzipSync(readFileSync(join(root, file))).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') out.push({ ...(JSON.parse(line) as DeadLetterEntry), file });
  }
  return out;
}

/** `dlq/<source>/<reason>/eventDay=YYYYMMDD/<32 hex>.ndjson.gz` */
export const DLQ_KEY = /^dlq\/([A-Za-z0-9_.-]+)\/([a-z0-9-]+)\/eventDay=(\d{8})\/[0-9a-f]{32}\.ndjson\.gz$/;

// ─── a user-defined source (public API only): in ./acme-sso.ts, which workers can import ─────────────────

export { ACME_CONTEXT, ACME_SSO, acmeLines, registerAcmeSso } from './acme-sso.js';

// ─── fault injection ─────────────────────────────────────────────────────────────────────────────────────

/** What a faulty sink does with one `put` of `key` (its `attempt`-th, 1-based): fail with an error, or pass. */
export type FaultRule = (key: string, attempt: number) => Error | undefined;

export interface FaultySink extends Sink {
  /** Every put, in order, with whether it was failed. */
  readonly log: { key: string; attempt: number; failed: boolean }[];
}

/** A Sink wrapper that fails `put` where `rule` says so (the failure a real sink reports: a SinkError). */
export function faultySink(inner: Sink, rule: FaultRule): FaultySink {
  const attempts = new Map<string, number>();
  const log: FaultySink['log'] = [];
  return {
    url: inner.url,
    log,
    async put(key, chunks, bytes) {
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const err = rule(key, attempt);
      log.push({ key, attempt, failed: err !== undefined });
      if (err) throw err;
      await inner.put(key, chunks, bytes);
    },
    close: inner.close ? () => inner.close!() : undefined,
  };
}

/** A throttling error (HTTP 503 SlowDown) as the S3 sink reports it after its own retries. */
export function transientError(key: string): SinkError {
  const cause = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
  return new SinkError(key, true, cause, 4);
}

/** An access-denied error (HTTP 403): retrying cannot help. */
export function permanentError(key: string): SinkError {
  const cause = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  return new SinkError(key, false, cause, 1);
}
