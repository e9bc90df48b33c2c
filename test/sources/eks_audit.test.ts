/**
 * EKS_AUDIT: delivery formats, envelope context, failures, unmapped rules, sniffing and the accounting
 * invariant. Field-by-field expectations live in the golden cases (eks_audit.golden.test.ts).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource, SourceError } from '../../src/index.js';
import type { OcsfEvent, RecordContext } from '../../src/index.js';
import { eksDecoders } from '../../src/sources/eks_audit/decode.js';
import { loadEksTable } from '../../src/sources/eks_audit/table.js';
import { createValidator } from '../../src/validate/index.js';

const GOLDEN = new URL('../golden/eks_audit/', import.meta.url);
const golden = (f: string) => readFileSync(new URL(f, GOLDEN));
const validator = createValidator();

/** A small valid audit event; `patch` overrides top-level fields (undefined deletes). */
function event(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const e: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: '11111111-2222-4333-8444-555555555555',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/pods/p1',
    verb: 'get',
    user: { username: 'alice', groups: ['system:authenticated'] },
    sourceIPs: ['192.0.2.1'],
    objectRef: { resource: 'pods', namespace: 'default', name: 'p1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2024-01-02T03:04:05.678901Z',
    stageTimestamp: '2024-01-02T03:04:05.999999Z',
  };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  return e;
}

interface Run {
  events: OcsfEvent[];
  failures: { reason: string; message: string; context: RecordContext }[];
  filtered: string[];
  contexts: RecordContext[];
}

async function run(input: string | Uint8Array, opts: { name?: string; context?: RecordContext; source?: string } = {}): Promise<Run> {
  const session = createMapSession({ source: opts.source ?? 'EKS_AUDIT', sourceVersion: opts.source ? undefined : '2.0', context: opts.context });
  const r: Run = { events: [], failures: [], filtered: [], contexts: [] };
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  for await (const o of session.mapInput(opts.name ?? 'input.json', bytes)) {
    if (o.kind === 'event') {
      r.events.push(o.event);
      r.contexts.push(o.context);
    } else if (o.kind === 'failure') r.failures.push({ reason: o.failure.reason, message: o.failure.message, context: o.failure.context });
    else r.filtered.push(o.filtered.detail ? `${o.filtered.reason}:${o.filtered.detail}` : o.filtered.reason);
  }
  const s = session.stats;
  expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
  expect(s.events).toBe(r.events.length);
  for (const ev of r.events) expect(validator.validate(ev).errors).toEqual([]);
  return r;
}

const uids = (r: Run) => r.events.map((e) => (e.api as { request: { uid: string } }).request.uid);
const cloud = (e: OcsfEvent) => e.cloud as { provider: string; region?: string; account?: { uid: string } };

function awslogs(payload: unknown): string {
  return JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } });
}

describe('EKS_AUDIT source definition', () => {
  it('exists only at source version 2.0 (OCSF 1.1.0, class 6003)', () => {
    const def = getSource('EKS_AUDIT')!;
    expect(Object.keys(def.versions)).toEqual(['2.0']);
    expect(def.versions['2.0']).toMatchObject({ ocsfVersion: '1.1.0', classes: [6003], profiles: ['cloud', 'datetime'] });
    expect(() => createMapSession({ source: 'EKS_AUDIT', sourceVersion: '1.0' })).toThrow(SourceError);
    expect(() => createMapSession({ source: 'EKS_AUDIT', sourceVersion: '1.0' })).toThrow('EKS_AUDIT exists only from source version 2.0 (asked for 1.0)');
  });

  it('declares every attribute path the goldens produce, and the mapping table is consistent', async () => {
    const attrs = new Set(getSource('EKS_AUDIT')!.versions['2.0']!.attributes);
    const seen = new Set<string>();
    const walk = (v: unknown, path: string) => {
      if (path === 'unmapped') return void seen.add(path);
      if (Array.isArray(v)) {
        if (v.length > 0 && typeof v[0] === 'object') for (const x of v) walk(x, path + '[]');
        else seen.add(path);
      } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
      else seen.add(path);
    };
    for (const f of ['verbs', 'pod_create', 'several_source_ips', 'iam_role_user', 'forbidden_403']) {
      for (const e of JSON.parse(golden(`${f}.2.0.ocsf.json`).toString()) as unknown[]) walk(e, '');
    }
    const r = await run(JSON.stringify(event()), { context: { region: 'us-east-1' } });
    walk(r.events[0], '');
    expect([...seen].filter((p) => !attrs.has(p))).toEqual([]);
    const table = loadEksTable();
    expect(table.fields.map((f) => f.ocsf).filter((p) => !attrs.has(p))).toEqual([]);
    expect(table.deviations.length).toBeGreaterThan(10);
  });
});

describe('EKS_AUDIT delivery formats', () => {
  const a = event({ auditID: 'a' });
  const b = event({ auditID: 'b', verb: 'list' });

  it('reads a single object, an array, JSON lines, pretty objects back to back and an EventList', async () => {
    expect(uids(await run(JSON.stringify(a)))).toEqual(['a']);
    expect(uids(await run(JSON.stringify([a, b])))).toEqual(['a', 'b']);
    const lines = await run(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
    expect(uids(lines)).toEqual(['a', 'b']);
    expect(lines.contexts.map((c) => c.line)).toEqual([1, 2]);
    expect(uids(await run(JSON.stringify(a, null, 2) + '\n' + JSON.stringify(b, null, 2)))).toEqual(['a', 'b']);
    expect(uids(await run(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [a, b] })))).toEqual(['a', 'b']);
  });

  it('reads gzip input by magic bytes', async () => {
    expect(uids(await run(gzipSync(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`), { name: 'audit.log.gz' }))).toEqual(['a', 'b']);
  });

  it('reads CloudWatch Logs subscription payloads in all three forms, with the account from the envelope', async () => {
    const decoded = golden('cwl_subscription.raw.json').toString();
    const payload = JSON.parse(decoded);
    const expected = ['f0e1d2c3-b4a5-4968-8776-655443322110', 'f0e1d2c3-b4a5-4968-8776-655443322111'];
    const forms = [
      decoded,
      awslogs(payload),
      gzipSync(JSON.stringify(payload)).toString('base64'),
      `${awslogs(payload)}\n${awslogs(payload)}\n`,
    ];
    for (const [i, form] of forms.entries()) {
      const r = await run(form);
      expect(uids(r)).toEqual(i === 3 ? [...expected, ...expected] : expected);
      expect(r.events.map((e) => cloud(e).account?.uid)).toEqual(r.events.map(() => '111122223333'));
      expect(r.events.every((e) => cloud(e).region === undefined)).toBe(true);
      expect(r.contexts.map((c) => c.index)).toEqual(i === 3 ? [0, 1, 0, 1] : [0, 1]);
    }
  });

  it('a subscription envelope wins over --account; a log group ARN gives the region', async () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '444455556666',
      logGroup: 'arn:aws:logs:eu-west-1:444455556666:log-group:/aws/eks/blue/cluster',
      logStream: 'kube-apiserver-audit-1234',
      subscriptionFilters: ['f'],
      logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(a) }],
    };
    const r = await run(awslogs(payload), { context: { region: 'us-east-1', accountId: '111122223333' } });
    expect(cloud(r.events[0]!)).toEqual({ provider: 'AWS', region: 'eu-west-1', account: { uid: '444455556666' } });
  });

  it('filters control messages and non-audit streams of the EKS log group', async () => {
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };
    const authn = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: '/aws/eks/prod/cluster', logStream: 'authenticator-abc', subscriptionFilters: ['f'], logEvents: [{ id: '1', timestamp: 1, message: 'time="2024-01-01T00:00:00Z" level=info msg="access granted"' }, { id: '2', timestamp: 2, message: 'x' }] };
    const r = await run(`${JSON.stringify(authn)}\n${JSON.stringify(control)}\n`);
    expect(r.events).toEqual([]);
    expect(r.filtered).toEqual(['not-audit-stream:authenticator-abc', 'not-audit-stream:authenticator-abc', 'cwl-control-message']);
    // The awslogs form of an EKS non-audit stream is still recognised as EKS.
    expect((await run(awslogs(authn))).filtered).toHaveLength(2);
  });

  it('reads CloudWatch Logs export lines (timestamp prefix) and reports a bad line with its number', async () => {
    const r = await run(gzipSync(golden('cwl_export.raw.log')), { name: 'exportedlogs/task/kube-apiserver-audit-1/000000.gz' });
    expect(uids(r)).toEqual(['2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f', '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e70']);
    expect(r.contexts.map((c) => c.line)).toEqual([1, 2]);
    const bad = await run(`2024-03-05T17:00:00.004Z ${JSON.stringify(a)}\n2024-03-05T17:00:00.005Z {"auditID":\n2024-03-05T17:00:00.006Z ${JSON.stringify(b)}\n`);
    expect(uids(bad)).toEqual(['a', 'b']);
    expect(bad.failures.map((f) => [f.reason, f.context.line])).toEqual([['invalid-json', 2]]);
  });

  it('reads Logs Insights rows and GetLogEvents / FilterLogEvents responses', async () => {
    const row = [
      { field: '@timestamp', value: '2024-01-02 03:04:06.000' },
      { field: '@message', value: JSON.stringify(a) },
      { field: '@logStream', value: 'kube-apiserver-audit-1' },
      { field: '@log', value: '777788889999:/aws/eks/x/cluster' },
    ];
    const one = await run(JSON.stringify(row));
    expect(uids(one)).toEqual(['a']);
    expect(cloud(one.events[0]!).account?.uid).toBe('777788889999');
    expect(uids(await run(JSON.stringify({ results: [row, row], statistics: {}, status: 'Complete' })))).toEqual(['a', 'a']);
    const events = { events: [{ logStreamName: 'kube-apiserver-audit-1', timestamp: 1, message: JSON.stringify(b) }, { logStreamName: 'kube-scheduler-1', timestamp: 2, message: 'I0101 leader' }] };
    const r = await run(JSON.stringify(events));
    expect(uids(r)).toEqual(['b']);
    expect(r.filtered).toEqual(['not-audit-stream:kube-scheduler-1']);
  });

  it('takes the account of an AWSLogs/<account>/ S3 key', async () => {
    const r = await run(JSON.stringify(a), { name: 's3://bucket/AWSLogs/222233334444/eks/us-east-1/audit.json' });
    expect(cloud(r.events[0]!).account?.uid).toBe('222233334444');
  });

  it('reports an undecodable awslogs body as invalid-envelope and keeps going', async () => {
    const r = await run(`${JSON.stringify({ awslogs: { data: 'H4sIAAAA' } })}\n${JSON.stringify(a)}\n`);
    expect(r.failures.map((f) => f.reason)).toEqual(['invalid-envelope']);
    expect(uids(r)).toEqual(['a']);
  });
});

describe('EKS_AUDIT context: region and account are never invented', () => {
  it('leaves cloud.region and cloud.account out when nothing gives them', async () => {
    const r = await run(JSON.stringify(event()));
    expect(cloud(r.events[0]!)).toEqual({ provider: 'AWS' });
  });

  it('uses --region / --account as defaults, and user.extra.arn before the account (native output)', async () => {
    const ctx = { region: 'us-west-2', accountId: '111122223333' };
    const plain = await run(JSON.stringify(event()), { context: ctx });
    expect(cloud(plain.events[0]!)).toEqual({ provider: 'AWS', region: 'us-west-2', account: { uid: '111122223333' } });
    const arn = 'arn:aws:sts::999988887777:assumed-role/R/s';
    const withArn = await run(JSON.stringify(event({ user: { username: 'u', extra: { arn: [arn] } } })), { context: ctx });
    expect(cloud(withArn.events[0]!)).toEqual({ provider: 'AWS', region: 'us-west-2', account: { uid: arn } });
  });
});

describe('EKS_AUDIT mapping rules', () => {
  it('maps an unknown verb to 99 Other', async () => {
    const r = await run(JSON.stringify(event({ verb: 'proxy' })));
    expect(r.events[0]).toMatchObject({ activity_id: 99, activity_name: 'Other', type_uid: 600399, type_name: 'API Activity: Other', api: { operation: 'proxy' } });
  });

  it('never emits http_method or status', async () => {
    const r = await run(JSON.stringify(event({ verb: 'patch', responseStatus: { code: 422, status: 'Failure', reason: 'Invalid' } })));
    const e = r.events[0]!;
    expect(e.http_request).toEqual({ url: { path: '/api/v1/namespaces/default/pods/p1' } });
    expect(e.status_id).toBeUndefined();
    expect(e.status).toBeUndefined();
    expect(e.api).toMatchObject({ response: { code: 422, error: 'Invalid', error_message: 'Failure' } });
  });

  it('truncates microseconds and falls back to requestReceivedTimestamp for time', async () => {
    const r = await run(JSON.stringify(event({ stageTimestamp: undefined })));
    expect(r.events[0]).toMatchObject({ time: 1704164645678, time_dt: '2024-01-02T03:04:05.678Z', start_time_dt: '2024-01-02T03:04:05.678Z' });
  });

  it('keeps fields of an unexpected type in unmapped instead of mapping or dropping them', async () => {
    const r = await run(JSON.stringify(event({ level: 3, userAgent: { a: 1 }, responseStatus: { code: '200' } })));
    const e = r.events[0]!;
    expect(e.metadata.log_level).toBeUndefined();
    expect(e.api).not.toHaveProperty('response');
    expect(e.unmapped).toMatchObject({ level: '3', 'userAgent.a': '1', 'responseStatus.code': '200' });
  });

  it('keeps user.extra arrays with more than one element whole in unmapped, maps their first element', async () => {
    const extra = { arn: ['arn:1', 'arn:2'], sessionName: ['s'], principalId: ['P'] };
    const r = await run(JSON.stringify(event({ user: { username: 'u', uid: 'x', extra, foo: 'bar' } })));
    const e = r.events[0]!;
    expect(cloud(e).account?.uid).toBe('arn:1');
    expect(e.actor).toEqual({ user: { name: 'u', uid: 'x', type_id: 0 }, session: { uid: 's' } });
    expect(e.unmapped).toMatchObject({ 'user.extra.arn[]': 'arn:1,arn:2', 'user.extra.principalId[]': 'P', 'user.foo': 'bar' });
    expect(e.unmapped).not.toHaveProperty('user.extra.sessionName[]');
  });

  it('maps containers with a name; keeps unnamed ones and image-less mounts in unmapped', async () => {
    const requestObject = {
      kind: 'Pod',
      spec: {
        containers: [
          { image: 'busybox', volumeMounts: [{ name: 'v', mountPath: '/v' }] },
          { name: 'noimage', volumeMounts: [{ name: 'w', mountPath: '/w' }] },
          { name: 'ok', image: 'nginx', volumeMounts: ['odd', { name: 'x', mountPath: '/x', subPath: 'y' }] },
        ],
      },
    };
    const r = await run(JSON.stringify(event({ verb: 'create', requestObject })));
    const e = r.events[0]!;
    expect((e.api as { request: unknown }).request).toEqual({
      uid: '11111111-2222-4333-8444-555555555555',
      containers: [{ name: 'noimage' }, { name: 'ok', image: { name: 'nginx', path: '/x', uid: 'nginx;x' } }],
    });
    expect(e.unmapped).toMatchObject({
      'requestObject.kind': 'Pod',
      'requestObject.spec.containers[].image': 'busybox',
      'requestObject.spec.containers[].volumeMounts[].name': 'v,w',
      'requestObject.spec.containers[].volumeMounts[].mountPath': '/v,/w',
      'requestObject.spec.containers[].volumeMounts[]': 'odd',
      'requestObject.spec.containers[].volumeMounts[].subPath': 'y',
    });
    expect(e.observables).toContainEqual({ name: 'api.request.containers[].image.uid', type: 'Resource UID', type_id: 10, value: 'nginx;x' });
  });

  it('emits resources[] only for a named object; a subresource without a resource stays unmapped', async () => {
    const r = await run(JSON.stringify(event({ objectRef: { subresource: 'status', name: 'n', namespace: 'ns' } })));
    expect(r.events[0]!.resources).toEqual([{ name: 'n', namespace: 'ns' }]);
    expect(r.events[0]!.unmapped).toMatchObject({ 'objectRef.subresource': 'status' });
  });
});

describe('EKS_AUDIT failures', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no auditID', { auditID: undefined }, 'missing-field', /auditID/],
    ['numeric auditID', { auditID: 7 }, 'invalid-type', /auditID/],
    ['no verb', { verb: undefined }, 'missing-field', /verb/],
    ['no user', { user: undefined }, 'missing-field', /user/],
    ['user without name and uid', { user: { groups: ['g'] } }, 'missing-field', /username/],
    ['no sourceIPs', { sourceIPs: [] }, 'missing-field', /sourceIPs/],
    ['non-string sourceIP', { sourceIPs: [7] }, 'invalid-type', /sourceIPs\[0\]/],
    ['bad stageTimestamp', { stageTimestamp: 'yesterday' }, 'invalid-time', /stageTimestamp/],
    ['no timestamps', { stageTimestamp: undefined, requestReceivedTimestamp: undefined }, 'missing-field', /stageTimestamp/],
  ];
  it.each(cases)('%s → %s', async (_name, patch, reason, message) => {
    const r = await run(`${JSON.stringify(event(patch))}\n${JSON.stringify(event({ auditID: 'ok' }))}\n`);
    expect(r.failures.map((f) => f.reason)).toEqual([reason]);
    expect(r.failures[0]!.message).toMatch(message);
    expect(r.failures[0]!.context.line).toBe(1);
    expect(uids(r)).toEqual(['ok']);
  });

  it('a non-object record is not-an-object; a broken line is invalid-json', async () => {
    const r = await run(`${JSON.stringify(event({ auditID: 'x' }))}\n[1]\n{"auditID": "y", "stageTimestamp": \n42\n`);
    expect(r.failures.map((f) => [f.reason, f.context.line])).toEqual([
      ['not-an-object', 2],
      ['invalid-json', 3],
      ['not-an-object', 4],
    ]);
  });
});

describe('EKS_AUDIT sniffing is specific (--source auto tries every source)', () => {
  const sniff = (text: string) => eksDecoders.find((d) => d.sniff(text, Buffer.from(text)))?.format;

  it('recognises audit events, with or without apiVersion, and EKS envelopes', () => {
    expect(sniff(JSON.stringify(event()))).toBe('k8s-audit-json');
    expect(sniff(JSON.stringify(event({ apiVersion: undefined, kind: undefined })))).toBe('k8s-audit-json');
    expect(sniff(golden('cwl_subscription.raw.json').toString())).toBe('eks-cwl-subscription');
    expect(sniff(golden('cwl_export.raw.log').toString())).toBe('eks-cwl-export');
  });

  it('does not claim CloudTrail, Security Hub, VPC Flow, Route 53 or non-EKS CloudWatch inputs', () => {
    const ct = JSON.stringify({ Records: [{ eventVersion: '1.09', eventSource: 'eks.amazonaws.com', eventName: 'ListClusters', requestID: 'r', eventID: 'e' }] });
    const asff = JSON.stringify({ Findings: [{ SchemaVersion: '2018-10-08', Id: 'x', ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty', Types: ['Kubernetes'] }] });
    const vpc = 'version account-id interface-id srcaddr dstaddr\n2 123456789012 eni-1 10.0.0.1 10.0.0.2\n';
    const r53 = JSON.stringify({ version: '1.100000', account_id: '1', query_name: 'example.com.', query_timestamp: '2024-01-01T00:00:00Z' });
    const vpcCwl = awslogs({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: 'vpc-flow', logStream: 'eni-1-all', subscriptionFilters: [], logEvents: [{ id: '1', timestamp: 1, message: '2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK' }] });
    for (const text of [ct, asff, vpc, r53, vpcCwl, '{"kind": 0}']) expect(sniff(text)).toBeUndefined();
  });

  it('--source auto routes an EKS input to EKS_AUDIT', async () => {
    const r = await run(JSON.stringify(event()), { source: 'auto' });
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.class_uid).toBe(6003);
  });
});
