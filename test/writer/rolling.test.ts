import { describe, expect, it } from 'vitest';
import type { OcsfEvent } from '../../src/core/types.js';
import { compileColumns } from '../../src/writer/columns.js';
import { readParquetEvents } from '../../src/writer/read.js';
import { SinkError } from '../../src/writer/sinks/sink.js';
import type { Sink } from '../../src/writer/sinks/sink.js';
import { createLakeWriter, failuresToMapFailures, FlushError } from '../../src/writer/writer.js';
import type { WrittenFile } from '../../src/writer/writer.js';
import { DAY0, generateEvents, testSource, TEST_SOURCE } from './fixtures.js';

/** An in-memory sink recording every object; `fail(key)` decides per call whether to throw. */
function memorySink(opts: { fail?: (key: string, call: number) => Error | undefined; delayMs?: number } = {}) {
  const objects = new Map<string, Uint8Array>();
  let calls = 0;
  let pending = 0;
  const sink: Sink & { objects: typeof objects; pending: () => number; calls: () => number } = {
    url: 'memory:',
    objects,
    pending: () => pending,
    calls: () => calls,
    async put(key, chunks, bytes) {
      calls++;
      pending++;
      try {
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const err = opts.fail?.(key, calls);
        if (err) throw err;
        objects.set(key, Buffer.concat(chunks as Uint8Array[], bytes));
      } finally {
        pending--;
      }
    },
  };
  return sink;
}

const META = { source: TEST_SOURCE, sourceVersion: '2.0' };

/** Events all in one partition (us-east-1 / 111122223333 / 20240301), unless `account` varies. */
function onePartition(n: number, seed = 1, account = '111122223333'): OcsfEvent[] {
  return generateEvents(n, { seed, days: 1 }).map((g) => ({ ...g.event, cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: account } } }));
}

describe('rolling', () => {
  it('rolls a partition by rows, and writes the rest on flush', async () => {
    const sink = memorySink();
    const files: WrittenFile[] = [];
    const w = createLakeWriter({ sink, sources: [testSource], maxFileRows: 100, tickMs: 0, onFile: (f) => files.push(f) });
    for (const e of onePartition(250)) expect(w.write(e, META)).toBeUndefined();
    await w.close();
    expect(files.map((f) => [f.rows, f.reason])).toEqual([
      [100, 'rows'],
      [100, 'rows'],
      [50, 'flush'],
    ]);
    for (const [, bytes] of sink.objects) {
      const f = readParquetEvents(bytes);
      const times = [...f.rows()].map((r) => r.time as number);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(new Set(files.map((f) => f.key)).size).toBe(3);
  });

  it('rolls by buffered bytes', async () => {
    const files: WrittenFile[] = [];
    const w = createLakeWriter({ sink: memorySink(), sources: [testSource], maxFileBytes: 20_000, tickMs: 0, onFile: (f) => files.push(f) });
    for (const e of onePartition(100)) w.write(e, META);
    await w.close();
    expect(files.filter((f) => f.reason === 'bytes').length).toBeGreaterThan(2);
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(100);
  });

  it('rolls a partition whose oldest row waited maxAgeMs, and only that one', async () => {
    let clock = 1_000_000;
    const files: WrittenFile[] = [];
    const w = createLakeWriter({ sink: memorySink(), sources: [testSource], maxAgeMs: 300_000, tickMs: 10, now: () => clock, onFile: (f) => files.push(f) });
    const a = onePartition(5, 1, '111111111111');
    const b = onePartition(5, 2, '222222222222');
    for (const e of a) w.write(e, META);
    clock += 200_000;
    for (const e of b) w.write(e, META);
    clock += 100_000; // a: 300 s old, b: 100 s old
    await new Promise((r) => setTimeout(r, 100));
    expect(files.map((f) => [f.partition.accountId, f.reason, f.rows])).toEqual([['111111111111', 'age', 5]]);
    expect(w.stats().bufferedRows).toBe(5);
    clock += 200_000;
    await new Promise((r) => setTimeout(r, 100));
    expect(files.map((f) => [f.partition.accountId, f.reason])).toEqual([
      ['111111111111', 'age'],
      ['222222222222', 'age'],
    ]);
    await w.close();
  });

  it('keeps memory under a global budget across thousands of partitions, flushing the largest buffers first', async () => {
    const files: WrittenFile[] = [];
    const sink = memorySink();
    const budget = 300_000;
    const w = createLakeWriter({ sink, sources: [testSource], memoryBudgetBytes: budget, tickMs: 0, onFile: (f) => files.push(f) });
    // one hot partition and 1000 cold ones (one row each, distinct accounts)
    const hot = onePartition(70, 3, '999999999999');
    const cold = onePartition(1000, 4).map((e, i) => ({ ...e, cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: String(100000000000 + i) } } }));
    const seq: OcsfEvent[] = [];
    for (let i = 0, h = 0; i < cold.length; i++) {
      seq.push(cold[i]!);
      if (i % 15 === 0 && h < hot.length) seq.push(hot[h++]!);
    }
    let peak = 0;
    let drains = 0;
    for (const e of seq) {
      expect(w.write(e, META)).toBeUndefined();
      const s = w.stats();
      peak = Math.max(peak, s.bufferedBytes + s.inflightBytes);
      if (w.needsDrain) {
        drains++;
        await w.drain();
      }
    }
    await w.close();
    const memoryFiles = files.filter((f) => f.reason === 'memory');
    expect(memoryFiles.length).toBeGreaterThan(0);
    // the first file the budget forced out is the biggest buffer: the hot partition
    expect(memoryFiles[0]!.partition.accountId).toBe('999999999999');
    // the budget is exceeded by at most one event before relief starts
    expect(peak).toBeLessThan(budget * 1.05);
    expect(drains).toBeGreaterThan(0);
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(w.stats().eventsAccepted);
    expect(w.stats()).toMatchObject({ bufferedRows: 0, bufferedBytes: 0, inflightBytes: 0 });
  });

  it('bounds the rows handed to parquet-wasm per call, whatever the file size', async () => {
    const sink = memorySink();
    const w = createLakeWriter({ sink, sources: [testSource], rowsPerBatch: 300, tickMs: 0 });
    // the compiled builder the writer uses (cached per schema object): record the size of every batch
    const cols = compileColumns(w.schemaOf(TEST_SOURCE, '2.0'));
    const build = cols.build;
    const sizes: number[] = [];
    (cols as { build: typeof build }).build = (rows, start = 0, end = rows.length) => {
      sizes.push(end - start);
      return build(rows, start, end);
    };
    try {
      for (const e of onePartition(1000, 5)) w.write(e, META);
      await w.close();
    } finally {
      (cols as { build: typeof build }).build = build;
    }
    expect(sizes).toEqual([300, 300, 300, 100]);
    const [bytes] = [...sink.objects.values()];
    expect(readParquetEvents(bytes!).numRows).toBe(1000);
  });
});

describe('flush, close and failures', () => {
  it('close() resolves only when every file is durable', async () => {
    const sink = memorySink({ delayMs: 30 });
    const w = createLakeWriter({ sink, sources: [testSource], tickMs: 0, concurrency: 2 });
    for (const g of generateEvents(300, { seed: 6 })) w.write(g.event, { ...META, context: g.context });
    const r = await w.close();
    expect(sink.pending()).toBe(0);
    expect(sink.objects.size).toBe(12);
    expect(r.files.length).toBe(12);
    expect(() => w.write(generateEvents(1)[0]!.event, META)).toThrow(/closed/);
  });

  it('keeps the rows of a file the sink refused: flush rejects with key and cause, a later flush retries the same key', async () => {
    let broken = true;
    const sink = memorySink({ fail: (key) => (broken ? new SinkError(key, false, Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })) : undefined) });
    const w = createLakeWriter({ sink, sources: [testSource], tickMs: 0 });
    const events = onePartition(40, 7);
    for (const e of events) w.write(e, META);
    const err = await w.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlushError);
    const fe = err as FlushError;
    expect(fe.failures.length).toBe(1);
    expect(fe.failures[0]!.key).toMatch(/^aws\/TEST_TRAIL\/2\.0\/region=us-east-1\/accountId=111122223333\/eventDay=20240301\/[0-9a-f]{32}\.parquet$/);
    expect(fe.message).toContain('Access Denied');
    expect(fe.failures[0]!.rows).toBe(40);
    expect(w.stats().failedRows).toBe(40);
    expect(sink.objects.size).toBe(0);
    await expect(w.drain()).rejects.toBeInstanceOf(FlushError); // failed files surface at the next drain too
    broken = false;
    const ok = await w.flush();
    expect(ok.files.map((f) => f.key)).toEqual([fe.failures[0]!.key]);
    expect(sink.objects.size).toBe(1);
    expect(readParquetEvents(sink.objects.get(fe.failures[0]!.key)!).numRows).toBe(40);
    expect(w.stats().failedRows).toBe(0);
    await w.close();
  });

  it('hands failed rows back for dead-lettering, and reports background failures', async () => {
    const bg: string[] = [];
    const sink = memorySink({ fail: (key) => new SinkError(key, false, new Error('NoSuchBucket')) });
    const w = createLakeWriter({ sink, sources: [testSource], tickMs: 0, maxFileRows: 10, memoryBudgetBytes: 10_000, onError: (f) => bg.push(f.key) });
    const gen = generateEvents(25, { seed: 8, days: 1 });
    for (const g of gen) w.write({ ...g.event, cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333' } } }, { ...META, context: g.context });
    await new Promise((r) => setTimeout(r, 50));
    expect(bg.length).toBeGreaterThan(0);
    await expect(w.drain()).rejects.toBeInstanceOf(FlushError);
    await expect(w.close()).rejects.toBeInstanceOf(FlushError);
    const failed = w.takeFailed();
    expect(failed.reduce((n, f) => n + f.events.length, 0)).toBe(25);
    const dlq = failuresToMapFailures(failed);
    expect(dlq.length).toBe(25);
    expect(dlq[0]).toMatchObject({ reason: 'sink-error', source: TEST_SOURCE, context: { input: 'in-8.json' } });
    expect(dlq[0]!.message).toContain('NoSuchBucket');
    expect(w.stats().failedRows).toBe(0);
    await expect(w.close()).resolves.toEqual({ files: [] });
  });
});

it('sorts rows by time inside each file even when they arrive out of order', async () => {
  const sink = memorySink();
  const w = createLakeWriter({ sink, sources: [testSource], tickMs: 0 });
  const events = onePartition(200, 9).map((e, i) => ({ ...e, time: DAY0 + ((i * 7919) % 200) * 1000, time_dt: new Date(DAY0 + ((i * 7919) % 200) * 1000).toISOString() }));
  for (const e of events) w.write(e, META);
  await w.close();
  const rows = [...readParquetEvents([...sink.objects.values()][0]!).rows()];
  expect(rows.map((r) => r.time)).toEqual(events.map((e) => e.time).sort((a, b) => a - b));
  expect(rows.every((r) => r.time_dt === new Date(r.time as number).toISOString())).toBe(true);
});

it('refuses an event over maxRecordBytes as record-too-large, keeps it for the dead letters and writes the rest', async () => {
  const sink = memorySink();
  const w = createLakeWriter({ sink, sources: [testSource], tickMs: 0, maxRecordBytes: 8_000 });
  const events = onePartition(3, 11);
  const big = { ...events[1]!, http_request: { user_agent: 'a'.repeat(9_000) } } as OcsfEvent;
  expect(w.write(events[0]!, META)).toBeUndefined();
  const f = w.write(big, { ...META, context: { input: 'in.json', line: 2 } });
  expect(f?.reason).toBe('record-too-large');
  expect(f?.message).toMatch(/^event: about \d+ bytes, over the limit of 8000 \(maxRecordBytes\)$/);
  expect(f?.raw).toBe(big);
  expect(f?.context).toEqual({ input: 'in.json', line: 2 });
  expect(w.write(events[2]!, META)).toBeUndefined();
  await w.close();
  expect(w.stats()).toMatchObject({ eventsAccepted: 2, eventsRejected: 1, rowsWritten: 2 });
  const rows = [...readParquetEvents([...sink.objects.values()][0]!).rows()];
  expect(rows.map((r) => r.time)).toEqual([events[0]!.time, events[2]!.time].sort((a, b) => a - b));
});
