import { describe, expect, it } from 'vitest';
import { createShardAssigner, shardKey } from '../../src/pipeline/ingest.js';
import { contextFromKey } from '../../src/pipeline/inputs.js';

const obj = (name: string) => ({ name, context: contextFromKey(name) });
const ct = (account: string, region: string, day: string, n: number) =>
  obj(`AWSLogs/${account}/CloudTrail/${region}/2024/03/${day}/${account}_CloudTrail_${region}_202403${day}T0000Z_${n}.json.gz`);

describe('shard assignment of listed objects to workers', () => {
  it('keys an AWS delivery key by (account, region, day) and anything else by its name', () => {
    expect(shardKey(ct('111122223333', 'us-east-1', '14', 1))).toBe('111122223333/us-east-1//2024/03/14/');
    expect(shardKey(ct('111122223333', 'us-east-1', '14', 2))).toBe(shardKey(ct('111122223333', 'us-east-1', '14', 1)));
    expect(shardKey(obj('local/file.json'))).toBe('local/file.json');
  });

  it('sends every object of one key to one worker and balances new keys by objects given', () => {
    // Sorted listing: runs of one key, keys of unequal sizes (3, 1, 1, 2, 1 objects).
    const listing = [
      ct('111122223333', 'us-east-1', '14', 1), ct('111122223333', 'us-east-1', '14', 2), ct('111122223333', 'us-east-1', '14', 3),
      ct('111122223333', 'us-east-1', '15', 1),
      ct('111122223333', 'us-west-2', '14', 1),
      ct('444455556666', 'us-east-1', '14', 1), ct('444455556666', 'us-east-1', '14', 2),
      ct('444455556666', 'us-east-1', '15', 1),
    ];
    const assign = createShardAssigner(2);
    const owners = listing.map(assign);
    // key 1 → 0 (loads 3/0); key 2 → 1 (3/1); key 3 → 1 (3/2); key 4 → 1 (3/4); key 5 → 0 (4/4)
    expect(owners).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    const byKey = new Map<string, Set<number>>();
    listing.forEach((o, i) => byKey.set(shardKey(o), (byKey.get(shardKey(o)) ?? new Set()).add(owners[i]!)));
    for (const ws of byKey.values()) expect(ws.size).toBe(1);
    expect(createShardAssigner(1)(listing[0]!)).toBe(0);
  });
});
