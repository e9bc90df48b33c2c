import { describe, expect, it } from 'vitest';
import { isRealIsoDate, parseIsoMillis, parseIsoUtcFast, toIsoUtc } from '../../src/core/time.js';

/** The implementation before the fast paths (the reference every result must equal). */
function parseIsoMillisReference(s: unknown): number {
  if (typeof s !== 'string' || s.length < 10) return NaN;
  // A date-time without a zone has no instant (Date.parse would take the local zone).
  if (s.length > 10 && !/(?:[Zz]|[+-]\d\d:?\d\d)$/.test(s)) return NaN;
  const dot = s.indexOf('.', 19);
  if (dot !== -1) {
    let end = dot + 1;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    if (end - dot - 1 > 3) s = s.slice(0, dot + 4) + s.slice(end);
  }
  return Date.parse(s as string);
}

/** Deterministic PRNG (mulberry32) so that a failure can be reproduced. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const YEAR0 = new Date('0000-01-01T00:00:00.000Z').getTime();
const YEAR10000 = new Date('+010000-01-01T00:00:00.000Z').getTime();

describe('toIsoUtc', () => {
  it('equals new Date(ms).toISOString() on 300,000 random times of years 0000–9999', () => {
    const r = rng(1);
    for (let i = 0; i < 300_000; i++) {
      const ms = YEAR0 + Math.floor(r() * (YEAR10000 - YEAR0));
      const got = toIsoUtc(ms);
      if (got !== new Date(ms).toISOString()) expect(got).toBe(new Date(ms).toISOString());
    }
  });

  it('equals toISOString on runs of nearby times (the cached-day path) and on day/year edges', () => {
    const r = rng(2);
    for (let i = 0; i < 2_000; i++) {
      let ms = YEAR0 + Math.floor(r() * (YEAR10000 - YEAR0));
      for (let j = 0; j < 50; j++) {
        ms += Math.floor(r() * 120_000) - 20_000;
        const got = toIsoUtc(ms);
        if (got !== new Date(ms).toISOString()) expect(got).toBe(new Date(ms).toISOString());
      }
    }
    const edges = [YEAR0, YEAR0 - 1, YEAR10000 - 1, YEAR10000, 0, -1, 1, 86_399_999, 86_400_000, Date.parse('2000-02-29T23:59:59.999Z'), Date.parse('1900-03-01T00:00:00Z')];
    for (const ms of edges) expect(toIsoUtc(ms)).toBe(new Date(ms).toISOString());
  });

  it('behaves like Date for fractions, out-of-range years and invalid times', () => {
    for (const ms of [1.5, -0.5, -1.5, 1704067200000.999, -0]) expect(toIsoUtc(ms)).toBe(new Date(ms).toISOString());
    expect(toIsoUtc(-62198755200000)).toBe('-000001-01-01T00:00:00.000Z');
    expect(toIsoUtc(8.64e15)).toBe(new Date(8.64e15).toISOString());
    expect(() => toIsoUtc(NaN)).toThrow(RangeError);
    expect(() => toIsoUtc(Infinity)).toThrow(RangeError);
    expect(() => toIsoUtc(8.64e15 + 1)).toThrow(RangeError);
  });
});

describe('parseIsoMillis', () => {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');

  it('equals the Date.parse-based reference on random timestamps of many shapes', () => {
    const r = rng(3);
    const int = (n: number) => Math.floor(r() * n);
    const zones = ['Z', 'Z', 'Z', '', '+00:00', '-05:30', '+0200', 'z'];
    for (let i = 0; i < 100_000; i++) {
      const y = int(10000);
      const mo = int(14); // 0 and 13 invalid
      const d = int(33); // 0, 32 invalid; 29–31 roll over in short months
      const h = int(26);
      const mi = int(62);
      const se = int(62);
      const fd = int(8); // fraction digits 0–7
      let s = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}`;
      if (fd > 0) s += '.' + pad(int(10 ** fd), fd);
      else if (int(20) === 0) s += '.';
      s += zones[int(zones.length)];
      const want = parseIsoMillisReference(s);
      const got = parseIsoMillis(s);
      if (!Object.is(got, want)) expect([s, got]).toEqual([s, want]);
    }
  });

  it('keeps microsecond truncation and the NaN cases', () => {
    const cases: unknown[] = [
      '2021-09-07T20:37:30.642854Z', '2021-09-07T20:37:30.5Z', '2021-09-07T20:37:30.05Z', '2021-09-07T20:37:30Z', '2021-09-07T20:37:30.Z',
      '2023-02-29T00:00:00Z', '2023-02-31T00:00:00Z', '2024-01-32T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:60Z', '0000-01-01T00:00:00Z',
      '2024-01-01', '2024-01-01T00:00:00', '2024-01-01T00:00:00+01:00', '2024-01-01T00:00:00.123456+01:00', '2024-01-01 00:00:00Z',
      '+002024-01-01T00:00:00Z', '2024-1-01T00:00:00Z', 'x024-01-01T00:00:00Z', '2024-01-01T00:00:00.12a4Z', 'short', '', 17, null, undefined,
    ];
    for (const s of cases) expect([s, parseIsoMillis(s)]).toEqual([s, parseIsoMillisReference(s)]);
  });

  it('refuses a date-time without a zone instead of reading it in the local zone', () => {
    expect(parseIsoMillis('2024-01-01T00:00:00')).toBeNaN();
    expect(parseIsoMillis('2024-01-01T00:00:00.123')).toBeNaN();
    expect(parseIsoMillis('2024-01-01T00:00:00+01:00')).toBe(Date.UTC(2023, 11, 31, 23));
    expect(parseIsoMillis('2024-01-01')).toBe(Date.UTC(2024, 0, 1));
  });

  it('parseIsoUtcFast accepts only the …Z forms and agrees with Date.parse on them', () => {
    expect(parseIsoUtcFast('2024-01-01T00:00:00')).toBeNaN();
    expect(parseIsoUtcFast('2024-01-01T00:00:00+00:00')).toBeNaN();
    expect(parseIsoUtcFast('2024-01-01T00:00:00.1234567Z')).toBe(Date.parse('2024-01-01T00:00:00.123Z'));
    expect(parseIsoUtcFast('2023-02-30T00:00:00Z')).toBe(Date.parse('2023-02-30T00:00:00Z'));
  });
});

describe('isRealIsoDate', () => {
  it('accepts real calendar days only', () => {
    expect(isRealIsoDate('2024-02-29T00:00:00Z')).toBe(true);
    expect(isRealIsoDate('2023-02-29')).toBe(false);
    expect(isRealIsoDate('2000-02-29')).toBe(true);
    expect(isRealIsoDate('1900-02-29')).toBe(false);
    expect(isRealIsoDate('2024-04-31')).toBe(false);
    expect(isRealIsoDate('2024-13-01')).toBe(false);
    expect(isRealIsoDate('2024-00-10')).toBe(false);
    expect(isRealIsoDate('2024-01-00')).toBe(false);
    expect(isRealIsoDate('2024-1-010')).toBe(false);
    expect(isRealIsoDate('2024-01')).toBe(false);
  });
});
