/**
 * S3 for the exactly-once tests: an s3rver that can be stopped and started again on the same port over the
 * same data directory (an S3 outage that heals), and a proxy in front of it that adds what s3rver 3.7.1 lacks.
 *
 * Why a proxy: AWS S3 implements conditional writes (`If-None-Match: *` on PutObject and
 * CompleteMultipartUpload: 412 PreconditionFailed when the key exists; `If-Match: <etag>`: 412 when the
 * current ETag differs, 404 when there is none) and serializes them per key. s3rver ignores those headers, so
 * two writers racing for one ledger entry would both "win" there, though they cannot on S3. The proxy plays
 * S3's documented role: under a per-key mutex it HEADs the key on s3rver, answers 412 with S3's XML error
 * body when the condition fails, and otherwise forwards the request. Everything else passes through.
 *
 * The proxy also lets a test act on the client's writes: `intercept(prefix, …)` sees every mutating request
 * (PUT, POST, DELETE) under a key prefix before it is forwarded, so a test can SIGKILL the client at its Nth
 * write into its lake (and choose whether that write still lands), or fail writes with an S3 error. Tests that
 * use different lakes (prefixes) can run at the same time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientFor } from '../lake/helpers.js';

export const BUCKET = 'lake';
/** What the CLI child processes need to sign requests for s3rver. */
export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };

type S3rverInstance = { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer?: Server };

/** An s3rver on 127.0.0.1 with bucket `lake`, restartable on the same port and data directory. */
export interface RestartableS3 {
  endpoint: string;
  port: number;
  /** A client straight to s3rver (reading the lake back). */
  client: S3Client;
  running(): boolean;
  /** Closes the listener and drops every open connection (an outage, not a graceful shutdown). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartableS3(): Promise<RestartableS3> {
  const directory = mkdtempSync(join(tmpdir(), 'eo-s3rver-'));
  // s3rver ships no type declarations; import it untyped rather than declaring an ambient module.
  const { default: S3rver } = (await import('s3rver' as string)) as { default: new (opts: Record<string, unknown>) => S3rverInstance };
  let server: S3rverInstance | undefined;
  let port = 0;
  const start = async () => {
    const s = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
    port = (await s.run()).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.httpServer?.closeAllConnections();
    await s.close();
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    client: s3ClientFor(endpoint),
    running: () => server !== undefined,
    stop,
    start,
    async close() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A mutating request as the proxy sees it, before forwarding. */
export interface Mutation {
  /** 1-based count of mutating requests under the interceptor's prefix since it was installed. */
  n: number;
  method: string;
  /** Object key without the bucket (path-style), '' for bucket-level requests. */
  key: string;
  /** The `x-amz-copy-source` of a CopyObject, if any. */
  copySource?: string;
}

/** What to do with a mutating request: forward it (default), drop the connection, or answer with an S3 error. */
export type MutationAction = undefined | 'forward' | 'drop' | { status: number; code: string };

export interface ConditionalProxy {
  endpoint: string;
  /**
   * Calls `handler` for each mutating request whose key starts with `prefix` (the last interceptor installed
   * for a prefix wins); returns the function that removes it.
   */
  intercept(prefix: string, handler: (m: Mutation) => MutationAction): () => void;
  /** Conditional requests answered 412 so far (evidence that races were arbitrated here). */
  readonly preconditionFailures: number;
  /** Requests that could not reach s3rver (it was down) so far. */
  readonly unreachable: number;
  close(): Promise<void>;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, extra = ''): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>eo-proxy</RequestId></Error>`);
}

const unquote = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

/** Runs `fn` after every earlier holder of `key` has finished (a per-key FIFO mutex). */
function keyedMutex(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, fn) => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

export async function startConditionalProxy(s3: RestartableS3): Promise<ConditionalProxy> {
  const target = new URL(s3.endpoint);
  const head = s3ClientFor(s3.endpoint, 1);
  const withKey = keyedMutex();
  const interceptors: { prefix: string; handler: (m: Mutation) => MutationAction; n: number }[] = [];
  let preconditionFailures = 0;
  let unreachable = 0;

  /** Forwards the request to s3rver; resolves when the response has been sent on. */
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    new Promise<void>((resolve) => {
      const headers = { ...req.headers };
      delete headers['if-none-match'];
      delete headers['if-match'];
      const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        r.on('end', resolve);
        r.on('error', () => resolve());
      });
      up.on('error', () => {
        // s3rver is down: the client sees the connection drop, as with an unreachable endpoint.
        unreachable++;
        res.destroy();
        resolve();
      });
      up.end(body);
    });

  /** The current ETag of `key`, undefined when it does not exist; throws when s3rver cannot be reached. */
  const currentEtag = async (key: string): Promise<string | undefined> => {
    try {
      const r = await head.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return unquote(r.ETag ?? '');
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  };

  const proxy: ConditionalProxy = {
    endpoint: '',
    intercept(prefix, handler) {
      const i = { prefix, handler, n: 0 };
      interceptors.unshift(i);
      return () => {
        const at = interceptors.indexOf(i);
        if (at >= 0) interceptors.splice(at, 1);
      };
    },
    get preconditionFailures() {
      return preconditionFailures;
    },
    get unreachable() {
      return unreachable;
    },
    close: async () => undefined,
  };
  const actionFor = (method: string, key: string, copy: string | undefined): MutationAction => {
    const i = interceptors.find((x) => key.startsWith(x.prefix));
    if (!i) return undefined;
    return i.handler({ n: ++i.n, method, key, ...(copy !== undefined ? { copySource: decodeURIComponent(copy) } : {}) });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://x');
      const [bucket, ...rest] = url.pathname.split('/').filter(Boolean);
      const key = decodeURIComponent(rest.join('/'));
      const mutating = method === 'PUT' || method === 'POST' || method === 'DELETE';
      if (!mutating || !bucket) return void forward(req, res, body);
      const copy = req.headers['x-amz-copy-source'];
      const action = actionFor(method, key, typeof copy === 'string' ? copy : undefined);
      if (action === 'drop') return void req.socket.destroy();
      if (action && action !== 'forward') return s3Error(res, action.status, action.code, 'injected by the exactly-once test proxy');
      const ifNoneMatch = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      // Parts of a multipart upload are not conditional; the object appears (or not) at CompleteMultipartUpload.
      const objectWrite = !url.searchParams.has('partNumber');
      if (!objectWrite || (ifNoneMatch === undefined && ifMatch === undefined)) {
        return void withKey(key, () => forward(req, res, body));
      }
      void withKey(key, async () => {
        let etag: string | undefined;
        try {
          etag = await currentEtag(key);
        } catch {
          unreachable++;
          res.destroy();
          return;
        }
        if (ifNoneMatch !== undefined && unquote(String(ifNoneMatch)) === '*' && etag !== undefined) {
          preconditionFailures++;
          return s3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', '<Condition>If-None-Match</Condition>');
        }
        if (ifMatch !== undefined) {
          if (etag === undefined) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', `<Key>${key}</Key>`);
          if (unquote(String(ifMatch)) !== etag) {
            preconditionFailures++;
            return s3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', '<Condition>If-Match</Condition>');
          }
        }
        await forward(req, res, body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
