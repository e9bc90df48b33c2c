/**
 * Runs conformance pairs: maps each raw input with our library and compares the events leaf by leaf
 * with the reference (AWS's native Parquet output or the OCSF project's published sample).
 * Pair lists are discovered: every `test/conformance/<source_id>.ts` that exports `pairs`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMapSession } from '../../src/index.js';
import type { OcsfEvent } from '../../src/index.js';
import { deviations } from './deviations.js';
import { diffLeaves } from './leaves.js';
import type { ConformancePair, Deviation } from './types.js';

const FRAMEWORK = new Set(['leaves.ts', 'readers.ts', 'types.ts', 'deviations.ts', 'run.ts', 'cli.ts', 'paths.ts']);

/** Every pair of every source module, sorted by id. */
export async function loadPairs(): Promise<ConformancePair[]> {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !FRAMEWORK.has(f));
  const all: ConformancePair[] = [];
  for (const f of files.sort()) {
    const mod = (await import(pathToFileURL(dir + f).href)) as { pairs?: ConformancePair[] | (() => ConformancePair[]) };
    const p = typeof mod.pairs === 'function' ? mod.pairs() : mod.pairs;
    if (p) all.push(...p);
  }
  return all.sort((a, b) => a.id.localeCompare(b.id));
}

export interface PairResult {
  pair: ConformancePair;
  referenceLeaves: number;
  matched: number;
  /** Unexcused differences: these fail the test. */
  problems: string[];
  /** Differences covered by a deviation, with its reason. */
  excused: string[];
  /** Leaves we emit that the reference lacks (not excused by a deviation). */
  extra: string[];
  /** Set when mapping failed outright (no event, wrong count). */
  error?: string;
}

function excuse(pairId: string, path: string, kind: Deviation['kind']): Deviation | undefined {
  return deviations.find(
    (d) =>
      d.kind === kind &&
      (typeof d.pair === 'string' ? d.pair === pairId : d.pair.test(pairId)) &&
      (typeof d.path === 'string' ? d.path === path : d.path.test(path)),
  );
}

/** Maps the pair's input and compares every produced event with its reference record. */
export async function runPair(pair: ConformancePair): Promise<PairResult> {
  const expected = await pair.expected();
  const session = createMapSession({ source: pair.source, sourceVersion: pair.sourceVersion, context: pair.context, options: pair.options });
  const events: OcsfEvent[] = [];
  const failures: string[] = [];
  for await (const o of session.mapInput(pair.input, readFileSync(pair.input))) {
    if (o.kind === 'event') events.push(o.event);
    else if (o.kind === 'failure') failures.push(`${o.failure.reason}: ${o.failure.message}`);
    else failures.push(`filtered: ${o.filtered.reason} ${o.filtered.detail}`);
  }
  const result: PairResult = { pair, referenceLeaves: 0, matched: 0, problems: [], excused: [], extra: [] };
  if (events.length !== expected.length) {
    result.error = `expected ${expected.length} event(s), got ${events.length}${failures.length ? ` (${failures.join('; ')})` : ''}`;
  }
  for (let i = 0; i < expected.length; i++) {
    // Observable order is not significant (mapping-spec §1.7).
    const d = diffLeaves(events[i] ?? {}, expected[i], { unordered: ['observables', ...(pair.unordered ?? [])] });
    result.referenceLeaves += d.reference;
    result.matched += d.matched.length;
    const prefix = expected.length > 1 ? `#${i} ` : '';
    for (const m of d.missing) classify(result, pair.id, m.path, 'missing', `${prefix}missing ${m.path} = ${JSON.stringify(m.expected)}`);
    for (const m of d.different) {
      classify(result, pair.id, m.path, 'different', `${prefix}different ${m.path}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`);
    }
    for (const m of d.extra) {
      const dev = excuse(pair.id, m.path, 'extra');
      const line = `${prefix}extra ${m.path} = ${JSON.stringify(m.actual)}`;
      if (dev) result.excused.push(`${line} — ${dev.reason}`);
      else result.extra.push(line);
    }
  }
  return result;
}

function classify(r: PairResult, pairId: string, path: string, kind: Deviation['kind'], line: string): void {
  const dev = excuse(pairId, path, kind);
  if (dev) r.excused.push(`${line} — ${dev.reason}`);
  else r.problems.push(line);
}

/** `matched / reference leaves` as a percentage with one decimal. */
export function score(matched: number, reference: number): string {
  return reference === 0 ? 'n/a' : `${((100 * matched) / reference).toFixed(1)}%`;
}
