import { describe, expect, it } from 'vitest';
import { parseTables } from '../../bench/compare.js';

describe('bench:compare table parsing', () => {
  it('skips the reference row the header names, and keeps a case whose ratio prints as 1.00×', () => {
    const out = parseTables(
      [
        '## validate (ratio vs "JSON.parse (mixed, 210 events)")',
        '| case | events/s | MB/s | ratio | ±% | samples |',
        '|---|---:|---:|---:|---:|---:|',
        '| JSON.parse (mixed, 210 events) | 144,355 | 342 | 1.00× | 1.3 | 205 |',
        '| validate (mixed) | 144,556 | 343 | 1.00× | 2.3 | 203 |',
        '| validate 1.1.0 dns_activity | 169,128 | 267 | 1.17× | 2.2 | 250 |',
      ].join('\n'),
    );
    expect([...out]).toEqual([
      ['validate / validate (mixed)', 1],
      ['validate / validate 1.1.0 dns_activity', 1.17],
    ]);
  });
});
