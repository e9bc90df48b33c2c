/**
 * Route 53 mapping throughput (records/s): JSON.parse + map of resolver query-log records at source
 * versions 1.0 and 2.0, map alone on pre-parsed records, and the whole engine (sniff, NDJSON framing,
 * map, accounting) on the same records as one input object; reference: `JSON.parse` of the same lines.
 * The records are synthetic but shaped like Route 53's (resolver endpoint and instance sources, 0-3
 * answers, NXDOMAIN/SERVFAIL, DNS Firewall fields on one record in five).
 */
import { createMapSession, getSource } from '../src/index.js';
import { QUICK, runSuite, type BenchCase } from './lib.js';

const N = QUICK ? 500 : 2000;

function makeRecord(i: number): Record<string, unknown> {
  const rcode = i % 10 === 0 ? 'NXDOMAIN' : i % 37 === 0 ? 'SERVFAIL' : 'NOERROR';
  const answers: Record<string, string>[] = [];
  if (rcode === 'NOERROR') {
    if (i % 3 === 0) answers.push({ Rdata: `edge${i % 50}.cdn.example.net.`, Type: 'CNAME', Class: 'IN' });
    for (let k = 0; k < 1 + (i % 2); k++) answers.push({ Rdata: `192.0.2.${(i + k) % 250}`, Type: 'A', Class: 'IN' });
  }
  const r: Record<string, unknown> = {
    version: '1.100000',
    account_id: '111122223333',
    region: 'eu-west-1',
    vpc_id: 'vpc-0a1b2c3d4e5f60718',
    query_timestamp: new Date(Date.UTC(2024, 2, 5, 10, 0, 0) + i * 997).toISOString().replace('.000Z', 'Z'),
    query_name: `host${i % 400}.example.com.`,
    query_type: i % 4 === 0 ? 'AAAA' : 'A',
    query_class: 'IN',
    rcode,
    answers,
    srcaddr: `10.0.${i % 16}.${i % 250}`,
    srcport: String(1024 + (i % 60000)),
    transport: i % 20 === 0 ? 'TCP' : 'UDP',
    srcids: i % 2 === 0 ? { instance: `i-0abc1234def5${String(i % 100000).padStart(5, '0')}` } : { resolver_endpoint: 'rslvr-in-0123456789abcdef0', resolver_network_interface: 'rni-0123456789abcdef0' },
  };
  if (i % 5 === 0) {
    r.firewall_rule_action = ['ALERT', 'BLOCK', 'ALLOW'][i % 3];
    r.firewall_rule_group_id = 'rslvr-frg-0123456789abcdef0';
    r.firewall_domain_list_id = 'rslvr-fdl-0123456789abcdef0';
  }
  return r;
}

const lines = Array.from({ length: N }, (_, i) => JSON.stringify(makeRecord(i)));
const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
const ndjson = Buffer.from(lines.join('\n') + '\n');
const parsed = lines.map((l) => JSON.parse(l));
const source = getSource('ROUTE53')!;
const v1 = source.createMapper('1.0', {});
const v2 = source.createMapper('2.0', {});
const ctx = {};

function check(mapper: typeof v1): void {
  for (const r of parsed) if (!('class_uid' in (mapper.map(r, ctx) as object))) throw new Error('bench record failed to map');
}
check(v1);
check(v2);

const cases: BenchCase[] = [
  {
    name: `JSON.parse (${N} records)`,
    items: N,
    bytes,
    reference: true,
    fn: () => {
      for (let i = 0; i < lines.length; i++) JSON.parse(lines[i]!);
    },
  },
  {
    name: 'JSON.parse + map 1.0 (OCSF 1.0.0-rc.2)',
    items: N,
    bytes,
    fn: () => {
      for (let i = 0; i < lines.length; i++) v1.map(JSON.parse(lines[i]!), ctx);
    },
  },
  {
    name: 'JSON.parse + map 2.0 (OCSF 1.1.0)',
    items: N,
    bytes,
    fn: () => {
      for (let i = 0; i < lines.length; i++) v2.map(JSON.parse(lines[i]!), ctx);
    },
  },
  {
    name: 'map 2.0 only (pre-parsed)',
    items: N,
    fn: () => {
      for (let i = 0; i < parsed.length; i++) v2.map(parsed[i], ctx);
    },
  },
  {
    name: 'engine: NDJSON input → events 2.0',
    items: N,
    bytes,
    fn: async () => {
      const session = createMapSession({ source: 'ROUTE53', sourceVersion: '2.0' });
      let n = 0;
      for await (const o of session.mapInput('bench.jsonl', ndjson)) if (o.kind === 'event') n++;
      if (n !== N) throw new Error(`engine mapped ${n} of ${N}`);
    },
  },
];

await runSuite('route53', cases);
