/**
 * The partition account of CloudTrail records whose input names none (a plain file, not under
 * `AWSLogs/<account>/CloudTrail/<region>/`): the record's `recipientAccountId`, the account whose trail
 * delivered it, as Security Lake files it. An S3 delivery key still wins; `external` is left for records with
 * no usable account.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('ocsf-partition-account-');
afterAll(cleanup);

/** A real CloudTrail record (AWS documentation sample) with its recipient account set to `recipient`. */
function record(recipient: unknown): Record<string, unknown> {
  const line = readFileSync(new URL('../../../shared/raw/cloudtrail/awsdocs/cloudtrail-user-guide__log-file-examples.jsonl', import.meta.url), 'utf8').split('\n')[0]!;
  const r = JSON.parse(line) as Record<string, unknown>;
  if (recipient === undefined) delete r.recipientAccountId;
  else r.recipientAccountId = recipient;
  return r;
}

function accounts(partitions: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, n] of Object.entries(partitions)) {
    const a = /accountId=([^/]+)/.exec(p)![1]!;
    out[a] = (out[a] ?? 0) + n;
  }
  return out;
}

describe('CloudTrail partition account', () => {
  it('comes from recipientAccountId without a delivery key, from the key with one, and is external only without a usable account', async () => {
    const plain = JSON.stringify({ Records: [record('111122223333'), record('444455556666'), record('111122223333'), record('not-an-account'), record(undefined)] });
    const bare = [record('777788889999'), record('777788889999')].map((r) => JSON.stringify(r)).join('\n');
    const eventBridge = JSON.stringify({ version: '0', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: record('222233334444') });
    const delivered = JSON.stringify({ Records: [record('111122223333')] });
    const r = await ingest(
      [
        { name: 'trail.json', bytes: Buffer.from(plain) },
        { name: 'records.ndjson', bytes: Buffer.from(bare) },
        { name: 'eventbridge.json', bytes: Buffer.from(eventBridge) },
        { name: 'AWSLogs/999988887777/CloudTrail/us-east-2/2014/03/06/x.json', bytes: Buffer.from(delivered) },
      ],
      { source: 'cloudtrail', out: dir, workers: 1 },
    );
    expect(r.counts.failures).toBe(0);
    expect(accounts(r.counts.eventsByPartition)).toEqual({
      '111122223333': 2,
      '444455556666': 1,
      '777788889999': 2,
      '222233334444': 1,
      '999988887777': 1,
      external: 2,
    });
  });
});
