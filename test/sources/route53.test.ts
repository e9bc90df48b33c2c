/**
 * ROUTE53 source: delivery forms, sniffing under `--source auto`, failures with stable reasons,
 * rcode / firewall tables, unmapped leaves, the attribute list and the accounting invariant.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource, MapFailure } from '../../src/index.js';
import type { MapSession, OcsfEvent, Outcome } from '../../src/index.js';
import { compileTables, loadTable } from '../../src/sources/route53/compile.js';
import type { Route53Table } from '../../src/sources/route53/compile.js';
import { route53Decoders } from '../../src/sources/route53/decode.js';

const SHARED = new URL('../../../shared/', import.meta.url);

/** A resolver query-log record as Route 53 writes it (values from documentation ranges). */
function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '1.100000',
    account_id: '111122223333',
    region: 'eu-west-1',
    vpc_id: 'vpc-0a1b2c3d4e5f60718',
    query_timestamp: '2024-03-05T10:15:30Z',
    query_name: 'www.example.com.',
    query_type: 'A',
    query_class: 'IN',
    rcode: 'NOERROR',
    answers: [{ Rdata: '192.0.2.10', Type: 'A', Class: 'IN' }],
    srcaddr: '10.0.1.25',
    srcport: '53142',
    transport: 'UDP',
    srcids: { instance: 'i-0abc1234def567890' },
    ...over,
  };
}

async function run(input: string | Uint8Array, version = '1.0', name = 'input.json', session?: MapSession) {
  const s = session ?? createMapSession({ source: 'ROUTE53', sourceVersion: version });
  const out: Outcome[] = [];
  for await (const o of s.mapInput(name, typeof input === 'string' ? Buffer.from(input) : input)) out.push(o);
  const st = s.stats;
  expect(st.recordsIn).toBe(st.events + st.failures + st.filtered);
  return {
    out,
    stats: st,
    events: out.flatMap((o) => (o.kind === 'event' ? [o.event] : [])),
    failures: out.flatMap((o) => (o.kind === 'failure' ? [o.failure] : [])),
  };
}

async function one(rec: unknown, version = '1.0'): Promise<OcsfEvent> {
  const r = await run(JSON.stringify(rec), version);
  expect(r.failures.map((f) => f.message)).toEqual([]);
  expect(r.events).toHaveLength(1);
  return r.events[0]!;
}

/** Maps one raw value with the mapper itself (the engine would not even sniff some of these). */
function failure(rec: unknown, version = '1.0'): MapFailure {
  const out = getSource('ROUTE53')!.createMapper(version, {}).map(JSON.parse(JSON.stringify(rec)), { input: 'x', line: 7 });
  expect(out).toBeInstanceOf(MapFailure);
  expect((out as MapFailure).context).toEqual({ input: 'x', line: 7 });
  return out as MapFailure;
}

function cwlPayload(messages: string[], messageType = 'DATA_MESSAGE') {
  return {
    messageType,
    owner: '444455556666',
    logGroup: '/aws/route53/query-logs',
    logStream: 'vpc-0a1b2c3d4e5f60718_rqlc',
    subscriptionFilters: ['f'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: 1709633730000 + i, message })),
  };
}

const three = [
  record(),
  record({ query_name: 'b.example.com.', rcode: 'NXDOMAIN', answers: [] }),
  record({ query_name: 'c.example.com.', firewall_rule_action: 'BLOCK', srcids: { resolver_endpoint: 'rslvr-in-1', resolver_network_interface: 'rni-1' } }),
];

describe('ROUTE53 delivery forms', () => {
  const lines = three.map((r) => JSON.stringify(r));
  const forms: Record<string, Uint8Array | string> = {
    'JSON lines (gzip, as delivered to S3)': gzipSync(lines.join('\n') + '\n'),
    'pretty-printed objects back to back': three.map((r) => JSON.stringify(r, null, 4)).join('\n'),
    'JSON array': JSON.stringify(three, null, 2),
    'Firehose concatenated objects': lines.join(''),
    'CloudWatch Logs subscription (awslogs wrapper)': JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(cwlPayload(lines))).toString('base64') } }),
    'CloudWatch Logs payloads written by Firehose (decoded, concatenated)':
      JSON.stringify(cwlPayload(lines.slice(0, 1))) + JSON.stringify(cwlPayload(lines.slice(1))),
    'CloudWatch Logs data, base64 text alone': gzipSync(JSON.stringify(cwlPayload(lines))).toString('base64') + '\n',
    'CloudWatch Logs export lines': lines.map((l, i) => `2024-03-05T10:15:3${i}.000Z ${l}`).join('\n') + '\n',
  };
  let reference: OcsfEvent[] | undefined;

  it.each(Object.entries(forms))('%s', async (_name, bytes) => {
    const r = await run(bytes, '2.0', 'input');
    expect(r.failures).toEqual([]);
    expect(r.events.map((e) => (e.query as { hostname: string }).hostname)).toEqual(['www.example.com.', 'b.example.com.', 'c.example.com.']);
    reference ??= r.events;
    expect(r.events).toStrictEqual(reference);
  });

  it('a single pretty-printed object (the aws-native input form)', async () => {
    const r = await run(JSON.stringify(record(), null, 4));
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.time).toBe(1709633730000);
  });

  it('filters CloudWatch control messages and counts them', async () => {
    const payload = cwlPayload(['CWL CONTROL MESSAGE: Checking health of destination Firehose.'], 'CONTROL_MESSAGE');
    const data = cwlPayload([JSON.stringify(record())]);
    const r = await run(JSON.stringify(data) + '\n' + JSON.stringify(payload) + '\n');
    expect(r.stats).toMatchObject({ recordsIn: 2, events: 1, filtered: 1, failures: 0 });
    expect(r.stats.filteredByReason).toEqual({ 'cwl-control-message': 1 });
  });

  it('reports bad log-event messages and a broken awslogs body, and goes on', async () => {
    const payload = cwlPayload([JSON.stringify(record()), '{"query_name": "x.", broken', JSON.stringify(record({ query_name: 'y.' }))]);
    const r = await run(JSON.stringify(payload));
    expect(r.events).toHaveLength(2);
    expect(r.failures.map((f) => [f.reason, f.context.index])).toEqual([['invalid-json', 1]]);
    const wrapper = JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } });
    const broken = wrapper.replace(/"data":"H4sI/, '"data":"!!!!');
    const r2 = await run(broken + '\n' + wrapper);
    expect(r2.events).toHaveLength(2);
    expect(r2.failures.map((f) => [f.reason, f.context.line])).toEqual([
      ['invalid-envelope', 1],
      ['invalid-json', 2],
    ]);
  });

  it('takes account and region from the envelope or options only when the record lacks them', async () => {
    const bare = record();
    delete bare.account_id;
    delete bare.region;
    const payload = cwlPayload([JSON.stringify(bare), JSON.stringify(record())]);
    const session = createMapSession({ source: 'ROUTE53', sourceVersion: '1.0', context: { region: 'ap-south-1', accountId: '999999999999' } });
    const r = await run(JSON.stringify(payload), '1.0', 'x', session);
    expect(r.events.map((e) => e.cloud)).toEqual([
      { provider: 'AWS', account_uid: '444455556666', region: 'ap-south-1' },
      { provider: 'AWS', account_uid: '111122223333', region: 'eu-west-1' },
    ]);
  });

  it('keeps going after an invalid JSON line in JSON lines', async () => {
    const text = [JSON.stringify(record()), '{"query_name":', '42', JSON.stringify(record({ query_name: undefined })), JSON.stringify(record())].join('\n');
    const r = await run(text);
    expect(r.events).toHaveLength(2);
    expect(r.failures.map((f) => [f.reason, f.context.line])).toEqual([
      ['invalid-json', 2],
      ['not-an-object', 3],
      ['missing-field', 4],
    ]);
  });
});

describe('ROUTE53 sniffing (--source auto tries every source)', () => {
  const sniffs = (text: string) => route53Decoders.some((d) => d.sniff(text.slice(0, 65536), Buffer.from(text)));

  it('recognizes its own inputs and is picked by --source auto', async () => {
    const native = readFileSync(new URL('aws-native/1.0.0-rc.2/ROUTE53/inputs/route53-inputs3.json.gz', SHARED));
    const r = await run(native, '1.0', 'route53-inputs3.json.gz', createMapSession({ source: 'auto', sourceVersion: '1.0' }));
    expect(r.stats.eventsBySource).toEqual({ ROUTE53: 1 });
    expect(sniffs(JSON.stringify(record()))).toBe(true);
  });

  it('does not claim other sources\u2019 inputs', () => {
    const others = [
      'ocsf-examples/v1.1.0/cloudtrail/api_activity/generic_api_activity.raw.json',
      'ocsf-examples/v1.1.0/eks_audit/eks.raw.json',
      'ocsf-examples/v1.1.0/security_hub/detection_finding/sechub-guardduty.raw.json',
      'ocsf-examples/v1.1.0/vpc_flow/vpcflowlog.raw.csv',
      'ocsf-examples/v1.1.0/route53/route53.ocsf.json',
    ];
    for (const f of others) expect([f, sniffs(readFileSync(new URL(f, SHARED), 'utf8'))]).toEqual([f, false]);
    for (const dir of ['raw/vpcflow/awsdocs/', 'raw/cloudtrail/awsdocs/']) {
      for (const f of readdirSync(new URL(dir, SHARED)).filter((n) => !n.startsWith('LICENSE'))) {
        expect([f, sniffs(readFileSync(new URL(dir + f, SHARED), 'utf8'))]).toEqual([f, false]);
      }
    }
    const vpcCwl = { awslogs: { data: gzipSync(JSON.stringify(cwlPayload(['2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK']))).toString('base64') } };
    expect(sniffs(JSON.stringify(vpcCwl))).toBe(false);
  });
});

describe('ROUTE53 failures (stable reasons)', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', 'a string', 'not-an-object', /JSON object, got string/],
    ['array record', [record()], 'not-an-object', /got an array/],
    ['missing query_timestamp', record({ query_timestamp: undefined }), 'missing-field', /^query_timestamp is missing$/],
    ['null query_timestamp', record({ query_timestamp: null }), 'missing-field', /query_timestamp is missing/],
    ['unparseable query_timestamp', record({ query_timestamp: 'yesterday' }), 'invalid-time', /RFC 3339/],
    ['zone-less query_timestamp', record({ query_timestamp: '2024-03-05T10:15:30' }), 'invalid-time', /with a zone/],
    ['impossible date', record({ query_timestamp: '2024-02-31T25:61:00Z' }), 'invalid-time', /query_timestamp/],
    ['February 29th of a common year', record({ query_timestamp: '2023-02-29T00:00:00Z' }), 'invalid-time', /not a valid date/],
    ['February 31st with an offset', record({ query_timestamp: '2024-02-31T00:00:00+01:00' }), 'invalid-time', /not a valid date/],
    ['second 60', record({ query_timestamp: '2024-03-05T10:15:60Z' }), 'invalid-time', /not a valid date/],
    ['numeric query_timestamp', record({ query_timestamp: 1709633730 }), 'invalid-time', /query_timestamp/],
    ['missing query_name', record({ query_name: undefined }), 'missing-field', /^query_name is missing$/],
    ['numeric query_name', record({ query_name: 5 }), 'invalid-type', /query_name must be a string, got number/],
    ['missing query_type (v1 only)', record({ query_type: undefined }), 'missing-field', /query_type is missing/],
    ['missing query_class (v1 only)', record({ query_class: undefined }), 'missing-field', /query_class is missing/],
    ['srcport not a number', record({ srcport: 'abc' }), 'invalid-number', /srcport must be an integer/],
    ['srcport out of range', record({ srcport: '70000' }), 'invalid-number', /srcport/],
    ['answers not an array', record({ answers: { Rdata: 'x' } }), 'invalid-type', /answers must be an array/],
    ['answer not an object', record({ answers: ['192.0.2.1'] }), 'invalid-type', /answers\[0\] must be an object/],
    ['answer without Rdata', record({ answers: [{ Type: 'A', Class: 'IN' }] }), 'missing-field', /answers\[0\]\.Rdata is missing/],
    ['answer without Type (v1 only)', record({ answers: [{ Rdata: '192.0.2.1', Class: 'IN' }] }), 'missing-field', /answers\[0\]\.Type is missing/],
    ['answer with numeric Rdata', record({ answers: [{ Rdata: 7, Type: 'A', Class: 'IN' }] }), 'invalid-type', /answers\[0\]\.Rdata must be a string/],
    ['srcids not an object', record({ srcids: 'i-1' }), 'invalid-type', /srcids must be an object, got string/],
    ['srcids.instance not a string', record({ srcids: { instance: 1 } }), 'invalid-type', /srcids\.instance must be a string/],
    ['no source address', record({ srcaddr: undefined, srcids: {} }), 'missing-field', /srcaddr is missing/],
    ['object firewall action', record({ firewall_rule_action: { a: 1 } }), 'invalid-type', /firewall_rule_action must be a string/],
  ];
  it.each(cases)('%s', (_name, rec, reason, message) => {
    const f = failure(rec);
    expect(f.reason).toBe(reason);
    expect(f.message).toMatch(message);
    expect(f.source).toBe('ROUTE53');
    expect(f.raw).toEqual(JSON.parse(JSON.stringify(rec)));
  });

  it('query_type, query_class and answer Type/Class are optional at 2.0', async () => {
    const ev = await one(record({ query_type: undefined, query_class: undefined, answers: [{ Rdata: '192.0.2.1' }] }), '2.0');
    expect(ev.query).toEqual({ hostname: 'www.example.com.' });
    expect(ev.answers).toStrictEqual([{ rdata: '192.0.2.1' }]);
  });

  it.each([
    ['2024-03-05T10:15:30Z', 1709633730000, '2024-03-05T10:15:30.000Z'],
    ['2024-03-05T10:15:30.123Z', 1709633730123, '2024-03-05T10:15:30.123Z'],
    ['2024-03-05T10:15:30.123456Z', 1709633730123, '2024-03-05T10:15:30.123Z'],
    ['2024-03-05T12:15:30+02:00', 1709633730000, '2024-03-05T10:15:30.000Z'],
    ['2024-02-29T23:59:59Z', 1709251199000, '2024-02-29T23:59:59.000Z'],
    ['2000-02-29T00:00:00Z', 951782400000, '2000-02-29T00:00:00.000Z'],
    ['1969-12-31T23:59:59Z', -1000, '1969-12-31T23:59:59.000Z'],
  ])('reads query_timestamp %s', async (ts, time, dt) => {
    const ev = await one(record({ query_timestamp: ts }), '2.0');
    expect([ev.time, ev.time_dt]).toEqual([time, dt]);
    expect(ev.time).toBe(Date.parse(ts));
  });

  it('accepts a numeric port and an instance without srcaddr', async () => {
    const ev = await one(record({ srcport: 53, srcaddr: undefined }));
    expect(ev.src_endpoint).toEqual({ vpc_uid: 'vpc-0a1b2c3d4e5f60718', port: 53, instance_uid: 'i-0abc1234def567890' });
  });
});

describe('ROUTE53 enums', () => {
  for (const [version, ocsf] of [['1.0', '1.0.0-rc.2'], ['2.0', '1.1.0']] as const) {
    const table = loadTable(ocsf);
    it(`maps every documented rcode, any case (${version})`, async () => {
      for (const e of table.rcodes.entries) {
        for (const spelling of [...e.raw, e.raw[0]!.toLowerCase(), e.caption]) {
          const ev = await one(record({ rcode: spelling }), version);
          expect([spelling, ev.rcode_id, ev.rcode]).toEqual([spelling, e.id, e.caption]);
          const activity = version === '1.0' ? e.activity_id : 6;
          expect([spelling, ev.activity_id, ev.type_uid]).toEqual([spelling, activity, 400300 + activity!]);
        }
      }
    });
  }

  it('v1 activity follows the native output: NOERROR 2, REFUSED 5, SERVFAIL 4; v2 is always 6', async () => {
    const act = async (rcode: string | undefined, v = '1.0') => {
      const ev = await one(record({ rcode }), v);
      return [ev.activity_id, ev.activity_name, ev.type_uid, ev.type_name];
    };
    expect(await act('NOERROR')).toEqual([2, 'Response', 400302, 'DNS Activity: Response']);
    expect(await act('REFUSED')).toEqual([5, 'Refuse', 400305, 'DNS Activity: Refuse']);
    expect(await act('SERVFAIL')).toEqual([4, 'Fail', 400304, 'DNS Activity: Fail']);
    expect(await act('NXDOMAIN')).toEqual([4, 'Fail', 400304, 'DNS Activity: Fail']);
    expect(await act('SOMETHING_NEW')).toEqual([99, 'Other', 400399, 'DNS Activity: Other']);
    expect(await act(undefined)).toEqual([0, 'Unknown', 400300, 'DNS Activity: Unknown']);
    for (const rc of ['NOERROR', 'SERVFAIL', 'SOMETHING_NEW', undefined]) expect(await act(rc, '2.0')).toEqual([6, 'Traffic', 400306, 'DNS Activity: Traffic']);
  });

  it('unknown rcode → 99 with the raw string; absent rcode → no rcode attributes', async () => {
    const ev = await one(record({ rcode: 'Rcode42' }), '2.0');
    expect([ev.rcode_id, ev.rcode]).toEqual([99, 'Rcode42']);
    for (const rcode of [undefined, '']) {
      const none = await one(record({ rcode }));
      expect(['rcode' in none || 'rcode_id' in none, none.activity_id]).toEqual([false, 0]);
    }
  });

  it('firewall actions at both versions', async () => {
    const fw = async (a: string | undefined, v: string) => {
      const ev = await one(record({ firewall_rule_action: a }), v);
      return v === '1.0' ? [ev.disposition_id, ev.disposition] : [ev.action_id, ev.action, ev.disposition_id, ev.disposition];
    };
    expect(await fw('ALERT', '1.0')).toEqual([16, 'No Action']);
    expect(await fw('BLOCK', '1.0')).toEqual([2, 'Blocked']);
    expect(await fw('allow', '1.0')).toEqual([1, 'Allowed']);
    expect(await fw('QUARANTINE', '1.0')).toEqual([99, 'QUARANTINE']);
    expect(await fw(undefined, '1.0')).toEqual([0, 'Unknown']);
    expect(await fw('', '1.0')).toEqual([0, 'Unknown']);
    expect(await fw('ALERT', '2.0')).toEqual([1, 'Allowed', 19, 'Alert']);
    expect(await fw('BLOCK', '2.0')).toEqual([2, 'Denied', 2, 'Blocked']);
    expect(await fw('ALLOW', '2.0')).toEqual([1, 'Allowed', 1, 'Allowed']);
    expect(await fw('QUARANTINE', '2.0')).toEqual([99, 'QUARANTINE', 99, 'QUARANTINE']);
    expect(await fw(undefined, '2.0')).toEqual([0, 'Unknown', 0, 'Unknown']);
  });
});

describe('ROUTE53 attributes and unmapped', () => {
  it('keeps the trailing dot of query names and omits answers when there are none', async () => {
    for (const answers of [undefined, null, []]) {
      const ev = await one(record({ query_name: 'example.com.', answers }));
      expect((ev.query as { hostname: string }).hostname).toBe('example.com.');
      expect('answers' in ev).toBe(false);
    }
  });

  it('flattens unknown fields, srcids extras and answer extras into unmapped (§1.5)', async () => {
    const ev = await one(
      record({
        firewall_domain_list_id: 'rslvr-fdl-1',
        new_field: { nested: { flag: true, list: [1, 2] }, empty: null },
        srcids: { instance: 'i-1', future_id: 'x-1' },
        answers: [
          { Rdata: '192.0.2.1', Type: 'A', Class: 'IN', TTL: '60' },
          { Rdata: '192.0.2.2', Type: 'A', Class: 'IN', TTL: '30' },
        ],
      }),
      '2.0',
    );
    expect(ev.unmapped).toStrictEqual({
      firewall_domain_list_id: 'rslvr-fdl-1',
      'new_field.nested.flag': 'true',
      'new_field.nested.list[]': '1,2',
      'srcids.future_id': 'x-1',
      'answers[].TTL': '60,30',
    });
    expect(ev.answers).toStrictEqual([
      { type: 'A', rdata: '192.0.2.1', class: 'IN' },
      { type: 'A', rdata: '192.0.2.2', class: 'IN' },
    ]);
  });

  it('declares every attribute path it emits (versions[v].attributes)', async () => {
    const def = getSource('ROUTE53')!;
    for (const version of ['1.0', '2.0']) {
      const declared = new Set(def.versions[version]!.attributes);
      const recs = [
        record({ firewall_rule_action: 'ALERT', firewall_rule_group_id: 'g', firewall_domain_list_id: 'd', answers: [{ Rdata: 'a.', Type: 'CNAME', Class: 'IN' }] }),
        record({ srcids: { resolver_endpoint: 'r', resolver_network_interface: 'n' } }),
      ];
      const paths = new Set<string>();
      const walk = (v: unknown, p: string) => {
        if (p === 'unmapped' || p === 'metadata.profiles') return void paths.add(p);
        if (Array.isArray(v)) return v.forEach((e) => walk(e, p + '[]'));
        if (v !== null && typeof v === 'object') return Object.entries(v).forEach(([k, c]) => walk(c, p ? `${p}.${k}` : k));
        paths.add(p);
      };
      for (const r of recs) walk(await one(r, version), '');
      expect([...paths].filter((p) => !declared.has(p))).toEqual([]);
    }
  });
});

describe('ROUTE53 mapping tables', () => {
  const table = loadTable('1.1.0');
  const mutate = (f: (t: Route53Table) => void) => {
    const t = structuredClone(table);
    f(t);
    return () => compileTables(t);
  };
  it('compile and list every [OPEN]/[INFERRED] decision as a deviation', () => {
    for (const v of ['1.0.0-rc.2', '1.1.0'] as const) {
      const t = loadTable(v);
      expect(() => compileTables(t)).not.toThrow();
      expect(t.deviations.length).toBeGreaterThan(5);
      for (const d of t.deviations) expect(Object.keys(d).sort()).toEqual(['decision', 'reason', 'spec', 'what']);
    }
  });
  it('reject a table that does not fit the code', () => {
    expect(mutate((t) => t.fields.pop())).toThrow(/no row for firewall_rule.uid/);
    expect(mutate((t) => t.fields.push({ ocsf: 'src_endpoint.mac', raw: 'mac', convert: 'string', spec: '' }))).toThrow(/no target src_endpoint.mac/);
    expect(mutate((t) => (t.fields.find((f) => f.ocsf === 'time')!.convert = 'string'))).toThrow(/convert timestamp/);
    expect(mutate((t) => (t.activity = { activity_id: 3 }))).toThrow(/activity 3/);
  });
  it('raw names come from the table', async () => {
    const t = structuredClone(loadTable('1.0.0-rc.2'));
    t.fields.find((f) => f.ocsf === 'src_endpoint.ip')!.raw = 'source_address';
    const compiled = compileTables(t);
    expect(compiled.raw['src_endpoint.ip']).toEqual({ top: 'source_address' });
    expect(compiled.mappedTop.has('source_address')).toBe(true);
  });
});
