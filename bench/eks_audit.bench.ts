/**
 * EKS audit mapping throughput (audit events/s): JSON.parse + map at source version 2.0, map alone on
 * pre-parsed events, and the whole engine (sniff, JSON-lines framing, map, accounting) on the same events
 * as one input object, plus the same events inside CloudWatch Logs subscription payloads (base64 gzip,
 * 100 events each); reference: `JSON.parse` of the same lines.
 *
 * The batch cycles through 71 distinct events: the 18 hand-written golden events (test/golden/eks_audit,
 * Metadata/Request/RequestResponse levels, a pod create with containers), the 51 real Falco trace events
 * and the EKS event of ../shared/raw/eks-audit, and the large RequestResponse node create of
 * ../shared/ocsf-examples (122 unmapped keys); each copy gets its own auditID.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createMapSession, getSource } from '../src/index.js';
import { QUICK, runSuite, type BenchCase } from './lib.js';

const N = QUICK ? 700 : 2840;
const ROOT = new URL('../', import.meta.url);
const SHARED = new URL('../shared/', ROOT);

function samples(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const golden = new URL('test/golden/eks_audit/', ROOT);
  const text = (u: URL) => readFileSync(u, 'utf8');
  for (const l of text(new URL('verbs.raw.jsonl', golden)).split('\n')) if (l.trim()) out.push(JSON.parse(l));
  for (const f of ['iam_role_user', 'anonymous', 'forbidden_403', 'pod_create', 'several_source_ips', 'pod_exec']) {
    out.push(JSON.parse(text(new URL(`${f}.raw.json`, golden))));
  }
  for (const e of JSON.parse(text(new URL('cwl_subscription.raw.json', golden))).logEvents) out.push(JSON.parse(e.message));
  for (const l of text(new URL('cwl_export.raw.log', golden)).split('\n')) if (l.trim()) out.push(JSON.parse(l.slice(l.indexOf(' ') + 1)));
  const falco = new URL('raw/eks-audit/falcosecurity_falco_k8s_audit_trace_files/', SHARED);
  for (const f of readdirSync(falco).filter((n) => n.endsWith('.json') && n !== 'fal_01_003.json').sort()) {
    for (const l of text(new URL(f, falco)).split('\n')) if (l.trim()) out.push(JSON.parse(l));
  }
  out.push(JSON.parse(text(new URL('raw/eks-audit/aws-samples_eks-security-immersion-day/kube-apiserver-audit_events.jsonl', SHARED))));
  out.push(JSON.parse(text(new URL('ocsf-examples/v1.1.0/eks_audit/eks.raw.json', SHARED))));
  return out;
}

const base = samples();
const lines = Array.from({ length: N }, (_, i) => JSON.stringify({ ...base[i % base.length], auditID: `bench-${i}` }));
const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
const ndjson = Buffer.from(lines.join('\n') + '\n');
const cwl: string[] = [];
for (let i = 0; i < N; i += 100) {
  const logEvents = lines.slice(i, i + 100).map((message, k) => ({ id: String(i + k), timestamp: 1709654400000 + i + k, message }));
  const payload = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: '/aws/eks/bench/cluster', logStream: 'kube-apiserver-audit-0123', subscriptionFilters: ['bench'], logEvents };
  cwl.push(JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } }));
}
const cwlInput = Buffer.from(cwl.join('\n') + '\n');
const parsed = lines.map((l) => JSON.parse(l));
const mapper = getSource('EKS_AUDIT')!.createMapper('2.0', {});
const ctx = { region: 'us-east-1' };
for (const r of parsed) if (!('class_uid' in (mapper.map(r, ctx) as object))) throw new Error('bench event failed to map');

async function engine(name: string, input: Buffer): Promise<void> {
  const session = createMapSession({ source: 'EKS_AUDIT', sourceVersion: '2.0', context: ctx });
  let n = 0;
  for await (const o of session.mapInput(name, input)) if (o.kind === 'event') n++;
  if (n !== N) throw new Error(`engine mapped ${n} of ${N}`);
}

const cases: BenchCase[] = [
  {
    name: `JSON.parse (${N} audit events)`,
    items: N,
    bytes,
    reference: true,
    fn: () => {
      for (let i = 0; i < lines.length; i++) JSON.parse(lines[i]!);
    },
  },
  {
    name: 'JSON.parse + map 2.0 (OCSF 1.1.0)',
    items: N,
    bytes,
    fn: () => {
      for (let i = 0; i < lines.length; i++) mapper.map(JSON.parse(lines[i]!), ctx);
    },
  },
  {
    name: 'map 2.0 only (pre-parsed)',
    items: N,
    fn: () => {
      for (let i = 0; i < parsed.length; i++) mapper.map(parsed[i], ctx);
    },
  },
  { name: 'engine: JSON lines → events', items: N, bytes, fn: () => engine('bench.jsonl', ndjson) },
  { name: 'engine: CloudWatch Logs subscription (base64 gzip) → events', items: N, fn: () => engine('bench-cwl.json', cwlInput) },
];

await runSuite('eks_audit', cases, 'events');
