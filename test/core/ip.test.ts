/** IP addresses are parsed, not pattern-matched; an address that does not parse never reaches an `ip` attribute. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import '../../src/sources/index.js';
import { createMapSession } from '../../src/core/engine.js';
import type { Outcome } from '../../src/core/engine.js';
import { isIp } from '../../src/core/ip.js';
import { generateSampleFiles } from '../../src/samples/index.js';

describe('isIp', () => {
  it('accepts IPv4 dotted quads (leading zeros read as decimal) and IPv6 (with a zone)', () => {
    for (const s of ['1.2.3.4', '255.255.255.255', '0.0.0.0', '01.2.3.4', '225.01.00.16', '::1', '2001:db8::1', 'fe80::1%eth0', '::ffff:10.0.0.1']) expect([s, isIp(s)]).toEqual([s, true]);
  });
  it('refuses what only looks like one', () => {
    for (const s of ['300.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', '0x1.2.3.4', '::gg', '1:2:3:4:5:6:7:8:9', ':::1', 'fe80::1%', '%eth0', '::ffff:300.0.0.1', 'AWS Internal', '', '1']) {
      expect([s, isIp(s)]).toEqual([s, false]);
    }
  });
});

async function run(source: string, text: string) {
  const s = createMapSession({ source });
  const out: Outcome[] = [];
  for await (const o of s.mapInput('in.json', Buffer.from(text))) out.push(o);
  return { events: out.flatMap((o) => (o.kind === 'event' ? [o.event] : [])), failures: out.flatMap((o) => (o.kind === 'failure' ? [o.failure] : [])) };
}
const sample = (family: 'route53' | 'eks_audit') => gunzipSync([...generateSampleFiles(family, 1, { perFile: 1, seed: 4 })][0]!.bytes).toString('utf8');

describe('per source', () => {
  it('Route 53: a srcaddr that does not parse waits in unmapped beside a source instance; alone, it is invalid-ip', async () => {
    const rec = JSON.parse(sample('route53').trim()) as Record<string, unknown>;
    const withInstance = { ...rec, srcids: { instance: 'i-0a1b2c3d4e5f60001' }, srcaddr: '300.1.1.1' };
    const kept = await run('ROUTE53', JSON.stringify(withInstance) + '\n');
    expect(kept.failures).toEqual([]);
    expect(kept.events[0]!.src_endpoint).toEqual(expect.not.objectContaining({ ip: expect.anything() }));
    expect(kept.events[0]!.unmapped!.srcaddr).toBe('300.1.1.1');
    const { srcids: _, ...alone } = withInstance;
    const r = await run('ROUTE53', JSON.stringify(alone) + '\n');
    expect(r.failures.map((f) => [f.reason, f.message])).toEqual([['invalid-ip', expect.stringContaining('"300.1.1.1" is not an IP address')]]);
  });

  it('EKS: sourceIPs[0] that does not parse is invalid-ip; a bad later address stays out of intermediate_ips, the list in unmapped', async () => {
    const payload = JSON.parse(sample('eks_audit').trim().split('\n')[0]!) as { logEvents: { message: string }[] };
    const rec = JSON.parse(payload.logEvents[0]!.message) as Record<string, unknown>;
    const bad = await run('EKS_AUDIT', JSON.stringify({ ...rec, sourceIPs: ['::gg'] }) + '\n');
    expect(bad.failures.map((f) => f.reason)).toEqual(['invalid-ip']);
    const later = await run('EKS_AUDIT', JSON.stringify({ ...rec, sourceIPs: ['10.0.0.1', '300.1.1.1', '10.0.0.2'] }) + '\n');
    const ev = later.events[0]!;
    expect((ev.src_endpoint as { ip: string; intermediate_ips: string[] })).toMatchObject({ ip: '10.0.0.1', intermediate_ips: ['10.0.0.2'] });
    expect(ev.unmapped!['sourceIPs[]']).toBe('10.0.0.1,300.1.1.1,10.0.0.2');
  });
});
