/**
 * The `unmapped` map of a CloudTrail record (mapping-spec §1.5), built by a flattener compiled once per
 * class: a trie of raw paths whose nodes carry their full dotted key (`requestParameters.bucketName`,
 * `resources[].ARN`) and whether the mapping consumes them. Walking a record through the trie never
 * concatenates or re-hashes a key string that was seen before — the cost that dominates the generic
 * `collectUnmapped` of `src/core/unmapped.ts`, whose output this reproduces exactly (arrays add `[]` and
 * comma-join their leaves, every value is stringified, nulls and empty objects are dropped, empty
 * strings are kept; test/sources/cloudtrail-tables.test.ts compares both on the real data).
 *
 * Children are found by following the key order of earlier records: each child remembers which sibling
 * key followed it last time. CloudTrail writes its fields in a stable order and JSON.parse interns key
 * strings, so the guess is usually right and costs one pointer comparison; a Map is the fallback.
 */

interface TrieNode {
  /** Dotted key of this path in `unmapped`. */
  readonly key: string;
  /** True when a mapping consumes this path (it and everything below are skipped). */
  consumed: boolean;
  /** Child raw keys, in first-seen order, and the child nodes at the same index. */
  keys: string[];
  kids: TrieNode[];
  /** Raw key → index in `keys`, for lookups that miss the expected position. */
  index: Map<string, number>;
  /** For each child index, the index of the key that followed it last time (-1: unknown). */
  succ: number[];
  /** The `<key>[]` node for array values. */
  items: TrieNode | undefined;
}

/** Upper bound of cached paths per flattener (records with data-dependent keys cannot grow it forever). */
const MAX_NODES = 50_000;

export class UnmappedFlattener {
  private readonly root: TrieNode = node('');
  private nodes = 0;
  /** Index of the last child found by `child()`. */
  private last = 0;

  /** `consumedTop`: top-level keys consumed whole; `consumedPaths`: dotted paths below objects. */
  constructor(consumedTop: Iterable<string>, consumedPaths: Iterable<string>) {
    for (const k of consumedTop) this.child(this.root, k, -1).consumed = true;
    for (const p of consumedPaths) {
      let n = this.root;
      for (const part of p.split('.')) n = this.child(n, part, -1);
      n.consumed = true;
    }
  }

  /** Flattens every field of `record` that the class does not consume; undefined when nothing is left. */
  collect(record: Record<string, unknown>): Record<string, string> | undefined {
    const out: Record<string, string> = {};
    return this.walkObject(out, this.root, record, false) ? out : undefined;
  }

  /** Writes the leaves of the object `v` under node `n`; true when at least one leaf was written. */
  private walkObject(out: Record<string, string>, n: TrieNode, v: Record<string, unknown>, inArray: boolean): boolean {
    let wrote = false;
    let prev = -1;
    for (const k in v) {
      const c = this.child(n, k, prev);
      prev = this.last;
      if (c.consumed) continue; // before loading the value: most top-level fields are consumed
      const x = v[k];
      if (x === null || x === undefined) continue;
      if (typeof x !== 'object') {
        const s = typeof x === 'string' ? x : String(x);
        if (inArray) {
          const before = out[c.key];
          out[c.key] = before === undefined ? s : before + ',' + s;
        } else out[c.key] = s;
        wrote = true;
      } else if (Array.isArray(x)) {
        if (this.walkArray(out, c, x)) wrote = true;
      } else if (this.walkObject(out, c, x as Record<string, unknown>, inArray)) wrote = true;
    }
    return wrote;
  }

  private walkArray(out: Record<string, string>, n: TrieNode, a: unknown[]): boolean {
    const items = (n.items ??= node(n.key + '[]'));
    let wrote = false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (x === null || x === undefined) continue;
      if (typeof x !== 'object') {
        const s = typeof x === 'string' ? x : String(x);
        const prev = out[items.key];
        out[items.key] = prev === undefined ? s : prev + ',' + s;
        wrote = true;
      } else if (Array.isArray(x)) {
        if (this.walkArray(out, items, x)) wrote = true;
      } else if (this.walkObject(out, items, x as Record<string, unknown>, true)) wrote = true;
    }
    return wrote;
  }

  /**
   * Child `k` of `n`. `prev` is the index of the sibling key seen just before (-1 at the start); the
   * key that followed it last time is tried first. Sets `this.last` to the child's index.
   */
  private child(n: TrieNode, k: string, prev: number): TrieNode {
    const keys = n.keys;
    const guess = prev < 0 ? 0 : n.succ[prev]!;
    let i: number | undefined;
    if (guess >= 0 && guess < keys.length && keys[guess] === k) i = guess;
    else {
      i = n.index.get(k);
      if (i === undefined) {
        const c = node(n.key === '' ? k : n.key + '.' + k);
        if (this.nodes >= MAX_NODES) {
          this.last = -1;
          return c;
        }
        this.nodes++;
        i = keys.length;
        n.index.set(k, i);
        keys.push(k);
        n.kids.push(c);
        n.succ.push(-1);
      }
      if (prev >= 0) n.succ[prev] = i;
    }
    this.last = i;
    return n.kids[i]!;
  }
}

function node(key: string): TrieNode {
  return { key, consumed: false, keys: [], kids: [], index: new Map(), succ: [], items: undefined };
}
