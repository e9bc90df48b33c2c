/**
 * Time conversions shared by the mappers (mapping-spec §1.4): `time` is epoch milliseconds, `*_dt`
 * siblings are RFC 3339 UTC strings with millisecond precision.
 *
 * Both directions have a hand-written fast path for the forms AWS writes (`YYYY-MM-DDTHH:MM:SS[.f…]Z`
 * in, `YYYY-MM-DDTHH:mm:ss.sssZ` out) and fall back to `Date` for everything else, so results are
 * exactly those of `Date.parse` / `Date#toISOString` (test/core/time.test.ts compares them on a large
 * random sample). The fast paths replace the per-source copies that CloudTrail, VPC Flow, Route 53 and
 * Security Hub had written; `new Date(ms).toISOString()` costs 2–4 µs per call on the mapping benches
 * (`npm run bench -- vpc_flow|cloudtrail|security_hub|route53|eks_audit`).
 */

const DAY = 86_400_000;
const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => (i < 10 ? '00' : i < 100 ? '0' : '') + i);
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil; `Date.UTC` without the call). */
function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DDT` of a day number (days since 1970-01-01), or undefined outside years 0000–9999 (and for NaN). */
function civilPrefix(days: number): string | undefined {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (!(y >= 0 && y <= 9999)) return undefined;
  return PAD2[(y / 100) | 0]! + PAD2[y % 100]! + '-' + PAD2[m]! + '-' + PAD2[d]! + 'T';
}

/** Two decimal digits at `i` (no check). */
const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** The digits of `YYYY-MM-DDTHH:MM:SS` (separators checked by the caller). */
function dateTimeDigits(s: string): boolean {
  return (
    isDigit(s, 0) && isDigit(s, 1) && isDigit(s, 2) && isDigit(s, 3) && isDigit(s, 5) && isDigit(s, 6) && isDigit(s, 8) && isDigit(s, 9) &&
    isDigit(s, 11) && isDigit(s, 12) && isDigit(s, 14) && isDigit(s, 15) && isDigit(s, 17) && isDigit(s, 18)
  );
}

/**
 * Epoch ms of the UTC form AWS writes, `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.<1+ digits>Z`,
 * parsed by hand (≈10× faster than `Date.parse`; CloudTrail and Route 53 mapping benches); sub-millisecond
 * digits are truncated. Like `Date.parse`, a day 29–31 that the month lacks rolls over into the next
 * month (`2023-02-30` → March 2nd; use {@link isRealIsoDate} to reject it). NaN when `s` is not in this
 * exact form or a field is out of range — the caller then decides (see {@link parseIsoMillis}).
 */
export function parseIsoUtcFast(s: string): number {
  const n = s.length;
  if (n < 20 || s.charCodeAt(n - 1) !== 90 /* Z */) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  if (!dateTimeDigits(s)) return NaN;
  let frac = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 /* . */ || n === 21) return NaN;
    for (let i = 20; i < n - 1; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      if (i === 20) frac = c * 100;
      else if (i === 21) frac += c * 10;
      else if (i === 22) frac += c;
    }
  }
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const se = d2(s, 17);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return NaN;
  return (daysFromCivil(d2(s, 0) * 100 + d2(s, 2), mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + frac;
}

/**
 * Parses an RFC 3339 / ISO 8601 timestamp to epoch ms, truncating sub-millisecond digits
 * (`2021-09-07T20:37:30.642854Z` → 1631047050642). Returns NaN when it cannot be parsed, and for a date-time
 * without a zone (`2024-01-01T00:00:00`): its instant is unknown (a date alone is UTC midnight). The `…Z`
 * forms take the hand-written {@link parseIsoUtcFast}; the rest goes through `Date.parse`.
 */
let lastIso = '';
/** The zone of an RFC 3339 date-time: `Z` or a numeric offset. */
const ZONE = /(?:[Zz]|[+-]\d\d:?\d\d)$/;
let lastIsoMs = NaN;

export function parseIsoMillis(s: unknown): number {
  if (typeof s !== 'string' || s.length < 10) return NaN;
  // One cached result: the writer's check and build parse every `*_dt` value, and an event's `time_dt`
  // and `start_time_dt` (or a file's consecutive rows) are often the same string (VPC flow, `npm run bench:e2e`).
  if (s === lastIso) return lastIsoMs;
  const fast = parseIsoUtcFast(s);
  if (fast === fast) {
    lastIso = s;
    lastIsoMs = fast;
    return fast;
  }
  // A date-time without a zone would be read in the machine's local time zone: refused, not guessed.
  if (s.length > 10 && !ZONE.test(s)) return NaN;
  // Date.parse rounds nothing but rejects >3 fraction digits on some inputs: cut them first.
  const dot = s.indexOf('.', 19);
  if (dot !== -1) {
    let end = dot + 1;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    if (end - dot - 1 > 3) s = s.slice(0, dot + 4) + s.slice(end);
  }
  return Date.parse(s as string);
}

/**
 * True when the digits at positions 0–3, 5–6 and 8–9 of `s` (`YYYY-MM-DD…`) name a real calendar day;
 * `Date.parse` would roll `2023-02-29` over to March 1st. Separators are not checked.
 */
export function isRealIsoDate(s: string): boolean {
  if (s.length < 10 || !(isDigit(s, 0) && isDigit(s, 1) && isDigit(s, 2) && isDigit(s, 3) && isDigit(s, 5) && isDigit(s, 6) && isDigit(s, 8) && isDigit(s, 9))) return false;
  const y = d2(s, 0) * 100 + d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]!) return false;
  return mo !== 2 || d !== 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

// The date parts of the last two days formatted: records of one input share a few days at most, and
// a record's second time (CloudTrail's session `created_time_dt`, VPC's `end_time_dt`) is often on
// another day than `time_dt` — two entries keep both cached (cloudtrail mapping bench).
let cachedDay = NaN;
let cachedPrefix = '';
let otherDay = NaN;
let otherPrefix = '';

/**
 * Epoch ms → `YYYY-MM-DDTHH:mm:ss.sssZ` (the `datetime` profile's `*_dt` form), the same string as
 * `new Date(ms).toISOString()` (and the same RangeError for invalid times) without a `Date` per call:
 * the date part is cached for the last two days seen and otherwise computed arithmetically (Hinnant's
 * civil_from_days), the time of day comes from lookup tables. Years outside 0000–9999 go through
 * `Date`. 2–4 µs → well under 0.1 µs per call (vpc_flow, cloudtrail and security_hub mapping benches).
 */
export function toIsoUtc(ms: number): string {
  if (!Number.isInteger(ms)) ms = Math.trunc(ms); // Date's TimeClip (NaN stays NaN)
  const day = Math.floor(ms / DAY);
  if (day !== cachedDay) {
    let prefix: string | undefined;
    if (day === otherDay) prefix = otherPrefix;
    else {
      prefix = civilPrefix(day);
      if (prefix === undefined) return new Date(ms).toISOString();
    }
    otherDay = cachedDay;
    otherPrefix = cachedPrefix;
    cachedDay = day;
    cachedPrefix = prefix;
  }
  let r = ms - day * DAY;
  const h = (r / 3_600_000) | 0;
  r -= h * 3_600_000;
  const m = (r / 60_000) | 0;
  r -= m * 60_000;
  const s = (r / 1000) | 0;
  return cachedPrefix + PAD2[h] + ':' + PAD2[m] + ':' + PAD2[s] + '.' + PAD3[r - s * 1000] + 'Z';
}

/** Epoch ms → `YYYYMMDD` in UTC (Security Lake's `eventDay` partition value). */
let eventDayNum = NaN;
let eventDayStr = '';

export function toEventDay(ms: number): string {
  // Records of one input share a day or two: one cached day saves a Date per event (writer.write, VPC
  // flow and CloudTrail in `npm run bench:e2e`).
  const dayNum = Math.floor(ms / DAY);
  if (dayNum === eventDayNum) return eventDayStr;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const str = String(y) + (m < 10 ? '0' : '') + m + (day < 10 ? '0' : '') + day;
  if (dayNum === dayNum) {
    eventDayNum = dayNum;
    eventDayStr = str;
  }
  return str;
}
