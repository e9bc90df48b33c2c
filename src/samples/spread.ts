/** How generated samples spread over regions, accounts and days, so that partitioning matters. */
import type { Random } from './random.js';

export interface SampleSpread {
  regions: readonly string[];
  accounts: readonly string[];
  /** UTC midnight of the first day, epoch ms. */
  firstDay: number;
  days: number;
}

export interface SampleFile {
  /** Relative path, in the layout the source is delivered in (e.g. CloudTrail's `AWSLogs/...`). */
  name: string;
  bytes: Uint8Array;
  /** Records in the file (including ones a source will filter). */
  records: number;
}

/** 6 regions × 8 accounts × 2 days = 96 partitions per source (the bench's partition spread). */
export const DEFAULT_SPREAD: SampleSpread = {
  regions: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'],
  accounts: ['111122223333', '123456789012', '210987654321', '333344445555', '444455556666', '555566667777', '666677778888', '777788889999'],
  firstDay: Date.UTC(2024, 2, 14),
  days: 2,
};

/** Cycles through every (region, account, day) so that a run of n ≥ 96 files covers all partitions. */
function pickPartition(r: Random, s: SampleSpread, n: number): { region: string; account: string; day: number } {
  const total = s.regions.length * s.accounts.length * s.days;
  const k = n < total ? n : r.int(0, total - 1);
  return {
    region: s.regions[k % s.regions.length]!,
    account: s.accounts[Math.floor(k / s.regions.length) % s.accounts.length]!,
    day: Math.floor(k / (s.regions.length * s.accounts.length)) % s.days,
  };
}

/** A time inside the given day, leaving an hour before midnight so a file's records stay in that day. */
function timeIn(r: Random, s: SampleSpread, day: number): number {
  return s.firstDay + day * 86_400_000 + r.int(0, 22 * 3_600_000);
}

/** One file's worth of records: its index, record count, partition and base time. */
export interface FileBatch {
  n: number;
  count: number;
  region: string;
  account: string;
  day: number;
  /** Epoch ms the file's records start from (they spread over the following hour). */
  base: number;
}

/** Splits `records` into files of `perFile`, each in one partition, cycling through every partition first. */
export function* fileBatches(r: Random, s: SampleSpread, records: number, perFile: number): Generator<FileBatch> {
  let left = records;
  for (let n = 0; left > 0; n++) {
    const count = Math.min(perFile, left);
    left -= count;
    const p = pickPartition(r, s, n);
    yield { n, count, ...p, base: timeIn(r, s, p.day) };
  }
}
