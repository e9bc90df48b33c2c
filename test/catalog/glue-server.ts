/**
 * A tiny AWS Glue stand-in for tests: an HTTP server on loopback that speaks the part of Glue's JSON 1.1
 * protocol `registerCatalog` uses (POST `/`, operation in `X-Amz-Target: AWSGlue.<Op>`, errors as HTTP
 * 400 with `x-amzn-errortype` and a `{"__type","Message"}` body, like Glue). It keeps databases and
 * tables in memory and records every request so tests can assert what the real SDK sent.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  op: string;
  body: Record<string, any>;
  headers: IncomingHttpHeaders;
}

export interface StoredTable {
  DatabaseName: string;
  [k: string]: any;
}

export interface GlueServer {
  endpoint: string;
  requests: RecordedRequest[];
  databases: Map<string, Record<string, any>>;
  /** Key `<database>.<table>`. */
  tables: Map<string, StoredTable>;
  /** Makes the next calls of `op` (optionally only for one table name) fail with this error. */
  failNext(op: string, error: { type: string; message: string; status?: number }, tableName?: string): void;
  ops(): string[];
  close(): Promise<void>;
}

class GlueError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startGlueServer(): Promise<GlueServer> {
  const requests: RecordedRequest[] = [];
  const databases = new Map<string, Record<string, any>>();
  const tables = new Map<string, StoredTable>();
  const failures: { op: string; table?: string; error: { type: string; message: string; status?: number } }[] = [];

  const handlers: Record<string, (b: Record<string, any>) => unknown> = {
    GetDatabase(b) {
      const db = databases.get(b.Name);
      if (!db) throw new GlueError('EntityNotFoundException', `Database ${b.Name} not found.`);
      return { Database: db };
    },
    CreateDatabase(b) {
      const name = b.DatabaseInput?.Name;
      if (typeof name !== 'string') throw new GlueError('InvalidInputException', 'DatabaseInput.Name is required');
      if (databases.has(name)) throw new GlueError('AlreadyExistsException', `Database already exists.`);
      databases.set(name, { ...b.DatabaseInput, CreateTime: Date.now() / 1000 });
      return {};
    },
    GetTable(b) {
      if (!databases.has(b.DatabaseName)) throw new GlueError('EntityNotFoundException', `Database ${b.DatabaseName} not found.`);
      const t = tables.get(`${b.DatabaseName}.${b.Name}`);
      if (!t) throw new GlueError('EntityNotFoundException', `Table ${b.Name} not found.`);
      return { Table: t };
    },
    CreateTable(b) {
      if (!databases.has(b.DatabaseName)) throw new GlueError('EntityNotFoundException', `Database ${b.DatabaseName} not found.`);
      const key = `${b.DatabaseName}.${b.TableInput?.Name}`;
      if (tables.has(key)) throw new GlueError('AlreadyExistsException', `Table already exists.`);
      tables.set(key, { ...b.TableInput, DatabaseName: b.DatabaseName, CreateTime: Date.now() / 1000 });
      return {};
    },
    UpdateTable(b) {
      const key = `${b.DatabaseName}.${b.TableInput?.Name}`;
      const prev = tables.get(key);
      if (!prev) throw new GlueError('EntityNotFoundException', `Table ${b.TableInput?.Name} not found.`);
      tables.set(key, { ...b.TableInput, DatabaseName: b.DatabaseName, CreateTime: prev.CreateTime, UpdateTime: Date.now() / 1000 });
      return {};
    },
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith('AWSGlue.') ? target.slice('AWSGlue.'.length) : target;
      let body: Record<string, any> = {};
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        /* recorded as {} and answered below */
      }
      requests.push({ op, body, headers: req.headers });
      const reply = (status: number, payload: unknown, errorType?: string) => {
        const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${requests.length}` };
        if (errorType) headers['x-amzn-errortype'] = errorType;
        res.writeHead(status, headers);
        res.end(JSON.stringify(payload));
      };
      try {
        if (req.method !== 'POST' || req.url !== '/') throw new GlueError('UnknownOperationException', `${req.method} ${req.url}`, 404);
        const handler = handlers[op];
        if (!handler) throw new GlueError('UnknownOperationException', `unknown operation ${target}`);
        const tableName = body.TableInput?.Name ?? body.Name;
        const i = failures.findIndex((f) => f.op === op && (f.table === undefined || f.table === tableName));
        if (i >= 0) {
          const { error } = failures.splice(i, 1)[0]!;
          throw new GlueError(error.type, error.message, error.status);
        }
        reply(200, handler(body));
      } catch (err) {
        if (!(err instanceof GlueError)) throw err;
        reply(err.status, { __type: err.type, Message: err.message }, err.type);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    databases,
    tables,
    failNext(op, error, table) {
      failures.push({ op, error, ...(table !== undefined ? { table } : {}) });
    },
    ops: () => requests.map((r) => r.op),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
