/**
 * A small HTTP proxy between the S3 SDK and s3rver that injects faults: an HTTP error status with an S3
 * error body, or a dropped connection (the socket destroyed before any response). Every request is logged
 * with the S3 operation it is, so tests can show retries and aborted multipart uploads.
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type S3Op = 'PutObject' | 'CreateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'GetObject' | 'HeadObject' | 'ListObjects' | 'DeleteObject' | 'Other';

export interface LoggedRequest {
  op: S3Op;
  method: string;
  path: string;
  part?: number;
  /** Status sent to the client, or `dropped`. */
  outcome: number | 'dropped';
  headers: IncomingMessage['headers'];
}

export type Fault = { status: number; code: string } | 'drop' | undefined;

export interface FaultProxy {
  endpoint: string;
  log: LoggedRequest[];
  /** Decides the fault for each request (undefined = forward); `n` counts requests of that op so far (1-based). */
  rule: (r: { op: S3Op; part?: number; key: string; n: number }) => Fault;
  /** Forwards everything again and forgets the log and the per-op counts. */
  reset(): void;
  close(): Promise<void>;
}

function opOf(method: string, url: URL): S3Op {
  const q = url.searchParams;
  if (method === 'PUT' && q.has('partNumber') && q.has('uploadId')) return 'UploadPart';
  if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (method === 'PUT') return 'PutObject';
  if (method === 'DELETE') return 'DeleteObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'GET' && (q.has('list-type') || url.pathname.split('/').filter(Boolean).length <= 1)) return 'ListObjects';
  if (method === 'GET') return 'GetObject';
  return 'Other';
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const counts = new Map<S3Op, number>();
  const proxy: FaultProxy = {
    endpoint: '',
    log: [],
    rule: () => undefined,
    reset() {
      proxy.rule = () => undefined;
      proxy.log.length = 0;
      counts.clear();
    },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const op = opOf(req.method ?? 'GET', url);
    const n = (counts.get(op) ?? 0) + 1;
    counts.set(op, n);
    const part = url.searchParams.has('partNumber') ? Number(url.searchParams.get('partNumber')) : undefined;
    const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
    const fault = proxy.rule({ op, part, key, n });
    const entry: LoggedRequest = { op, method: req.method ?? '', path: url.pathname, ...(part !== undefined ? { part } : {}), outcome: 0, headers: req.headers };
    proxy.log.push(entry);
    if (fault === 'drop') {
      entry.outcome = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault) {
      entry.outcome = fault.status;
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected by the test proxy</Message><RequestId>x</RequestId></Error>`);
      });
      return;
    }
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      entry.outcome = r.statusCode ?? 0;
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
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
