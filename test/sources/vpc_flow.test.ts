/**
 * VPC_FLOW decoding forms, failures with reason codes, sniff specificity, the mapper API, table/code
 * consistency and the accounting invariant. Goldens are in vpc_flow.golden.test.ts, real data in
 * vpc_flow.realdata.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource, SourceError } from '../../src/index.js';
import type { MapFailure, OcsfEvent, RecordContext, SourceOptions } from '../../src/index.js';
import { gunzipSalvage, isGzip, sniffHead } from '../../src/core/input.js';
import { vpcDecoders } from '../../src/sources/vpc_flow/decode.js';
import { compileTables } from '../../src/sources/vpc_flow/tables.js';

const GOLDEN = new URL('../golden/vpc_flow/', import.meta.url);
const SHARED = new URL('../../../shared/', import.meta.url);
const golden = (f: string) => readFileSync(new URL(f, GOLDEN));

const V2_HEADER = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const V2_LINE = '2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.10 10.0.2.20 49152 443 6 12 3400 1700000000 1700000060 ACCEPT OK';

interface Run {
  events: OcsfEvent[];
  failures: MapFailure[];
  sources: string[];
}

async function run(
  input: string | Uint8Array,
  opts: { source?: string; version?: string; options?: SourceOptions; context?: RecordContext; name?: string } = {},
): Promise<Run> {
  const session = createMapSession({ source: opts.source ?? 'VPC_FLOW', sourceVersion: opts.version, options: opts.options, context: opts.context });
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const out: Run = { events: [], failures: [], sources: [] };
  for await (const o of session.mapInput(opts.name ?? 'input.log', bytes)) {
    if (o.kind === 'event') {
      out.events.push(o.event);
      out.sources.push(o.source);
    } else if (o.kind === 'failure') out.failures.push(o.failure);
  }
  const s = session.stats;
  expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
  expect(s.events).toBe(out.events.length);
  return out;
}

function cwlDoc(messages: string[], extra: Record<string, unknown> = {}) {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '210987654321',
    logGroup: 'arn:aws:logs:ap-northeast-1:210987654321:log-group:flows',
    logStream: 'eni-0a1b2c3d4e5f60001-all',
    subscriptionFilters: ['f'],
    logEvents: messages.map((m, i) => ({ id: String(i), timestamp: 1700000000000, message: m })),
    ...extra,
  };
}
const b64 = (doc: unknown) => gzipSync(JSON.stringify(doc)).toString('base64');

function parquet(columns: Record<string, unknown>): Uint8Array {
  const t = tableFromArrays(columns as Record<string, readonly unknown[]>);
  const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(t, 'stream')), props);
}

describe('VPC_FLOW delivery forms', () => {
  it('text with header, gzip (by magic bytes), same events as plain text', async () => {
    const plain = await run(golden('v2-default.raw.log'));
    const gz = await run(gzipSync(golden('v2-default.raw.log')), { name: 'x.log.gz' });
    expect(plain.events).toHaveLength(6);
    expect(gz.events).toStrictEqual(plain.events);
  });

  it('CRLF line endings, blank lines and runs of spaces/tabs', async () => {
    const text = `${V2_HEADER}\r\n\r\n${V2_LINE.replace(/ /g, '  ').replace('ACCEPT', '\tACCEPT')}\r\n   \r\n`;
    const r = await run(text);
    expect(r.failures).toEqual([]);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ status_code: 'OK', activity_id: 6, src_endpoint: { port: 49152 } });
  });

  it('a header mid-file (concatenated S3 objects) switches the format', async () => {
    const text = `${V2_HEADER}\n${V2_LINE}\nstart end srcaddr dstaddr action log-status\n1700000100 1700000160 10.9.9.9 10.8.8.8 REJECT OK\n`;
    const r = await run(text);
    expect(r.failures).toEqual([]);
    expect(r.events.map((e) => [e.activity_id, (e.src_endpoint as { ip: string }).ip])).toEqual([
      [6, '10.0.1.10'],
      [5, '10.9.9.9'],
    ]);
  });

  it('headerless text: default v2 format, and --vpc-format in AWS syntax or as a plain list', async () => {
    const def = await run(`${V2_LINE}\n`);
    const withHeader = await run(`${V2_HEADER}\n${V2_LINE}\n`);
    expect(def.events).toStrictEqual(withHeader.events);
    const line = 'REJECT 10.0.0.1 10.0.0.2 1700000000 OK';
    for (const vpcFormat of ['${action} ${srcaddr} ${dstaddr} ${start} ${log-status}', 'action,srcaddr, dstaddr start log_status']) {
      const r = await run(`${line}\n`, { options: { vpcFormat } });
      expect(r.failures).toEqual([]);
      expect(r.events[0]).toMatchObject({ activity_id: 5, time: 1700000000000, src_endpoint: { ip: '10.0.0.1' }, status_code: 'OK' });
    }
  });

  it('a header wins over --vpc-format', async () => {
    const r = await run(`${V2_HEADER}\n${V2_LINE}\n`, { options: { vpcFormat: '${srcaddr} ${dstaddr}' } });
    expect(r.failures).toEqual([]);
    expect(r.events).toHaveLength(1);
  });

  it('CloudWatch Logs: awslogs.data, bare base64, decoded NDJSON; control messages skipped; owner and log-group region used', async () => {
    const doc = cwlDoc([V2_LINE, V2_LINE.replace('ACCEPT', 'REJECT')]);
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination' }] };
    const forms = [
      JSON.stringify({ awslogs: { data: b64(doc) } }),
      b64(doc) + '\n',
      JSON.stringify(doc) + '\n' + JSON.stringify(control) + '\n',
    ];
    for (const f of forms) {
      const r = await run(f, { version: '2.0', context: { region: 'us-east-1', accountId: '999999999999' } });
      expect(r.failures).toEqual([]);
      expect(r.events.map((e) => e.activity_id)).toEqual([6, 5]);
      // account-id is in the line; the region comes from the log group ARN, over the user's --region.
      expect(r.events[0]!.cloud).toEqual({ account: { uid: '123456789012' }, region: 'ap-northeast-1', provider: 'AWS' });
    }
  });

  it('CloudWatch Logs: custom --vpc-format, owner as account fallback', async () => {
    const doc = cwlDoc(['eni-0a1b2c3d4e5f60001 10.0.0.1 10.0.0.2 1700000000 ACCEPT OK']);
    const r = await run(JSON.stringify(doc), { version: '1.0', options: { vpcFormat: 'interface-id srcaddr dstaddr start action log-status' } });
    expect(r.failures).toEqual([]);
    expect(r.events[0]!.cloud).toEqual({ account_uid: '210987654321', region: 'ap-northeast-1', provider: 'AWS' });
  });

  it('CloudWatch Logs: a message with the wrong field count fails on its own', async () => {
    const r = await run(JSON.stringify(cwlDoc([V2_LINE, '2 123456789012 eni-0a1b2c3d4e5f60001 OK'])));
    expect(r.events).toHaveLength(1);
    expect(r.failures.map((f) => [f.reason, f.context.index])).toEqual([['field-count-mismatch', 1]]);
  });

  it('Parquet as delivered to S3 (underscore columns, INT64, null numbers)', async () => {
    const bytes = parquet({
      version: new BigInt64Array([5n, 5n]),
      account_id: ['123456789012', '123456789012'],
      interface_id: ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60001'],
      srcaddr: ['10.0.1.10', '-'],
      dstaddr: ['10.0.2.20', '-'],
      srcport: new Float64Array([49152, NaN]),
      dstport: new Float64Array([443, NaN]),
      protocol: new BigInt64Array([6n, 0n]),
      start: new BigInt64Array([1700000000n, 1700000100n]),
      end: new BigInt64Array([1700000060n, 1700000160n]),
      action: ['ACCEPT', '-'],
      log_status: ['OK', 'NODATA'],
      flow_direction: ['ingress', '-'],
    });
    const r = await run(bytes, { version: '1.0', name: 'AWSLogs/123456789012/vpcflowlogs/eu-west-3/2024/01/01/x.log.parquet' });
    expect(r.failures).toEqual([]);
    expect(r.events).toHaveLength(2);
    expect(r.events[0]).toMatchObject({
      cloud: { account_uid: '123456789012', region: 'eu-west-3' },
      src_endpoint: { port: 49152, ip: '10.0.1.10' },
      dst_endpoint: { port: 443, ip: '10.0.2.20', interface_uid: 'eni-0a1b2c3d4e5f60001' },
      connection_info: { protocol_num: 6, direction_id: 1, direction: 'Inbound' },
    });
    expect(r.events[1]).toMatchObject({ activity_id: 0, disposition_id: 99, disposition: '-', status_code: 'NODATA' });
    expect((r.events[1]!.src_endpoint as Record<string, unknown>).port).toBeUndefined();
  });

  it('Parquet with an unknown column fails the file naming it, unless unknown fields are allowed', async () => {
    const cols = { start: new BigInt64Array([1700000000n]), srcaddr: ['10.0.0.1'], dstaddr: ['10.0.0.2'], action: ['ACCEPT'], log_status: ['OK'], my_tag: ['blue'] };
    const bad = await run(parquet(cols));
    expect(bad.events).toEqual([]);
    expect(bad.failures.map((f) => f.reason)).toEqual(['unknown-field']);
    expect(bad.failures[0]!.message).toContain('"my_tag"');
    const ok = await run(parquet(cols), { options: { allowUnknownFields: true } });
    expect(ok.failures).toEqual([]);
    expect(ok.events[0]!.unmapped).toEqual({ my_tag: 'blue' });
  });

  it('CSV export with an underscore header (ocsf/examples form)', async () => {
    const r = await run(readFileSync(new URL('ocsf-examples/v1.1.0/vpc_flow/vpcflowlog.raw.csv', SHARED)), { version: '2.0' });
    expect(r.failures).toEqual([]);
    expect(r.events[0]).toMatchObject({ activity_id: 5, action_id: 2, connection_info: { direction_id: 1, boundary_id: 99, boundary: '-' } });
  });

  it('S3 key (plain and Hive layout) gives account and region when the format has none', async () => {
    for (const key of [
      's3://b/AWSLogs/111122223333/vpcflowlogs/sa-east-1/2024/01/01/111122223333_vpcflowlogs_sa-east-1_fl-1_20240101T0000Z_a.log.gz',
      's3://b/p/AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=sa-east-1/year=2024/month=01/day=01/x.log.gz',
    ]) {
      const r = await run(gzipSync('start srcaddr dstaddr action log-status\n1700000000 10.0.0.1 10.0.0.2 ACCEPT OK\n'), { name: key, version: '2.0' });
      expect(r.events[0]!.cloud).toEqual({ account: { uid: '111122223333' }, region: 'sa-east-1', provider: 'AWS' });
    }
  });
});

describe('VPC_FLOW failures', () => {
  it('field count, non-numeric or out-of-range numbers, bad or missing start: per line, with reason codes', async () => {
    const lines = [
      V2_LINE,
      '2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.10 10.0.2.20 49152 443 6 12 3400 1700000000 ACCEPT OK',
      V2_LINE.replace('49152', 'http'),
      V2_LINE.replace(' 3400 ', ' 3.4k '),
      V2_LINE.replace(' 12 3400', ' x 3400'),
      V2_LINE.replace(' 443 ', ' 70000 '),
      V2_LINE.replace(' 6 12 ', ' tcp 12 '),
      V2_LINE.replace('1700000000', '2023-11-14'),
      V2_LINE.replace(' 1700000060 ', ' soon '),
      V2_LINE.replace('1700000000', '-'),
      V2_LINE,
    ];
    const r = await run(`${V2_HEADER}\n${lines.join('\n')}\n`);
    expect(r.events).toHaveLength(2);
    expect(r.failures.map((f) => [f.reason, f.context.line])).toEqual([
      ['field-count-mismatch', 3],
      ['invalid-number', 4],
      ['invalid-number', 5],
      ['invalid-number', 6],
      ['invalid-number', 7],
      ['invalid-number', 8],
      ['invalid-time', 9],
      ['invalid-time', 10],
      ['missing-field', 11],
    ]);
    expect(r.failures[0]!.message).toContain('13 fields');
    // The raw record is the line with its format: it serializes as the line, and the dead letter keeps the header.
    expect(JSON.parse(JSON.stringify(r.failures[0])).raw).toBe(lines[1]);
    // Replay reads a dead letter as its header plus its line: the missing start stays missing-field, not a field-count mismatch.
    const missing = r.failures.find((f) => f.reason === 'missing-field')!;
    const again = await run(`${(missing.raw as { deadLetterHeader(): string }).deadLetterHeader()}\n${JSON.parse(JSON.stringify(missing)).raw}\n`);
    expect(again.failures.map((f) => f.reason)).toEqual(['missing-field']);
    expect(r.failures.slice(1, 6).map((f) => f.message.split(' ')[0])).toEqual(['srcport', 'bytes', 'packets', 'dstport', 'protocol']);
    expect(JSON.parse(JSON.stringify(r.failures[1])).raw).toBe(lines[2]);
  });

  it('an unknown header field fails the file with a message naming it; allowed, it goes to unmapped', async () => {
    const text = `${V2_HEADER} flow-log-tag\n${V2_LINE} blue\n${V2_LINE} green\n`;
    const bad = await run(text);
    expect(bad.events).toEqual([]);
    expect(bad.failures).toHaveLength(1);
    expect(bad.failures[0]!.reason).toBe('unknown-field');
    expect(bad.failures[0]!.message).toContain('"flow-log-tag"');
    expect(bad.failures[0]!.message).toContain('--allow-unknown-fields');
    const ok = await run(text, { options: { allowUnknownFields: true } });
    expect(ok.events.map((e) => e.unmapped)).toEqual([{ flow_log_tag: 'blue' }, { flow_log_tag: 'green' }]);
  });

  it('an unknown or repeated field in --vpc-format is a usage error naming it', () => {
    expect(() => createMapSession({ source: 'VPC_FLOW', options: { vpcFormat: '${version} ${acount-id}' } })).toThrow(SourceError);
    expect(() => createMapSession({ source: 'VPC_FLOW', options: { vpcFormat: '${version} ${acount-id}' } })).toThrow(/"acount-id"/);
    expect(() => createMapSession({ source: 'VPC_FLOW', options: { vpcFormat: 'srcaddr srcaddr' } })).toThrow(/twice/);
    expect(() => createMapSession({ source: 'VPC_FLOW', options: { vpcFormat: '${version} ${acount-id}', allowUnknownFields: true } })).not.toThrow();
  });

  it('empty input and a header without records', async () => {
    const empty = await run('');
    expect(empty.failures.map((f) => f.reason)).toEqual(['empty-input']);
    const headerOnly = await run(`${V2_HEADER}\n`);
    expect(headerOnly.events).toEqual([]);
    expect(headerOnly.failures).toEqual([]);
  });
});

describe('VPC_FLOW sniffing is specific', () => {
  const vpcSniffs = (head: string, bytes: Uint8Array = Buffer.from(head)) => vpcDecoders.filter((d) => d.sniff(head, bytes)).map((d) => d.format);

  it('recognises each VPC form', () => {
    expect(vpcSniffs(`${V2_HEADER}\n${V2_LINE}\n`)).toContain('vpc-text');
    expect(vpcSniffs(`${V2_LINE}\n`)).toEqual(['vpc-text-headerless']);
    expect(vpcSniffs('- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5\n')).toEqual(['vpc-text-headerless']);
    expect(vpcSniffs(JSON.stringify({ awslogs: { data: b64(cwlDoc([V2_LINE])) } }))).toEqual(['vpc-cwl']);
    expect(vpcSniffs('account_id,action,srcaddr\n1,ACCEPT,10.0.0.1\n')).toEqual(['vpc-csv']);
    const pq = readFileSync(new URL('aws-native/1.0.0-rc.2/VPC_FLOW/inputs/vpc_flow-input0.json.parquet', SHARED));
    expect(vpcSniffs('PAR1', pq)).toEqual(['vpc-parquet']);
  });

  it('rejects other sources and plain text', () => {
    const others = [
      '{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}]}',
      '{"version":"1.100000","account_id":"111122223333","query_name":"example.com.","srcaddr":"10.0.0.1","rcode":"NOERROR"}\n',
      'hello world\nthis is a log file\n',
      '2024-01-01T00:00:00Z INFO started worker 12 ACCEPT\n',
      'version 1.2.3\n',
      JSON.stringify({ awslogs: { data: b64({ ...cwlDoc(['{"kind":"Event","apiVersion":"audit.k8s.io/v1"}']), logStream: 'kube-apiserver-audit-123' }) } }),
    ];
    for (const o of others) expect(vpcSniffs(o)).toEqual([]);
    // Security Lake's OCSF output Parquet is not a VPC input.
    const ocsf = readFileSync(new URL('aws-native/1.0.0-rc.2/VPC_FLOW/example0.gz.parquet', SHARED));
    expect(vpcSniffs('PAR1', ocsf)).toEqual([]);
  });

  it('claims no file of the other sources in ../shared/raw and ../shared/aws-native', () => {
    const root = fileURLToPath(SHARED);
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const others = [...walk(join(root, 'raw')), ...walk(join(root, 'aws-native'))].filter(
      (f) => !/vpcflow|VPC_FLOW/.test(f) && !/(LICENSE|COPYING|README)[^/]*$/.test(f),
    );
    expect(others.length).toBeGreaterThan(50);
    const claimed = others.filter((f) => {
      let bytes: Uint8Array = readFileSync(f);
      if (isGzip(bytes)) bytes = gunzipSalvage(bytes).data;
      return vpcSniffs(sniffHead(bytes), bytes).length > 0;
    });
    expect(claimed).toEqual([]);
  });

  it('--source auto picks VPC_FLOW for VPC inputs', async () => {
    const r = await run(golden('v5-ingress-egress.raw.log'), { source: 'auto' });
    expect(r.sources).toEqual(['VPC_FLOW', 'VPC_FLOW']);
    const h = await run(`${V2_LINE}\n`, { source: 'auto' });
    expect(h.sources).toEqual(['VPC_FLOW']);
  });
});

describe('VPC_FLOW mapper API and tables', () => {
  const def = getSource('VPC_FLOW')!;

  it('maps a bare line (default format) and a column object with hyphen keys the same way', () => {
    const m = def.createMapper('2.0', {});
    const fromLine = m.map(V2_LINE, {});
    const names = V2_HEADER.split(' ');
    const obj = Object.fromEntries(V2_LINE.split(' ').map((v, i) => [names[i]!, v]));
    expect(m.map(obj, {})).toStrictEqual(fromLine);
    expect(m.map({ ...obj, bogus: 1 }, {})).toMatchObject({ reason: 'unknown-field' });
    expect(m.map(42, {})).toMatchObject({ reason: 'not-an-object' });
  });

  it('uses context account/region only when the record has none', () => {
    const m = def.createMapper('1.0', {});
    const ev = m.map('1700000000 10.0.0.1 10.0.0.2', {}) as never;
    expect(ev).toMatchObject({ reason: 'field-count-mismatch' });
    const m2 = def.createMapper('1.0', { vpcFormat: 'start srcaddr dstaddr' });
    expect(m2.map('1700000000 10.0.0.1 10.0.0.2', { region: 'eu-north-1', accountId: '444455556666' })).toMatchObject({
      cloud: { account_uid: '444455556666', region: 'eu-north-1', provider: 'AWS' },
      activity_id: 0,
      disposition_id: 0,
      connection_info: { direction_id: 0, direction: 'Unknown' },
    });
  });

  it('compiles both tables (the JSON tables and the mapper agree)', () => {
    for (const v of ['1.0.0-rc.2', '1.1.0'] as const) expect(() => compileTables(v)).not.toThrow();
  });

  it('declares every attribute path the goldens emit', () => {
    const paths = (v: unknown, prefix: string, out: Set<string>) => {
      if (Array.isArray(v)) {
        if (v.every((x) => typeof x !== 'object')) out.add(prefix);
        else for (const x of v) paths(x, prefix + '[]', out);
      } else if (v !== null && typeof v === 'object') {
        if (prefix === 'unmapped') return void out.add('unmapped');
        for (const [k, x] of Object.entries(v)) paths(x, prefix ? `${prefix}.${k}` : k, out);
      } else out.add(prefix);
    };
    for (const v of ['1.0', '2.0']) {
      const seen = new Set<string>();
      for (const f of ['v2-default', 'v5-ingress-egress', 'nat-gateway', 'v8-ecs', 'traffic-paths', 'custom-order']) {
        for (const ev of JSON.parse(readFileSync(new URL(`${f}.${v}.ocsf.json`, GOLDEN), 'utf8'))) paths(ev, '', seen);
      }
      const declared = new Set(def.versions[v]!.attributes);
      expect([...seen].filter((p) => !declared.has(p))).toEqual([]);
    }
  });
});

describe('VPC_FLOW behaviour against the OCSF 1.5.0 sample (egress, pkt-dstaddr ≠ dstaddr, v8 ECS fields)', () => {
  it('agrees on endpoints, connection info, verdict, observables and unmapped', async () => {
    const r = await run(readFileSync(new URL('ocsf-examples/extra/v1.5.0/vpc_flow/vpcflowlog.raw.csv', SHARED)), { version: '2.0' });
    expect(r.failures).toEqual([]);
    const ours = r.events[0]! as Record<string, unknown>;
    const ref = JSON.parse(readFileSync(new URL('ocsf-examples/extra/v1.5.0/vpc_flow/vpcflowlog.ocsf.json', SHARED), 'utf8'));
    for (const k of ['src_endpoint', 'dst_endpoint', 'connection_info', 'traffic', 'unmapped', 'action', 'action_id', 'disposition', 'activity_id', 'type_uid', 'status_code']) {
      expect(ours[k], k).toStrictEqual(ref[k]);
    }
    const byName = (o: { name: string; value: string }[]) => o.map((x) => `${x.name}=${x.value}`).sort();
    expect(byName(ours.observables as never)).toEqual(byName(ref.observables));
  });
});

describe('VPC_FLOW on the project sample generator (src/samples)', () => {
  it('maps every generated line of the three formats, at both versions, into valid events', async () => {
    const { generateSampleFiles } = await import('../../src/samples/index.js');
    const { createValidator } = await import('../../src/validate/index.js');
    const validator = createValidator();
    const files = [...generateSampleFiles('vpc_flow', 900, { perFile: 300 })];
    expect(files).toHaveLength(3);
    for (const version of ['1.0', '2.0']) {
      let events = 0;
      for (const f of files) {
        const r = await run(f.bytes, { version, name: f.name });
        expect(r.failures).toEqual([]);
        events += r.events.length;
        for (const e of r.events) expect(validator.validate(e).errors).toEqual([]);
        // account and region come from the record or from the S3 key
        for (const e of r.events) expect((e.cloud as { region?: string }).region).toBeTruthy();
      }
      expect(events).toBe(900);
    }
  });
});
