import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createMapSession } from '../../src/index.js';
import { Random } from '../../src/samples/random.js';
import { cloudTrailRecord } from '../../src/samples/cloudtrail.js';

describe('CloudWatch Logs subscription payloads', () => {
  it('are recognised when the base64 data string is longer than the 64 KiB sniffing head (CloudTrail as EKS)', async () => {
    const r = new Random(42);
    const logEvents = Array.from({ length: 400 }, (_, i) => {
      const t = Date.UTC(2024, 2, 14, 10) + i * 1000;
      return { id: String(i), timestamp: t, message: JSON.stringify(cloudTrailRecord(r, t, 'us-east-1', '111122223333')) };
    });
    const payload = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: 'aws-cloudtrail-logs', logStream: '111122223333_CloudTrail_us-east-1', subscriptionFilters: ['f'], logEvents };
    const data = gzipSync(JSON.stringify(payload)).toString('base64');
    expect(data.length).toBeGreaterThan(65536);
    const session = createMapSession({ source: 'auto' });
    let seen = 0;
    for await (const o of session.mapInput('lambda-event.json', Buffer.from(JSON.stringify({ awslogs: { data } })))) {
      expect(o.kind === 'failure' ? o.failure.message : '').toBe('');
      seen++;
    }
    expect(seen).toBe(400);
    expect(session.stats.events + session.stats.filtered).toBe(400);
    expect(Object.keys(session.stats.eventsBySource).every((s) => ['CLOUD_TRAIL_MGMT', 'S3_DATA', 'LAMBDA_EXECUTION'].includes(s))).toBe(true);
  });
});
