/**
 * VPC Flow Logs throughput in lines/s on one core: parse only (the allocation-free scanner that fills
 * token offsets, as the mapper uses it) and parse + map to OCSF 4001 at source versions 1.0 and 2.0, for
 * v2 default-format lines (~110 B) and v5 lines (29 fields, ~260 B), plus the whole engine (header
 * sniffing, line framing, map, accounting) on one text object. Reference: `line.split(' ')` of the same
 * v2 lines. Go parsers reach about 2 M lines/s parse-only per core (landscape.md §2). The lines are
 * synthetic (ACCEPT/REJECT mix, 1 in 50 NODATA, some NAT pkt-* addresses), generated from the AWS formats.
 */
import { createMapSession, getSource } from '../src/index.js';
import { compileFormat, scanTokens } from '../src/sources/vpc_flow/format.js';
import { VpcLine } from '../src/sources/vpc_flow/record.js';
import { QUICK, runSuite, type BenchCase } from './lib.js';

const N = QUICK ? 2000 : 10000;
const V2_FIELDS = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const V5_FIELDS = `${V2_FIELDS} vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path`;

function v2Line(i: number): string {
  const start = 1700000000 + (i % 3600);
  if (i % 50 === 0) return `2 123456789012 eni-0a1b2c3d4e5f6${String(i % 1000).padStart(4, '0')} - - - - - - - ${start} ${start + 60} - NODATA`;
  return `2 123456789012 eni-0a1b2c3d4e5f6${String(i % 1000).padStart(4, '0')} 10.0.${i % 256}.${(i * 7) % 256} 172.31.${(i * 3) % 256}.${i % 200} ${1024 + (i % 60000)} ${[443, 22, 80, 53, 3306][i % 5]} ${i % 7 === 0 ? 17 : 6} ${1 + (i % 90)} ${40 + ((i * 131) % 90000)} ${start} ${start + 60} ${i % 4 === 0 ? 'REJECT' : 'ACCEPT'} OK`;
}

function v5Line(i: number): string {
  const base = v2Line(i);
  if (i % 50 === 0) return `${base.replace(' 2 ', ' 5 ').replace(/^2 /, '5 ')} vpc-0a1b2c3d4e5f6a7b8 subnet-0a1b2c3d4e5f6a7b8 - - - - - eu-west-1 euw1-az2 - - - - - -`;
  const t = base.split(' ');
  const nat = i % 10 === 0;
  const dir = i % 2 === 0 ? 'ingress' : 'egress';
  return `5 ${t.slice(1).join(' ')} vpc-0a1b2c3d4e5f6a7b8 subnet-0a1b2c3d4e5f6a7b8 i-0a1b2c3d4e5f6${String(i % 1000).padStart(4, '0')} ${i % 32} IPv4 ${t[3]} ${nat ? '203.0.113.5' : t[4]} eu-west-1 euw1-az2 - - - ${i % 9 === 0 ? 'S3' : '-'} ${dir} ${dir === 'egress' ? 1 + (i % 8) : '-'}`;
}

const v2Lines = Array.from({ length: N }, (_, i) => v2Line(i));
const v5Lines = Array.from({ length: N }, (_, i) => v5Line(i));
const bytesOf = (ls: string[]) => ls.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
const v2Bytes = bytesOf(v2Lines);
const v5Bytes = bytesOf(v5Lines);
const v2Format = compileFormat(V2_FIELDS.split(' '), 'space', false);
const v5Format = compileFormat(V5_FIELDS.split(' '), 'space', false);
const v2Recs = v2Lines.map((l) => new VpcLine(l, v2Format));
const v5Recs = v5Lines.map((l) => new VpcLine(l, v5Format));
const v5File = Buffer.from(`${V5_FIELDS}\n${v5Lines.join('\n')}\n`);

const source = getSource('VPC_FLOW')!;
const m1 = source.createMapper('1.0', {});
const m2 = source.createMapper('2.0', {});
const ctx = {};
for (const [m, recs] of [[m1, v2Recs], [m2, v2Recs], [m1, v5Recs], [m2, v5Recs]] as const) {
  for (const r of recs) if (!('class_uid' in (m.map(r, ctx) as object))) throw new Error(`bench line failed to map: ${r.line}`);
}

const offs = new Int32Array(128);
let sink = 0;

const cases: BenchCase[] = [
  {
    name: `line.split(' ') v2 (${N} lines)`,
    items: N,
    bytes: v2Bytes,
    reference: true,
    fn: () => {
      for (let i = 0; i < v2Lines.length; i++) sink += v2Lines[i]!.split(' ').length;
    },
  },
  {
    name: 'parse only v2 (scan offsets)',
    items: N,
    bytes: v2Bytes,
    fn: () => {
      for (let i = 0; i < v2Lines.length; i++) sink += scanTokens(v2Lines[i]!, 0, v2Lines[i]!.length, 'space', offs);
    },
  },
  {
    name: 'parse only v5 (scan offsets)',
    items: N,
    bytes: v5Bytes,
    fn: () => {
      for (let i = 0; i < v5Lines.length; i++) sink += scanTokens(v5Lines[i]!, 0, v5Lines[i]!.length, 'space', offs);
    },
  },
  {
    name: 'parse + map v2 → 1.0 (OCSF 1.0.0-rc.2)',
    items: N,
    bytes: v2Bytes,
    fn: () => {
      for (let i = 0; i < v2Recs.length; i++) m1.map(v2Recs[i], ctx);
    },
  },
  {
    name: 'parse + map v2 → 2.0 (OCSF 1.1.0)',
    items: N,
    bytes: v2Bytes,
    fn: () => {
      for (let i = 0; i < v2Recs.length; i++) m2.map(v2Recs[i], ctx);
    },
  },
  {
    name: 'parse + map v5 → 1.0 (OCSF 1.0.0-rc.2)',
    items: N,
    bytes: v5Bytes,
    fn: () => {
      for (let i = 0; i < v5Recs.length; i++) m1.map(v5Recs[i], ctx);
    },
  },
  {
    name: 'parse + map v5 → 2.0 (OCSF 1.1.0)',
    items: N,
    bytes: v5Bytes,
    fn: () => {
      for (let i = 0; i < v5Recs.length; i++) m2.map(v5Recs[i], ctx);
    },
  },
  {
    name: 'engine: v5 text object → events 2.0',
    items: N,
    bytes: v5Bytes,
    fn: async () => {
      const session = createMapSession({ source: 'VPC_FLOW', sourceVersion: '2.0' });
      let n = 0;
      for await (const o of session.mapInput('bench.log', v5File)) if (o.kind === 'event') n++;
      if (n !== N) throw new Error(`engine mapped ${n} of ${N}`);
    },
  },
];

await runSuite('vpc_flow', cases, 'lines');
if (sink === 42) console.log('');
