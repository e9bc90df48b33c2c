import { describe, expect, it } from 'vitest';
import type { OcsfEvent } from '../../src/core/types.js';
import { assertSafeKey, partitionOf, partitionPath, tablePrefix } from '../../src/writer/partition.js';
import { partitionFromPath } from '../../src/writer/read.js';

const ev = (cloud?: Record<string, unknown>, time = Date.UTC(2024, 2, 1, 23, 59, 59, 999)): OcsfEvent =>
  ({ class_uid: 1, activity_id: 1, type_uid: 101, time, metadata: { version: '1.1.0' }, ...(cloud ? { cloud } : {}) }) as OcsfEvent;

describe('partition values', () => {
  it('takes region and account from the event, then the record context, then the default region; no account → external', () => {
    expect(partitionOf(ev({ region: 'eu-west-1', account: { uid: '111122223333' } }), { region: 'us-east-1', accountId: '999999999999' })).toEqual({
      region: 'eu-west-1',
      accountId: '111122223333',
      eventDay: '20240301',
    });
    expect(partitionOf(ev({ region: 'eu-west-1', account_uid: '111122223333' }), undefined)).toMatchObject({ accountId: '111122223333' }); // rc.2
    expect(partitionOf(ev(), { region: 'ap-south-1', accountId: '123456789012' })).toMatchObject({ region: 'ap-south-1', accountId: '123456789012' });
    expect(partitionOf(ev(), {}, 'us-gov-west-1')).toMatchObject({ region: 'us-gov-west-1', accountId: 'external' });
    expect(partitionOf(ev({ region: 'cn-north-1' }), {})).toMatchObject({ region: 'cn-north-1', accountId: 'external' });
    // Security Lake's EKS output keeps a whole ARN in cloud.account.uid: its account field is the partition
    expect(partitionOf(ev({ region: 'us-east-1', account: { uid: 'arn:aws:sts::111122223333:assumed-role/R/s' } }), {})).toMatchObject({ accountId: '111122223333' });
  });

  it('uses the UTC day of time', () => {
    expect(partitionOf(ev({ region: 'us-east-1' }, Date.UTC(2023, 11, 31, 23, 59, 59, 999)), {})).toMatchObject({ eventDay: '20231231' });
    expect(partitionOf(ev({ region: 'us-east-1' }, Date.UTC(2024, 0, 1)), {})).toMatchObject({ eventDay: '20240101' });
    expect(partitionOf(ev({ region: 'us-east-1' }, 8.64e15 + 1), {})).toMatchObject({ path: 'time' });
  });

  it('builds paths only from validated segments', () => {
    expect(tablePrefix('native', 'CLOUD_TRAIL_MGMT', '2.0')).toBe('aws/CLOUD_TRAIL_MGMT/2.0');
    expect(tablePrefix('custom', 'MOVIE_AUTH', '1.0')).toBe('ext/MOVIE_AUTH/1.0');
    for (const bad of ['..', '.', 'a/b', '', 'x'.repeat(65)]) expect(() => tablePrefix('custom', bad, '1.0')).toThrow();
    expect(() => tablePrefix('native', 'X', '..')).toThrow();
    expect(partitionPath({ region: 'us-east-1', accountId: 'external', eventDay: '20240301' })).toBe('region=us-east-1/accountId=external/eventDay=20240301');
    expect(() => partitionPath({ region: '../x', accountId: 'external', eventDay: '20240301' })).toThrow();
    expect(() => partitionPath({ region: 'us-east-1', accountId: '../x', eventDay: '20240301' })).toThrow();
    expect(() => assertSafeKey('a/../b')).toThrow();
    expect(() => assertSafeKey('a/b.parquet')).not.toThrow();
    expect(partitionFromPath('/lake/aws/X/2.0/region=us-east-1/accountId=external/eventDay=20240301/f.parquet')).toEqual({ region: 'us-east-1', accountId: 'external', eventDay: '20240301' });
  });
});
