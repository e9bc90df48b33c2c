/**
 * Epoch ms → `YYYY-MM-DDTHH:mm:ss.sssZ`, the same string as `toIsoUtc` (core/time.ts) without a `Date`
 * per call: the date part is cached per UTC day (flow logs of one object share a few days at most) and
 * the time of day is built from precomputed two- and three-digit strings. Valid for 0 ≤ ms < year 10000.
 */
import { toIsoUtc } from '../../../core/time.js';

const DAY = 86_400_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

let cachedDay = -1;
let cachedPrefix = '';

export function isoUtcFast(ms: number): string {
  const day = Math.floor(ms / DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = toIsoUtc(day * DAY).slice(0, 11);
  }
  let r = ms - day * DAY;
  const h = (r / 3_600_000) | 0;
  r -= h * 3_600_000;
  const m = (r / 60_000) | 0;
  r -= m * 60_000;
  const s = (r / 1000) | 0;
  return cachedPrefix + TWO[h] + ':' + TWO[m] + ':' + TWO[s] + '.' + THREE[r - s * 1000] + 'Z';
}
