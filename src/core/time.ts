/**
 * Time conversions shared by the mappers (mapping-spec §1.4): `time` is epoch milliseconds, `*_dt`
 * siblings are RFC 3339 UTC strings with millisecond precision.
 */

/**
 * Parses an RFC 3339 / ISO 8601 timestamp to epoch ms, truncating sub-millisecond digits
 * (`2021-09-07T20:37:30.642854Z` → 1631047050642). Returns NaN when it cannot be parsed.
 */
export function parseIsoMillis(s: unknown): number {
  if (typeof s !== 'string' || s.length < 10) return NaN;
  // Date.parse rounds nothing but rejects >3 fraction digits on some inputs: cut them first.
  const dot = s.indexOf('.', 19);
  if (dot !== -1) {
    let end = dot + 1;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    if (end - dot - 1 > 3) s = s.slice(0, dot + 4) + s.slice(end);
  }
  return Date.parse(s as string);
}

/** Epoch ms → `YYYY-MM-DDTHH:mm:ss.sssZ` (the `datetime` profile's `*_dt` form). */
export function toIsoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** Epoch ms → `YYYYMMDD` in UTC (Security Lake's `eventDay` partition value). */
export function toEventDay(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return String(y) + (m < 10 ? '0' : '') + m + (day < 10 ? '0' : '') + day;
}
