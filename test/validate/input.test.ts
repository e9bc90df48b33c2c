/** The event-reader registry behind `ocsf-lake validate`: JSON framing, gzip, and the Parquet extension point. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isParquet, openEvents, registerEventReader, type EventItem } from '../../src/validate/input.js';
import { createNormalizer } from '../../src/validate/normalize.js';
import { createValidator } from '../../src/validate/index.js';
import { apiActivity110 } from './fixtures.js';

async function collect(items: AsyncIterable<EventItem>): Promise<EventItem[]> {
  const out: EventItem[] = [];
  for await (const i of items) out.push(i);
  return out;
}

const enc = (s: string) => new TextEncoder().encode(s);

describe('openEvents', () => {
  it('reads a JSON array with indexes, NDJSON with lines, a single object', async () => {
    const a = await collect(openEvents('a.json', enc('[{"x":1},{"x":2}]')).items);
    expect(a.map((i) => i.location)).toEqual(['a.json[0]', 'a.json[1]']);
    const n = await collect(openEvents('n.ndjson', enc('{"x":1}\n\n{"x":2}\n')).items);
    expect(n.map((i) => i.location)).toEqual(['n.ndjson:1', 'n.ndjson:3']);
    const o = await collect(openEvents('o.json', enc('{\n "x": 1\n}\n')).items);
    expect(o).toEqual([{ kind: 'event', event: { x: 1 }, location: 'o.json:1' }]);
  });

  it('gunzips by content and reports a truncated stream after what it recovered', async () => {
    const gz = gzipSync('{"x":1}\n{"x":2}\n');
    expect((await collect(openEvents('f', gz).items)).filter((i) => i.kind === 'event')).toHaveLength(2);
    const cut = await collect(openEvents('f.gz', gz.subarray(0, gz.length - 6)).items);
    expect(cut.at(-1)).toMatchObject({ kind: 'error', location: 'f.gz' });
  });

  it('reports invalid JSON and invalid UTF-8 as error items, never throws', async () => {
    const bad = await collect(openEvents('b', enc('{"x":1}\n{oops\n')).items);
    expect(bad[1]).toMatchObject({ kind: 'error', location: 'b:2' });
    const utf = await collect(openEvents('u', new Uint8Array([0x7b, 0xff, 0x7d])).items);
    expect(utf).toEqual([{ kind: 'error', location: 'u', message: expect.stringContaining('not valid UTF-8') }]);
  });

  it('Parquet without a registered reader gives one clear error; a registered reader takes over', async () => {
    // The frame of a Parquet file: magic, a 4-byte footer, its length, magic (a cut file is refused before any reader).
    const pq = new Uint8Array([...enc('PAR1'), 1, 2, 3, 4, 4, 0, 0, 0, ...enc('PAR1')]);
    expect(isParquet(pq)).toBe(true);
    expect(await collect(openEvents('x.parquet', pq).items)).toEqual([
      { kind: 'error', location: 'x.parquet', message: 'Parquet input is not supported yet (no Parquet event reader is registered)' },
    ]);
    // What the Parquet module will register: rows as a Parquet reader returns them.
    const row = { ...apiActivity110(), time: 1700000000000n, resources: { array: [{ uid: 'i-1' }] }, message: null };
    registerEventReader({
      name: 'parquet',
      sniff: isParquet,
      *read(_bytes, fileName) {
        yield { kind: 'event', event: row, location: `${fileName}#row0` };
      },
      normalize: { unwrapListWrappers: true },
    });
    const { reader, items } = openEvents('x.parquet', pq);
    expect(reader.name).toBe('parquet');
    const [item] = await collect(items);
    expect(item).toMatchObject({ kind: 'event', location: 'x.parquet#row0' });
    const event = createNormalizer(reader.normalize)((item as { event: unknown }).event);
    expect(createValidator().validate(event)).toEqual({ valid: true, errors: [] });
  });
});
