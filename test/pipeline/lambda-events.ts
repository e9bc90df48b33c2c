/**
 * Lambda event payloads in the shapes AWS documents (written for these tests, field by field, from the AWS docs:
 * "Event message structure" of S3 notifications, "Using Lambda with Amazon SQS" / SNS, and "EventBridge event
 * message structure" of S3). Only the values vary: bucket, key, size, ids.
 */

/** An object named by a notification. */
export interface NotifiedObject {
  bucket: string;
  /** The real key; builders encode it the way each delivery does. */
  key: string;
  size?: number;
  eventName?: string;
}

/**
 * Encodes a key like S3 notifications do (form-URL-encoding: `+` for a space, `%2B` for `+`, `%3A` for `:`),
 * keeping `/` — what S3 sends in practice; `encodeSlash` gives the `test%2Fkey` form of the documented sample.
 */
export function s3NotificationKey(key: string, encodeSlash = false): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return encodeSlash ? enc(key) : key.split('/').map(enc).join('/');
}

let seq = 0;
const sequencer = () => (0x0a1b2c3d4e5f6789n + BigInt(++seq)).toString(16).toUpperCase().padStart(18, '0');

/** One S3 event record (`eventVersion` 2.1). */
export function s3Record(o: NotifiedObject, opts: { encodeSlash?: boolean } = {}): Record<string, unknown> {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2024-03-14T15:12:00.000Z',
    eventName: o.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLEPRINCIPAL' },
    requestParameters: { sourceIPAddress: '203.0.113.10' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'ocsf-lake-raw-created',
      bucket: { name: o.bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${o.bucket}` },
      object: { key: s3NotificationKey(o.key, opts.encodeSlash), size: o.size ?? 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: sequencer() },
    },
  };
}

/** S3 → Lambda. */
export function s3Event(objects: NotifiedObject[]): { Records: Record<string, unknown>[] } {
  return { Records: objects.map((o) => s3Record(o)) };
}

/** The message S3 sends to a queue or topic when a notification configuration is saved. */
export function s3TestEvent(bucket: string): Record<string, unknown> {
  return { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-03-14T15:00:02.089Z', Bucket: bucket, RequestId: '5582815E1AEA5ADF', HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YN6A' };
}

/** The SNS envelope of a message delivered to SQS without raw message delivery. */
export function snsEnvelope(message: unknown): Record<string, unknown> {
  return {
    Type: 'Notification',
    MessageId: `sns-${++seq}`,
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:raw-logs-created',
    Subject: 'Amazon S3 Notification',
    Message: JSON.stringify(message),
    Timestamp: '2024-03-14T15:12:00.123Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:raw-logs-created:c9135db0',
  };
}

/** One SQS record whose body is `body` (a string is used as is, anything else is JSON-encoded). */
export function sqsRecord(messageId: string, body: unknown, receiveCount = 1): Record<string, unknown> {
  return {
    messageId,
    receiptHandle: `AQEB${Buffer.from(messageId).toString('base64')}/9X0+rlEXAMPLE==`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1710429120123',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1710429120130',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:raw-logs-created',
    awsRegion: 'us-east-1',
  };
}

/** S3 → SQS → Lambda: one message per entry. */
export function sqsEvent(messages: { id: string; body: unknown }[]): { Records: Record<string, unknown>[] } {
  return { Records: messages.map((m) => sqsRecord(m.id, m.body)) };
}

/** S3 → SNS → Lambda. */
export function snsEvent(message: unknown): { Records: Record<string, unknown>[] } {
  const env = snsEnvelope(message);
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:raw-logs-created:c9135db0-26c4-47ec-8998-413945fb5a96',
        Sns: { ...env, MessageAttributes: {} },
      },
    ],
  };
}

/** S3 → EventBridge ("Object Created"; EventBridge keys are not URL-encoded). */
export function eventBridgeEvent(o: NotifiedObject, detailType = 'Object Created'): Record<string, unknown> {
  return {
    version: '0',
    id: `17793124-05d4-b198-2fde-${String(++seq).padStart(12, '0')}`,
    'detail-type': detailType,
    source: 'aws.s3',
    account: '123456789012',
    time: '2024-03-14T15:12:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${o.bucket}`],
    detail: {
      version: '0',
      bucket: { name: o.bucket },
      object: { key: o.key, size: o.size ?? 1024, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: sequencer() },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '203.0.113.10',
      reason: 'PutObject',
    },
  };
}
