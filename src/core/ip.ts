/**
 * IP addresses parsed, not pattern-matched: an `ip` attribute only ever holds an address, and a value that
 * is not one goes to `unmapped` under its raw name.
 */
import { isIPv6 } from 'node:net';

/**
 * True for an IPv4 dotted quad or an IPv6 address (with an optional `%zone`). IPv4 octets are decimal,
 * 0-255, one to three digits; a leading zero is read as decimal (`225.01.00.16` is 225.1.0.16, as AWS's
 * anonymised samples write it), never as octal. `300.1.1.1`, `1.2.3`, `::gg` and host names are not IPs.
 */
export function isIp(s: string): boolean {
  const n = s.length;
  if (n < 2 || n > 64) return false;
  if (s.includes(':')) {
    const zone = s.indexOf('%');
    if (zone === 0 || zone === n - 1) return false;
    return isIPv6(zone === -1 ? s : s.slice(0, zone));
  }
  return isIpv4(s);
}

function isIpv4(s: string): boolean {
  const n = s.length;
  const c0 = s.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return false;
  let groups = 0;
  let value = 0;
  let len = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++len > 3 || value > 255) return false;
    } else if (c === 46) {
      if (len === 0 || ++groups > 3) return false;
      value = 0;
      len = 0;
    } else return false;
  }
  return groups === 3 && len > 0;
}
