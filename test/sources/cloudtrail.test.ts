/**
 * CloudTrail family: delivery forms and content sniffing, routing to CLOUD_TRAIL_MGMT / S3_DATA /
 * LAMBDA_EXECUTION (and what is filtered), per-record failures with stable reasons, and the accounting
 * invariant `recordsIn == events + failures + filtered` (issue 3 items 4 and 5).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createMapSession, getSource, MapFailure, resolveSources } from '../../src/index.js';
import type { Outcome } from '../../src/index.js';
import { CLOUDTRAIL_DECODERS } from '../../src/sources/cloudtrail/decode.js';
import { routeCloudTrail } from '../../src/sources/cloudtrail/route.js';

type Rec = Record<string, unknown>;

/** A minimal valid management record; `over` replaces or adds fields (undefined deletes). */
function rec(over: Rec = {}): Rec {
  const r: Rec = {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/u', accountId: '111122223333', userName: 'u' },
    eventTime: '2024-05-01T12:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2',
    requestParameters: null,
    responseElements: null,
    requestID: 'req-1',
    eventID: 'ev-1',
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete r[k];
    else r[k] = v;
  }
  return r;
}
const s3Get = (over: Rec = {}) => rec({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventCategory: 'Data', managementEvent: false, ...over });
const lambdaInvoke = (over: Rec = {}) => rec({ eventSource: 'lambda.amazonaws.com', eventName: 'Invoke', eventCategory: 'Data', managementEvent: false, ...over });

async function run(input: string | Uint8Array, opts: { source?: string; version?: string; name?: string } = {}) {
  const session = createMapSession({ source: opts.source ?? 'cloudtrail', sourceVersion: opts.version ?? '2.0' });
  const out: Outcome[] = [];
  for await (const o of session.mapInput(opts.name ?? 'input.json', typeof input === 'string' ? Buffer.from(input) : input)) out.push(o);
  const s = session.stats;
  expect(s.recordsIn).toBe(s.events + s.failures + s.filtered);
  return { out, stats: s, session };
}
const kinds = (out: Outcome[]) =>
  out.map((o) => (o.kind === 'event' ? `event:${o.source}` : o.kind === 'failure' ? `failure:${o.failure.reason}` : `filtered:${o.filtered.reason}:${o.filtered.detail}`));
const sniffed = (text: string) => CLOUDTRAIL_DECODERS.find((d) => d.sniff(text, Buffer.from(text)))?.format;

describe('CloudTrail sources', () => {
  it('registers the three members of the family at 1.0 and 2.0', () => {
    expect(resolveSources('cloudtrail').map((s) => s.name).sort()).toEqual(['CLOUD_TRAIL_MGMT', 'LAMBDA_EXECUTION', 'S3_DATA']);
    const mgmt = getSource('CLOUD_TRAIL_MGMT')!;
    expect(mgmt.versions['1.0']).toMatchObject({ ocsfVersion: '1.0.0-rc.2', classes: [3005, 3001, 3002], profiles: ['cloud'] });
    expect(mgmt.versions['2.0']).toMatchObject({ ocsfVersion: '1.1.0', classes: [6003, 3001, 3002], profiles: ['cloud', 'datetime'] });
    expect(getSource('S3_DATA')!.versions['2.0']!.classes).toEqual([6003]);
    expect(() => createMapSession({ source: 'S3_DATA', sourceVersion: '3.0' })).toThrow(/no source version 3.0/);
  });
});

describe('CloudTrail decoding', () => {
  const records = [rec({ eventID: 'a' }), s3Get({ eventID: 'b' }), lambdaInvoke({ eventID: 'c' })];

  it('reads the S3 log object {"Records":[...]}, plain and gzip, with record indexes', async () => {
    const text = JSON.stringify({ Records: records });
    expect(sniffed(text)).toBe('cloudtrail-records');
    for (const [input, name] of [[text, 'x.json'], [gzipSync(text), 'x.json.gz']] as const) {
      const { out } = await run(input, { name: `AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/111122223333_CloudTrail_eu-west-1_${name}` });
      expect(kinds(out)).toEqual(['event:CLOUD_TRAIL_MGMT', 'event:S3_DATA', 'event:LAMBDA_EXECUTION']);
      expect(out.map((o) => o.kind === 'event' && o.context.index)).toEqual([0, 1, 2]);
      expect(out[0]!.kind === 'event' && out[0]!.context).toMatchObject({ accountId: '111122223333', region: 'eu-west-1' });
    }
  });

  it('accepts an empty trail file', async () => {
    const { out } = await run('{"Records":[]}');
    expect(out).toEqual([]);
  });

  it('reads a single (pretty-printed) event, a JSON array and NDJSON', async () => {
    expect(kinds((await run(JSON.stringify(rec(), null, 2))).out)).toEqual(['event:CLOUD_TRAIL_MGMT']);
    expect(kinds((await run(JSON.stringify(records))).out)).toEqual(['event:CLOUD_TRAIL_MGMT', 'event:S3_DATA', 'event:LAMBDA_EXECUTION']);
    const nd = records.map((r) => JSON.stringify(r)).join('\n') + '\n{broken\n';
    const { out } = await run(nd);
    expect(kinds(out)).toEqual(['event:CLOUD_TRAIL_MGMT', 'event:S3_DATA', 'event:LAMBDA_EXECUTION', 'failure:invalid-json']);
    expect(out[3]!.kind === 'failure' && out[3]!.failure.context.line).toBe(4);
  });

  it('unwraps EventBridge events and filters EventBridge events that are not CloudTrail', async () => {
    const eb = (detailType: string, detail: unknown) => ({ version: '0', id: 'x', 'detail-type': detailType, source: 'aws.ec2', account: '111122223333', time: '2024-05-01T12:00:00Z', region: 'eu-west-1', resources: [], detail });
    const one = JSON.stringify(eb('AWS API Call via CloudTrail', rec()));
    expect(sniffed(one)).toBe('cloudtrail-eventbridge');
    expect(kinds((await run(one)).out)).toEqual(['event:CLOUD_TRAIL_MGMT']);
    const stream = [eb('AWS Console Sign In via CloudTrail', rec({ eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com' })), eb('GuardDuty Finding', { id: 'f' })]
      .map((e) => JSON.stringify(e))
      .join('');
    const { out } = await run(stream);
    expect(kinds(out)).toEqual(['event:CLOUD_TRAIL_MGMT', 'filtered:not-cloudtrail:GuardDuty Finding']);
    expect(out[0]!.kind === 'event' && out[0]!.event.class_uid).toBe(3002);
  });

  it('reads CloudWatch Logs subscription payloads (Lambda form, decoded form, base64 alone) and LookupEvents output', async () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: 'aws-cloudtrail-logs',
      logStream: '111122223333_CloudTrail_eu-west-1',
      subscriptionFilters: ['f'],
      logEvents: [
        { id: '1', timestamp: 1, message: JSON.stringify(rec()) },
        { id: '2', timestamp: 2, message: '{not json' },
      ],
    };
    const b64 = gzipSync(JSON.stringify(payload)).toString('base64');
    for (const input of [JSON.stringify({ awslogs: { data: b64 } }), JSON.stringify(payload), b64]) {
      expect(sniffed(input)).toBe('cloudtrail-cwl-subscription');
      const { out } = await run(input);
      expect(kinds(out)).toEqual(['event:CLOUD_TRAIL_MGMT', 'failure:invalid-json']);
      expect(out[0]!.kind === 'event' && out[0]!.context).toMatchObject({ accountId: '111122223333', index: 0 });
    }
    const control = JSON.stringify({ ...payload, messageType: 'CONTROL_MESSAGE', logEvents: [{ id: '0', timestamp: 0, message: 'CWL CONTROL MESSAGE: Checking health of destination' }] });
    expect(kinds((await run(control)).out)).toEqual(['filtered:cwl-control-message:']);
    const lookup = JSON.stringify({ Events: [{ EventId: 'x', EventName: 'DescribeInstances', CloudTrailEvent: JSON.stringify(rec()) }] });
    expect(sniffed(lookup)).toBe('cloudtrail-lookup-events');
    expect(kinds((await run(lookup)).out)).toEqual(['event:CLOUD_TRAIL_MGMT']);
  });

  it('sniffs CloudTrail only: other sources and look-alikes are not claimed', () => {
    const s3Notification = JSON.stringify({ Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'eu-west-1', eventTime: '2024-05-01T12:00:00.000Z', eventName: 'ObjectCreated:Put', userIdentity: { principalId: 'AWS:AIDA' }, s3: { bucket: { name: 'b' } } }] });
    const others = [
      s3Notification,
      '{"a":1}',
      '[{"b":2}]',
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 123 eni-1 1.1.1.1 2.2.2.2 1 2 6 1 1 1 2 ACCEPT OK\n',
      '{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2021-02-04T17:51:55Z","query_name":"example.com.","rcode":"NOERROR"}',
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","stage":"ResponseComplete","verb":"get","requestReceivedTimestamp":"2024-01-01T00:00:00.000000Z"}',
      '{"SchemaVersion":"2018-10-08","Id":"f","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub","AwsAccountId":"1"}',
      JSON.stringify({ 'detail-type': 'Security Hub Findings - Imported', detail: { findings: [] } }),
    ];
    for (const o of others) expect(sniffed(o)).toBeUndefined();
  });

  it('reports an S3 event notification given as CloudTrail as unknown-format', async () => {
    const { out } = await run(JSON.stringify({ Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }));
    expect(kinds(out)).toEqual(['failure:unknown-format']);
  });
});

describe('CloudTrail failures (stable reasons, never exceptions)', () => {
  it.each([
    ['not an object', 'not-an-object', 42],
    ['null', 'not-an-object', null],
    ['missing eventTime', 'missing-field', rec({ eventTime: undefined })],
    ['missing eventName', 'missing-field', rec({ eventName: undefined })],
    ['missing eventSource', 'missing-field', rec({ eventSource: undefined })],
    ['eventName not a string', 'invalid-type', rec({ eventName: 5 })],
    ['eventTime not a string', 'invalid-type', rec({ eventTime: 1714564800 })],
    ['unparseable eventTime', 'invalid-time', rec({ eventTime: 'yesterday' })],
    ['impossible month', 'invalid-time', rec({ eventTime: '2024-13-01T00:00:00Z' })],
  ])('%s → %s', async (_what, reason, value) => {
    for (const version of ['1.0', '2.0']) {
      const { out } = await run(JSON.stringify([value, rec()]), { version });
      expect(kinds(out)).toEqual([`failure:${reason}`, 'event:CLOUD_TRAIL_MGMT']);
      const f = (out[0] as { failure: MapFailure }).failure;
      expect(f.raw).toEqual(value);
      expect(f.source).toBe('cloudtrail');
      expect(f.context.index).toBe(0);
    }
  });

  it('a data event with no eventTime is a failure even when only CLOUD_TRAIL_MGMT is selected', async () => {
    const { out } = await run(JSON.stringify([s3Get({ eventTime: undefined })]), { source: 'CLOUD_TRAIL_MGMT' });
    expect(kinds(out)).toEqual(['failure:missing-field']);
  });

  it('accepts RFC 3339 variants of eventTime (fraction, offset, no zone = UTC)', async () => {
    const times = ['2024-05-01T12:00:00.123Z', '2024-05-01T14:00:00+02:00', '2024-05-01T12:00:00'];
    const { out } = await run(JSON.stringify(times.map((t) => rec({ eventTime: t }))));
    expect(out.map((o) => o.kind === 'event' && o.event.time)).toEqual([1714564800123, 1714564800000, 1714564800000]);
  });
});

describe('CloudTrail routing', () => {
  const mixed = [
    rec({ eventID: 'mgmt' }),
    s3Get({ eventID: 's3' }),
    lambdaInvoke({ eventID: 'lambda' }),
    rec({ eventID: 'ddb', eventSource: 'dynamodb.amazonaws.com', eventName: 'GetItem', eventCategory: 'Data', managementEvent: false }),
    rec({ eventID: 'insight', eventCategory: 'Insight', eventType: 'AwsCloudTrailInsight' }),
    rec({ eventID: 'net', eventCategory: 'NetworkActivity' }),
  ];

  it('sends each record of a mixed trail file to its source and filters the rest with a reason', async () => {
    const { out, stats } = await run(JSON.stringify({ Records: mixed }));
    expect(kinds(out)).toEqual([
      'event:CLOUD_TRAIL_MGMT',
      'event:S3_DATA',
      'event:LAMBDA_EXECUTION',
      'filtered:unsupported-data-event:dynamodb.amazonaws.com',
      'filtered:unsupported-event-category:Insight',
      'filtered:unsupported-event-category:NetworkActivity',
    ]);
    expect(stats.filteredByReason).toEqual({
      'unsupported-data-event:dynamodb.amazonaws.com': 1,
      'unsupported-event-category:Insight': 1,
      'unsupported-event-category:NetworkActivity': 1,
    });
  });

  it('selecting one member filters the records of the other members', async () => {
    const { out } = await run(JSON.stringify({ Records: mixed.slice(0, 3) }), { source: 'S3_DATA' });
    expect(kinds(out)).toEqual(['filtered:other-source:CLOUD_TRAIL_MGMT', 'event:S3_DATA', 'filtered:other-source:LAMBDA_EXECUTION']);
    const mgmt = await run(JSON.stringify({ Records: mixed.slice(0, 3) }), { source: 'CLOUD_TRAIL_MGMT', version: '1.0' });
    expect(kinds(mgmt.out)).toEqual(['event:CLOUD_TRAIL_MGMT', 'filtered:other-source:S3_DATA', 'filtered:other-source:LAMBDA_EXECUTION']);
  });

  it('recognises data events by eventCategory, then managementEvent, then the legacy operation lists', () => {
    const old = (over: Rec) => rec({ eventCategory: undefined, managementEvent: undefined, eventVersion: '1.05', ...over });
    expect(routeCloudTrail(old({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' }), {})).toBe('S3_DATA');
    expect(routeCloudTrail(old({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' }), {})).toBe('CLOUD_TRAIL_MGMT');
    expect(routeCloudTrail(old({ eventSource: 'lambda.amazonaws.com', eventName: 'Invoke' }), {})).toBe('LAMBDA_EXECUTION');
    expect(routeCloudTrail(old({ eventSource: 'lambda.amazonaws.com', eventName: 'GetFunction' }), {})).toBe('CLOUD_TRAIL_MGMT');
    expect(routeCloudTrail(old({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', managementEvent: false }), {})).toBe('S3_DATA');
    expect(routeCloudTrail(rec({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventCategory: 'Management', managementEvent: false }), {})).toBe('CLOUD_TRAIL_MGMT');
    expect(routeCloudTrail(s3Get({ eventSource: 's3-outposts.amazonaws.com' }), {})).toMatchObject({ reason: 'unsupported-data-event', detail: 's3-outposts.amazonaws.com' });
  });

  it('data events are API Activity whatever their eventName; management events are routed by eventName', async () => {
    const { out } = await run(
      JSON.stringify([
        lambdaInvoke(),
        rec({ eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com' }),
        rec({ eventName: 'CreateUser', eventSource: 'iam.amazonaws.com' }),
        rec({ eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com' }),
      ]),
      { version: '1.0' },
    );
    expect(out.map((o) => o.kind === 'event' && [o.event.class_uid, o.event.activity_id])).toEqual([[3005, 99], [3002, 1], [3001, 1], [3002, 1]]);
  });
});
