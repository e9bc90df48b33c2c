/**
 * The hostile-input corpus, generated (seeded, reproducible) rather than stored: the broken and malicious
 * inputs of the catalogue, each beside good records, and fuzzed mutations of the repository's golden raw
 * records for every source (type swaps, truncation at every byte, random bytes, huge strings, `__proto__` /
 * `constructor` keys). Good records carry a marker (an id, a host name, a port) so that a test can find each
 * of them in the lake afterwards. Large inputs are built from repeated gzip members, so a 2 GB bomb costs
 * a few MB of disk and a fraction of a second.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { generateSampleFiles } from '../../src/samples/index.js';

const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));

/** What a case must end with, through `ocsf-lake ingest --json`. */
export interface HostileCase {
  name: string;
  source: string;
  /** Inputs (paths under the corpus directory). */
  inputs: string[];
  workers: number;
  extraArgs?: string[];
  /** Exact failure counts by reason (other reasons must not appear); absent for fuzz cases, where any reason but a bug's is fine. */
  failures?: Record<string, number>;
  /** Values that must not appear in a column (e.g. an address that does not parse in an `ip`). */
  never?: { column: string; values: string[] }[];
  /** Values that must be found in a column (e.g. the raw value kept in `unmapped`). */
  has?: { column: string; values: string[] }[];
  /** Records in, when the case fixes it (line-oriented inputs count lines). */
  recordsIn?: number;
  /** Markers of good records that must each be in the lake: a SQL expression over a row and the values. */
  good?: { column: string; values: (string | number)[] };
  /** Events at least (good records beside the bad ones, when they carry no marker). */
  minEvents?: number;
  /** Peak resident memory of the whole process (workers included), MiB. */
  maxRssMiB: number;
}

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A gzip file of `times` copies of `unit` (multi-member: what `gzip -c a b > c` writes), plus optional head/tail members. */
function repeatedGzip(unit: Buffer, times: number, head = '', tail = ''): Buffer {
  const member = gzipSync(unit, { level: 9 });
  return Buffer.concat([gzipSync(head), ...Array.from({ length: times }, () => member), gzipSync(tail)]);
}

const sampleText = (family: Parameters<typeof generateSampleFiles>[0], n: number, seed: number) =>
  gunzipSync([...generateSampleFiles(family, n, { perFile: n, seed })][0]!.bytes).toString('utf8');

/** `{"a":{"a":...}}` nested `depth` levels. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{"a":1}' + '}'.repeat(depth - 1);
}

/** The golden raw records of a source (repository files), one JSON object each. */
function goldenRecords(dir: string, files: string[], pick: (v: unknown) => unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const f of files) {
    const text = readFileSync(join(GOLDEN, dir, f), 'utf8');
    const values = f.endsWith('.jsonl') ? text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)) : [JSON.parse(text)];
    for (const v of values) for (const r of pick(v)) if (r !== null && typeof r === 'object' && !Array.isArray(r)) out.push(r as Record<string, unknown>);
  }
  return out;
}

/**
 * Mutations of one record, each a JSON text line: every top-level field swapped for a value of another type,
 * prototype keys, a huge string, the record truncated at every byte (of its first `truncateUpTo` bytes), and
 * random bytes.
 */
function mutations(rec: Record<string, unknown>, r: () => number, truncateUpTo: number): Buffer[] {
  const out: Buffer[] = [];
  const swaps: unknown[] = [42, -1.5, true, null, [], [1, 'x'], {}, { nested: { deep: [1] } }, '', '300.1.1.1', '::gg', '2024-01-01T00:00:00'];
  for (const k of Object.keys(rec)) {
    const v = swaps[Math.floor(r() * swaps.length)];
    out.push(Buffer.from(JSON.stringify({ ...rec, [k]: v })));
  }
  out.push(Buffer.from(JSON.stringify(rec).replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},')));
  const keys = Object.keys(rec);
  const k = keys[Math.floor(r() * keys.length)]!;
  out.push(Buffer.from(JSON.stringify({ ...rec, [k]: 'h'.repeat(1 << 20) })));
  const text = Buffer.from(JSON.stringify(rec));
  for (let i = 1; i < Math.min(text.length, truncateUpTo); i++) out.push(text.subarray(0, i));
  for (let i = 0; i < 20; i++) {
    const b = Buffer.alloc(1 + Math.floor(r() * 200));
    for (let j = 0; j < b.length; j++) {
      let c = Math.floor(r() * 256);
      if (c === 0x0a) c = 0x0b; // one line each
      b[j] = c;
    }
    b[0] = 0x7b; // never a blank line, so that every line is one record
    out.push(b);
  }
  return out;
}

/** A fuzz file for one JSON source: marked good records interleaved with mutations; returns the markers. */
function fuzzJson(
  dir: string,
  name: string,
  bases: Record<string, unknown>[],
  mark: (rec: Record<string, unknown>, i: number) => { rec: Record<string, unknown>; marker: string },
  r: () => number,
): { path: string; lines: number; markers: string[] } {
  const lines: Buffer[] = [];
  const markers: string[] = [];
  let g = 0;
  for (let b = 0; b < bases.length; b++) {
    const base = bases[b]!;
    // Truncation at every byte of the first record, of the first 400 bytes of the others.
    for (const m of mutations(base, r, b === 0 ? Infinity : 400)) {
      lines.push(m);
      if (r() < 0.25) {
        const good = mark(structuredClone(base), g++);
        markers.push(good.marker);
        lines.push(Buffer.from(JSON.stringify(good.rec)));
      }
    }
  }
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
  return { path, lines: lines.length, markers };
}

/** Writes the corpus under `dir` and returns its cases. */
export function generateCorpus(dir: string, seed = 14): HostileCase[] {
  const r = rng(seed);
  const cases: HostileCase[] = [];
  const put = (name: string, bytes: Buffer | string) => {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
    return p;
  };

  // 1. A CloudTrail file nested 20,000 levels deep (~120 KB) among 200 good files, on two workers.
  {
    const doc = JSON.parse(sampleText('cloudtrail', 2, 1)) as { Records: Record<string, unknown>[] };
    const base = doc.Records.find((x) => x.eventCategory === 'Management' && x.requestID !== undefined)!;
    const markers: string[] = [];
    const inputs: string[] = [];
    for (let i = 0; i < 200; i++) {
      const id = `deep-good-${i}`;
      markers.push(id);
      inputs.push(put(`deep/good-${i}.json`, JSON.stringify({ Records: [{ ...base, eventID: id }] })));
    }
    const deep = put('deep/nested.json', `{"Records":[{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"X","requestParameters":${nested(20_000)}}]}`);
    inputs.splice(100, 0, deep);
    cases.push({ name: 'deep nesting among 200 good files (workers)', source: 'cloudtrail', inputs, workers: 2, failures: { 'too-deep': 1 }, good: { column: 'metadata.uid', values: markers }, maxRssMiB: 700 });
    // On the calling thread (depth 5,000 was enough to overflow it), beside 20 good files.
    const shallower = put('deep/nested-5000.json', `{"Records":[{"eventVersion":"1.08","eventSource":"iam.amazonaws.com","eventName":"X","requestParameters":${nested(5_000)}}]}`);
    cases.push({ name: 'deep nesting on the calling thread', source: 'cloudtrail', inputs: [shallower, ...inputs.slice(0, 20)], workers: 1, failures: { 'too-deep': 1 }, recordsIn: 21, good: { column: 'metadata.uid', values: markers.slice(0, 20) }, maxRssMiB: 500 });
  }

  // 2. gzip bombs: 2 GB of zeros; one 700 MB line. Inflating stops at the limit.
  {
    const zeros = put('bomb/zeros.log.gz', repeatedGzip(Buffer.alloc(64 << 20), 32));
    cases.push({ name: 'gzip of 2 GB of zeros', source: 'auto', inputs: [zeros], workers: 1, failures: { 'decompressed-too-large': 1 }, recordsIn: 1, maxRssMiB: 700 });
    const line = put('bomb/one-line.log.gz', repeatedGzip(Buffer.alloc(64 << 20, 'q'), 11, '{"version":"1.100000","query_name":"', '"}\n'));
    const plain = put('bomb/plain.log', sampleText('route53', 50, 4));
    cases.push({ name: 'a plain object over --max-input-bytes, refused unread', source: 'ROUTE53', inputs: [plain], workers: 1, extraArgs: ['--max-input-bytes', '4KiB'], failures: { 'input-too-large': 1 }, recordsIn: 1, maxRssMiB: 500 });
    cases.push({ name: 'gzip of one 700 MB line', source: 'ROUTE53', inputs: [line], workers: 1, failures: { 'decompressed-too-large': 1 }, recordsIn: 1, maxRssMiB: 700 });
  }

  // 3. One bad byte in 5,001 Route 53 lines; one line over the record limit among good ones.
  {
    const lines = sampleText('route53', 5000, 2).trimEnd().split('\n');
    const markers = lines.map((_, i) => `good-${i}.example.com.`);
    const good = lines.map((l, i) => l.replace(/"query_name":"[^"]*"/, `"query_name":"${markers[i]}"`));
    const [head, tail] = good[0]!.split('"query_name":"');
    const bad = Buffer.concat([Buffer.from(head + '"query_name":"bad'), Buffer.from([0xff]), Buffer.from('.' + tail!.slice(tail!.indexOf('"')))]);
    const file = put('utf8/route53.log', Buffer.concat([Buffer.from(good.slice(0, 2500).join('\n') + '\n'), bad, Buffer.from('\n' + good.slice(2500).join('\n') + '\n')]));
    cases.push({ name: 'one 0xff byte among 5,000 Route 53 lines', source: 'ROUTE53', inputs: [file], workers: 1, failures: { 'invalid-utf8': 1 }, recordsIn: 5001, good: { column: 'query.hostname', values: markers }, maxRssMiB: 500 });

    const long = JSON.stringify({ ...JSON.parse(good[1]!), query_name: 'x'.repeat(40 << 20) });
    const big = put('lines/route53-long-line.log', [...good.slice(0, 50), long, ...good.slice(50, 100)].join('\n') + '\n');
    cases.push({ name: 'a 40 MB line among good Route 53 lines', source: 'ROUTE53', inputs: [big], workers: 1, failures: { 'record-too-large': 1 }, recordsIn: 101, good: { column: 'query.hostname', values: markers.slice(0, 100) }, maxRssMiB: 700 });
  }

  // 4. Lenient values: bad addresses, enum values outside their table, a time without zone, impossible regions.
  {
    const doc = JSON.parse(sampleText('cloudtrail', 8, 3)) as { Records: Record<string, unknown>[] };
    const base = doc.Records.find((x) => x.eventCategory === 'Management' && x.requestID !== undefined && x.eventSource !== 'signin.amazonaws.com')!;
    const recs = [
      { ...base, eventID: 'ip-300', sourceIPAddress: '300.1.1.1' },
      { ...base, eventID: 'ip-gg', sourceIPAddress: '::gg' },
      { ...base, eventID: 'ip-number', sourceIPAddress: 12345 },
      { ...base, eventID: 'ip-object', sourceIPAddress: { ip: '1.2.3.4' } },
      // With a VPC endpoint id, src_endpoint exists without the address, which then waits in unmapped.
      { ...base, eventID: 'ip-gg-vpce', sourceIPAddress: '::gg', vpcEndpointId: 'vpce-0a1b2c3d4e5f60001' },
      // CloudTrail times are UTC: a time without zone is read as UTC (documented), not in the local zone.
      { ...base, eventID: 'no-zone', eventTime: '2024-01-01T00:00:00' },
      { ...base, eventID: 'region-10', awsRegion: 'us-east-10' },
      { ...base, eventID: 'region-aa', awsRegion: 'aa-bbbb-99' },
      { ...base, eventID: 'good-gov', awsRegion: 'us-gov-west-1' },
      { ...base, eventID: 'good-eusc', awsRegion: 'eusc-de-east-1' },
    ];
    const ct = put('values/cloudtrail.json', JSON.stringify({ Records: recs }));
    cases.push({
      name: 'lenient CloudTrail values',
      source: 'cloudtrail',
      inputs: [ct],
      workers: 1,
      failures: { 'invalid-ip': 2, 'invalid-type': 2, 'invalid-partition': 2 },
      recordsIn: 10,
      good: { column: 'metadata.uid', values: ['ip-gg-vpce', 'no-zone', 'good-gov', 'good-eusc'] },
      never: [{ column: 'src_endpoint.ip', values: ['::gg'] }],
      has: [
        { column: "unmapped['sourceIPAddress']", values: ['::gg'] },
        { column: "metadata.uid || ' ' || time_dt::VARCHAR", values: ['no-zone 2024-01-01 00:00:00+00'] },
      ],
      maxRssMiB: 500,
    });
    const vpc = put(
      'values/vpc.log',
      [
        'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
        '2 123456789012 eni-0a1b2c3d4e5f60001 300.1.1.1 10.0.2.20 50001 443 6 12 3400 1700000000 1700000060 ACCEPT OK',
        '2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.10 ::gg 50002 443 6 12 3400 1700000000 1700000060 ACCEPT OK',
        '2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.10 10.0.2.20 50003 443 6 12 3400 1700000000 1700000060 MAYBE OK',
        '2 123456789012 eni-0a1b2c3d4e5f60001 01.2.3.4 10.0.2.20 50004 443 6 12 3400 1700000000 1700000060 ACCEPT OK',
      ].join('\n') + '\n',
    );
    cases.push({
      name: 'lenient VPC values',
      source: 'VPC_FLOW',
      inputs: [vpc],
      workers: 1,
      extraArgs: ['--region', 'us-east-1'],
      failures: { 'invalid-ip': 2 },
      recordsIn: 4,
      good: { column: 'src_endpoint.port', values: [50003, 50004] },
      never: [{ column: 'action', values: ['MAYBE'] }],
      has: [
        { column: "unmapped['action'] || ' ' || action || ' ' || action_id::VARCHAR", values: ['MAYBE Other 99'] },
        // Leading zeros are read as decimal: kept as written (AWS's anonymised samples use them).
        { column: 'src_endpoint.ip', values: ['01.2.3.4'] },
      ],
      maxRssMiB: 500,
    });
  }

  // 5. Fuzzed mutations of the golden raw records of every source, beside marked good copies.
  {
    const ct = fuzzJson(dir, 'fuzz/cloudtrail.json', goldenRecords('cloudtrail', ['iam_create_user.raw.json', 'console_login.raw.jsonl', 'lambda_invoke.raw.json'], (v) => ((v as { Records?: unknown[] }).Records ?? [v])), (rec, i) => {
      const marker = `fuzz-good-${i}`;
      return { rec: { ...rec, eventID: marker }, marker };
    }, r);
    cases.push({ name: 'fuzzed CloudTrail records', source: 'cloudtrail', inputs: [ct.path], workers: 2, extraArgs: ['--region', 'us-east-1', '--account', '111122223333'], recordsIn: ct.lines, good: { column: 'metadata.uid', values: ct.markers }, maxRssMiB: 800 });

    const eks = fuzzJson(dir, 'fuzz/eks.json', goldenRecords('eks_audit', ['pod_exec.raw.json', 'pod_create.raw.json', 'forbidden_403.raw.json'], (v) => [v]), (rec, i) => {
      const marker = `fuzz-eks-${i}`;
      return { rec: { ...rec, auditID: marker }, marker };
    }, r);
    cases.push({ name: 'fuzzed EKS audit records', source: 'EKS_AUDIT', inputs: [eks.path], workers: 1, extraArgs: ['--region', 'us-east-1', '--account', '111122223333'], recordsIn: eks.lines, good: { column: 'api.request.uid', values: eks.markers }, maxRssMiB: 800 });

    const r53 = fuzzJson(dir, 'fuzz/route53.json', goldenRecords('route53', ['nxdomain.raw.jsonl', 'noerror-aaaa-instance.raw.json', 'firewall-alert.raw.jsonl'], (v) => [v]), (rec, i) => {
      const marker = `fuzz-${i}.example.com.`;
      return { rec: { ...rec, query_name: marker }, marker };
    }, r);
    cases.push({ name: 'fuzzed Route 53 records', source: 'ROUTE53', inputs: [r53.path], workers: 1, recordsIn: r53.lines, good: { column: 'query.hostname', values: r53.markers }, maxRssMiB: 800 });

    const sh = fuzzJson(dir, 'fuzz/security_hub.json', goldenRecords('security_hub', ['macie-s3.raw.json', 'control-failed.raw.json'], (v) => [v]), (rec, i) => {
      const marker = `fuzz-finding-${i}`;
      return { rec: { ...rec, Id: marker }, marker };
    }, r);
    cases.push({ name: 'fuzzed Security Hub findings', source: 'SH_FINDINGS', inputs: [sh.path], workers: 1, recordsIn: sh.lines, good: { column: 'finding_info.uid', values: sh.markers }, maxRssMiB: 800 });

    // VPC text: lines of the golden file with fields swapped, truncated and randomized, and marked good lines.
    const vlines = readFileSync(join(GOLDEN, 'vpc_flow', 'v2-default.raw.log'), 'utf8').trimEnd().split('\n');
    const header = vlines[0]!;
    const goodLine = vlines[1]!;
    const out: string[] = [header];
    const ports: number[] = [];
    const tokens = goodLine.split(' ');
    const junk = ['-', 'x', '99999999999999999999', '-1', '1.5', '300.1.1.1', '::gg', 'MAYBE', '', '\u00e9', '__proto__'];
    for (let i = 0; i < 300; i++) {
      const t = [...tokens];
      const kind = i % 3;
      if (kind === 0) t[Math.floor(r() * t.length)] = junk[Math.floor(r() * junk.length)]!;
      const line = kind === 1 ? goodLine.slice(0, Math.floor(r() * goodLine.length)) : t.join(' ');
      if (line.trim() !== '') out.push(line);
      if (r() < 0.3) {
        const port = 30000 + ports.length;
        ports.push(port);
        out.push(goodLine.replace(' 49152 ', ` ${port} `));
      }
    }
    const vpath = put('fuzz/vpc.log', out.join('\n') + '\n');
    cases.push({ name: 'fuzzed VPC flow lines', source: 'VPC_FLOW', inputs: [vpath], workers: 1, extraArgs: ['--region', 'us-east-1'], recordsIn: out.length - 1, good: { column: 'src_endpoint.port', values: ports }, maxRssMiB: 800 });
  }
  return cases;
}
