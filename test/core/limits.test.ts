/**
 * Input limits and salvage at the smallest unit, on the calling thread (the engine that `map`, `ingest` and
 * the workers share): every limit has its reason code and option, and a bad record or line never takes its
 * good neighbours with it. The through-the-CLI and worker runs are in test/hostile/.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import '../../src/sources/index.js';
import { decodeCwlData } from '../../src/core/cloudwatch.js';
import { createMapSession } from '../../src/core/engine.js';
import type { Outcome } from '../../src/core/engine.js';
import { DEFAULT_LIMITS, deeperThan, inflateCap, LimitError, resolveLimits } from '../../src/core/limits.js';
import type { InputLimits } from '../../src/core/limits.js';
import { stringifyAnyDepth, stringifyIteratively } from '../../src/core/stringify.js';
import { createDeadLetterWriter } from '../../src/pipeline/dead-letter.js';
import { generateSampleFiles } from '../../src/samples/index.js';
import type { SampleSource } from '../../src/samples/index.js';

async function run(source: string, name: string, bytes: Uint8Array, limits?: Partial<InputLimits>) {
  const s = createMapSession({ source, limits });
  const out: Outcome[] = [];
  for await (const o of s.mapInput(name, bytes)) out.push(o);
  const failures = out.flatMap((o) => (o.kind === 'failure' ? [o.failure] : []));
  const events = out.flatMap((o) => (o.kind === 'event' ? [o.event] : []));
  expect(s.stats.recordsIn).toBe(s.stats.events + s.stats.failures + s.stats.filtered);
  return { events, failures, stats: s.stats, out };
}

function sampleText(family: SampleSource, records: number): string {
  const f = [...generateSampleFiles(family, records, { perFile: records, seed: 5 })][0]!;
  return gunzipSync(f.bytes).toString('utf8');
}

/** `{"a":{"a":...{"a":1}}}` nested `depth` objects deep. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth - 1) + '{"a":1}' + '}'.repeat(depth - 1);
}

describe('limits: resolution', () => {
  it('fills defaults and refuses values out of range', () => {
    expect(resolveLimits(undefined)).toEqual(DEFAULT_LIMITS);
    expect(resolveLimits({ maxDepth: 7 }).maxDepth).toBe(7);
    expect(() => resolveLimits({ maxDepth: 0 })).toThrow(LimitError);
    expect(() => resolveLimits({ maxInputBytes: 1 << 30 })).toThrow(/maxInputBytes must be an integer from 1 to/);
    expect(() => resolveLimits({ maxRecordBytes: 1.5 })).toThrow(LimitError);
  });

  it('deeperThan counts the record itself as depth 1 and stops at the bound', () => {
    expect(deeperThan(JSON.parse(nested(3)), 3)).toBe(false);
    expect(deeperThan(JSON.parse(nested(4)), 3)).toBe(true);
    expect(deeperThan([[[1]]], 3)).toBe(false);
    expect(deeperThan([[[[1]]]], 3)).toBe(true);
    expect(deeperThan('x', 1)).toBe(false);
    // A 20,000-deep value is answered without a stack overflow (the walk goes no deeper than the bound).
    expect(deeperThan(JSON.parse(nested(20_000)), 100)).toBe(true);
  });
});

describe('too-deep', () => {
  it('a record nested 20,000 levels among good records is one too-deep failure; its neighbours map', async () => {
    const doc = JSON.parse(sampleText('cloudtrail', 4)) as { Records: unknown[] };
    const good = await run('cloudtrail', 'good.json', Buffer.from(JSON.stringify(doc)));
    const deep = `{"Records":[${JSON.stringify(doc.Records[0])},${nested(20_000)},${doc.Records.slice(1).map((r) => JSON.stringify(r)).join(',')}]}`;
    const r = await run('cloudtrail', 'deep.json', Buffer.from(deep));
    expect(r.failures.map((f) => f.reason)).toEqual(['too-deep']);
    expect(r.failures[0]!.context.index).toBe(1);
    expect(r.events).toEqual(good.events);
    // The failure (raw record included, whole) serializes although JSON.stringify cannot recurse that deep.
    const text = stringifyAnyDepth(r.failures[0]);
    expect(text.length).toBeGreaterThan(20_000 * 5);
    expect(stringifyIteratively(JSON.parse(text).raw)).toBe(nested(20_000));
  });

  it('maxDepth is the option: depth 30 maps by default and fails at maxDepth 20', async () => {
    const payload = JSON.parse(sampleText('eks_audit', 1).split('\n')[0]!) as { logEvents: { message: string }[] };
    const rec = JSON.parse(payload.logEvents[0]!.message) as Record<string, unknown>;
    rec.requestObject = JSON.parse(nested(29));
    const line = Buffer.from(JSON.stringify(rec) + '\n');
    expect((await run('EKS_AUDIT', 'k8s.json', line)).events).toHaveLength(1);
    const low = await run('EKS_AUDIT', 'k8s.json', line, { maxDepth: 20 });
    expect(low.failures.map((f) => f.reason)).toEqual(['too-deep']);
  });

  it('the dead-letter writer stores a too-deep record whole', async () => {
    const stored: Buffer[] = [];
    const dlq = createDeadLetterWriter({ sink: { put: async (_k: string, parts: Uint8Array[]) => void stored.push(...parts.map((p) => Buffer.from(p))) } as never, libraryVersion: 't' });
    const good = (JSON.parse(sampleText('cloudtrail', 1)) as { Records: unknown[] }).Records[0];
    const r = await run('cloudtrail', 'deep.json', Buffer.from(`{"Records":[${JSON.stringify(good)},${nested(20_000)}]}`));
    dlq.add(r.failures[0]!);
    await dlq.flush();
    const entry = JSON.parse(gunzipSync(Buffer.concat(stored)).toString('utf8'));
    expect(entry.reason).toBe('too-deep');
    expect(stringifyIteratively(entry.raw)).toBe(nested(20_000));
  });
});

describe('stringifyIteratively', () => {
  it('gives JSON.stringify text for JSON data, toJSON, replacer and skipped values', () => {
    const v = { a: [1, 'x', null, undefined, () => 1, { b: true, c: undefined }], d: { toJSON: () => 'D' }, e: 2n, '\u2028k"': '\u0000' };
    const rep = (_k: string, x: unknown) => (typeof x === 'bigint' ? x.toString() : x);
    expect(stringifyIteratively(v, rep)).toBe(JSON.stringify(v, rep));
    expect(stringifyIteratively([])).toBe('[]');
    expect(stringifyIteratively({})).toBe('{}');
    expect(stringifyIteratively('s')).toBe('"s"');
  });
});

describe('decompressed size and ratio', () => {
  it('a gzip that inflates past maxInputBytes stops there: one decompressed-too-large failure, nothing mapped', async () => {
    const bomb = gzipSync(Buffer.alloc(40 << 20, 0x20));
    const before = process.memoryUsage().arrayBuffers;
    const r = await run('auto', 'bomb.log.gz', bomb, { maxInputBytes: 4 << 20 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(20 << 20);
    expect(r.failures.map((f) => f.reason)).toEqual(['decompressed-too-large']);
    expect(r.failures[0]!.raw).toEqual({ base64: bomb.toString('base64'), bytes: bomb.length });
    expect(r.events).toEqual([]);
  });

  it('the ratio limit applies past 16 MiB of output; a real log stays far below it', async () => {
    const bomb = gzipSync(Buffer.alloc(20 << 20, 0x20)); // ~1000:1
    expect((await run('auto', 'b.gz', bomb, { maxCompressionRatio: 50 })).failures[0]!.reason).toBe('decompressed-too-large');
    const real = [...generateSampleFiles('vpc_flow', 2000, { perFile: 2000, seed: 3 })][0]!;
    const r = await run('VPC_FLOW', 'vpc.log.gz', real.bytes, { maxCompressionRatio: 10 });
    expect(r.events.length + r.failures.length).toBe(2000);
    expect(r.failures.filter((f) => f.reason === 'decompressed-too-large')).toEqual([]);
  });

  it('a gzip bomb inside a CloudWatch Logs payload stops at the cap too (the sniff gives up on it)', async () => {
    const member = gzipSync(Buffer.alloc(64 << 20));
    const data = Buffer.concat(Array.from({ length: 8 }, () => member)).toString('base64'); // 512 MiB of zeros
    // Capped by the ratio: 200 times the compressed size, far below the 512 MiB of the payload.
    const cap = inflateCap(Buffer.from(data, 'base64').length, DEFAULT_LIMITS);
    expect(cap).toBeLessThan(128 << 20);
    expect(() => decodeCwlData(data)).toThrow(`Cannot create a Buffer larger than ${cap} bytes`);
    const r = await run('EKS_AUDIT', 'eks.json', Buffer.from(JSON.stringify({ awslogs: { data } })));
    expect(r.failures.map((f) => f.reason)).toEqual(['unknown-format']);
  });

  it('an uncompressed input over maxInputBytes is input-too-large', async () => {
    const r = await run('ROUTE53', 'r.json', Buffer.from(sampleText('route53', 50)), { maxInputBytes: 1000 });
    expect(r.failures.map((f) => f.reason)).toEqual(['input-too-large']);
  });
});

describe('record bytes and records per input', () => {
  it('an NDJSON line over maxRecordBytes fails alone, whole, and its neighbours map', async () => {
    const lines = sampleText('route53', 5).trimEnd().split('\n');
    const huge = JSON.stringify({ ...JSON.parse(lines[2]!), query_name: 'a'.repeat(5000) });
    lines[2] = huge;
    const r = await run('ROUTE53', 'r.json', Buffer.from(lines.join('\n') + '\n'), { maxRecordBytes: 4096 });
    expect(r.failures.map((f) => [f.reason, f.context.line, f.raw])).toEqual([['record-too-large', 3, huge]]);
    expect(r.events).toHaveLength(4);
  });

  it('a VPC text line over maxRecordBytes fails alone', async () => {
    const lines = sampleText('vpc_flow', 5).trimEnd().split('\n');
    lines[3] = lines[3] + ' ' + 'x'.repeat(3000);
    const r = await run('VPC_FLOW', 'v.log', Buffer.from(lines.join('\n')), { maxRecordBytes: 2048 });
    expect(r.failures.map((f) => [f.reason, f.context.line])).toEqual([['record-too-large', 4]]);
    expect(r.events.length).toBe(lines.length - 2); // header, and the long line
  });

  it('past maxRecordsPerInput the rest of the input is one too-many-records failure', async () => {
    const text = sampleText('route53', 10);
    const r = await run('ROUTE53', 'r.json', Buffer.from(text), { maxRecordsPerInput: 6 });
    expect(r.events).toHaveLength(6);
    expect(r.failures.map((f) => [f.reason, f.raw])).toEqual([['too-many-records', { input: 'r.json', fromRecord: 6 }]]);
  });
});

describe('one broken record of a CloudTrail file', () => {
  it('costs only itself: the other records of {"Records":[...]} map', async () => {
    const doc = JSON.parse(sampleText('cloudtrail', 6)) as { Records: Record<string, unknown>[] };
    const clean = await run('cloudtrail', 'ct.json', Buffer.from(JSON.stringify(doc)));
    const parts = doc.Records.map((r) => JSON.stringify(r));
    parts[2] = parts[2]!.replace(/"eventName":"/, '"eventName":');
    const r = await run('cloudtrail', 'ct.json', Buffer.from(`{"Records":[${parts.join(',')}]}`));
    expect(r.failures.map((f) => [f.reason, f.context.index, f.raw])).toEqual([['invalid-json', 2, parts[2]]]);
    expect(r.events).toEqual(clean.out.flatMap((o) => (o.kind === 'event' && o.context.index !== 2 ? [o.event] : [])));
    expect(r.stats.recordsIn).toBe(clean.stats.recordsIn);
  });
});

describe('invalid UTF-8 fails only the records it touches', () => {
  it('Route 53: 5,000 good lines and one with a 0xff byte give 5,000 events and one invalid-utf8 with the line whole', async () => {
    const lines = sampleText('route53', 5000).trimEnd().split('\n');
    const [head, tail] = lines[0]!.split('"query_name":"');
    const bad = Buffer.concat([Buffer.from(head + '"query_name":"'), Buffer.from([0xff]), Buffer.from(tail!)]);
    const bytes = Buffer.concat([Buffer.from(lines.slice(0, 2500).join('\n') + '\n'), bad, Buffer.from('\n' + lines.slice(2500).join('\n') + '\n')]);
    const r = await run('ROUTE53', 'r.json', bytes);
    expect(r.events).toHaveLength(5000);
    expect(r.failures.map((f) => [f.reason, f.context.line])).toEqual([['invalid-utf8', 2501]]);
    expect(r.failures[0]!.raw).toEqual({ base64: bad.toString('base64'), bytes: bad.length });
    expect(r.failures[0]!.message).toMatch(/line 2501 is not valid UTF-8 \(first bad byte at offset \d+\)/);
  });

  it('CloudTrail: a bad byte inside one string value of {"Records":[...]} fails that record only', async () => {
    const doc = JSON.parse(sampleText('cloudtrail', 6)) as { Records: Record<string, unknown>[] };
    const clean = await run('cloudtrail', 'ct.json', Buffer.from(JSON.stringify(doc)));
    const eventAt = (o: Outcome) => (o.kind === 'event' ? o.context.index : undefined);
    const i = eventAt(clean.out.find((o) => o.kind === 'event')!)!;
    doc.Records[i] = { ...doc.Records[i], userAgent: 'MARK' };
    const text = Buffer.from(JSON.stringify(doc));
    text[text.indexOf('MARK')] = 0xff;
    const r = await run('cloudtrail', 'ct.json', text);
    expect(r.failures.map((f) => [f.reason, f.context.index])).toEqual([['invalid-utf8', i]]);
    expect(r.events).toEqual(clean.out.flatMap((o) => (o.kind === 'event' && o.context.index !== i ? [o.event] : [])));
  });
});
