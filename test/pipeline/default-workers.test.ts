/**
 * The default worker count: an input that lists under SMALL_INPUT_BYTES runs on the calling thread (a worker
 * costs more to start than it saves); anything larger, or of unknown size, gets the worker pool. The peek
 * reads the listing ahead and hands every item back, in order, exactly once.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/index.js';
import { peekListing, SMALL_INPUT_BYTES } from '../../src/pipeline/ingest.js';
import { InputListingError } from '../../src/pipeline/inputs.js';
import type { InputObject } from '../../src/pipeline/inputs.js';
import { writeSamples } from '../../src/samples/index.js';
import { expectBalanced, tempDir } from './helpers.js';

const obj = (name: string, size?: number): InputObject => ({ name, ...(size !== undefined ? { size } : {}), context: {}, read: async () => new Uint8Array() });
async function* listing<T>(items: T[], seen: { n: number }): AsyncGenerator<T> {
  for (const x of items) {
    seen.n++;
    yield x;
  }
}
async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('peekListing', () => {
  it('calls a listing small when it ends under the limit, and gives every item back', async () => {
    const items = [obj('a', 1000), new InputListingError('missing/', 'object-missing', 'gone'), obj('b', SMALL_INPUT_BYTES - 2000)];
    const seen = { n: 0 };
    const p = await peekListing(listing(items, seen));
    expect(p.small).toBe(true);
    expect(seen.n).toBe(3);
    expect(await drain(p.listing)).toEqual(items);
  });

  it('stops reading at the first object past the limit, and at an object of unknown size', async () => {
    const big = [obj('a', SMALL_INPUT_BYTES), obj('b', 2), obj('c', 3), obj('d', 4)];
    const seen = { n: 0 };
    const p = await peekListing(listing(big, seen));
    expect(p.small).toBe(false);
    expect(seen.n).toBe(2); // a, then b crosses the limit: c and d are not listed yet
    expect(await drain(p.listing)).toEqual(big);
    const stream = [obj('a', 10), obj('-'), obj('c', 10)];
    const q = await peekListing(listing(stream, { n: 0 }));
    expect(q.small).toBe(false);
    expect(await drain(q.listing)).toEqual(stream);
  });
});

describe('ingest without a worker count', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('runs a small input on the calling thread, and a given count as given', async () => {
    const inputs = join(tmp.dir, 'in');
    writeSamples(inputs, { records: { vpc_flow: 600, route53: 300 }, perFile: 100, seed: 5 });
    const small = await ingest([inputs], { out: join(tmp.dir, 'a'), fsync: false, validate: 'off' });
    expect(small.workers).toBe(1);
    expectBalanced(small.counts);
    expect(small.counts.eventsWritten).toBe(900);
    const given = await ingest([inputs], { out: join(tmp.dir, 'b'), fsync: false, validate: 'off', workers: 2 });
    expect(given.workers).toBe(2);
    expect(given.counts.eventsWritten).toBe(900);
  }, 60_000);
});
