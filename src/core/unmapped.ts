/**
 * The `unmapped` convention (mapping-spec §1.5): a flat map of dotted raw paths to strings. Arrays
 * add `[]` to the key and comma-join their leaf values; every value is stringified; nulls and empty
 * objects are dropped; empty strings are kept.
 */

type Obj = Record<string, unknown>;

/**
 * Flattens `value` under `prefix` into `out`. Objects walk their keys; arrays append `[]`; leaves whose
 * key contains `[]` are comma-joined in element order. Keys are built by the memoized {@link childPath}
 * / {@link arrayPath}: the same few hundred raw paths recur in every record, and reusing one string per
 * path spares building and hashing it again per record (security_hub and eks_audit mapping benches).
 */
export function flattenInto(out: Record<string, string>, prefix: string, value: unknown): void {
  flatten(out, prefix, value, prefix.includes('[]'), true);
}

/**
 * `join`: whether the leaves under `path` are comma-joined; `keyJoins`: whether a raw key containing
 * `[]` turns joining on below it ({@link flattenInto}'s rule: join when the key contains `[]`).
 */
function flatten(out: Record<string, string>, path: string, value: unknown, join: boolean, keyJoins: boolean): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const p = arrayPath(path);
    for (let i = 0; i < value.length; i++) flatten(out, p, value[i], true, keyJoins);
    return;
  }
  if (typeof value === 'object') {
    for (const k in value as Obj) {
      flatten(out, childPath(path, k), (value as Obj)[k], join || (keyJoins && k.includes('[]')), keyJoins);
    }
    return;
  }
  const s = typeof value === 'string' ? value : String(value);
  const prev = out[path];
  // Array leaves share one key: join in element order.
  out[path] = prev === undefined || !join ? s : prev + ',' + s;
}

const keyCache = new Map<string, Map<string, string>>();
let keyCacheSize = 0;

/**
 * `path + "." + key` (or `key` at the top), memoized (security_hub mapping bench, where it replaced
 * the concatenation of `flattenInto`): the same few hundred unmapped keys recur in
 * every finding, and reusing one string per key spares building and internalizing it again per record.
 * Bounded: the cache is dropped when it reaches 50,000 keys (inputs with endless distinct keys).
 */
export function childPath(path: string, key: string): string {
  let m = keyCache.get(path);
  if (m === undefined) {
    if (keyCacheSize > 50_000) {
      keyCache.clear();
      keyCacheSize = 0;
    }
    m = new Map();
    keyCache.set(path, m);
  }
  let s = m.get(key);
  if (s === undefined) {
    s = path === '' ? key : path + '.' + key;
    m.set(key, s);
    keyCacheSize++;
  }
  return s;
}

const arrayPaths = new Map<string, string>();

/** `path + "[]"`, memoized like {@link childPath}. */
export function arrayPath(path: string): string {
  let s = arrayPaths.get(path);
  if (s === undefined) {
    if (arrayPaths.size > 50_000) arrayPaths.clear();
    s = path + '[]';
    arrayPaths.set(path, s);
  }
  return s;
}

/**
 * The §1.5 flattening of {@link flattenInto} with an explicit `inArray` (whether `path` is below an
 * array, so that its leaves are comma-joined): same keys and values, except that a raw key that itself
 * contains `[]` is not taken for an array path.
 */
export function flattenKeyed(out: Record<string, string>, path: string, value: unknown, inArray: boolean): void {
  flatten(out, path, value, inArray, false);
}

/**
 * Flattens every top-level field of `record` whose name is not in `mapped` into a fresh map; undefined
 * when nothing is left. `mapped` holds consumed top-level names; `mappedPaths` (optional) holds consumed
 * dotted paths below them, for records where only some leaves of an object are mapped. The work is done
 * by an {@link UnmappedFlattener} compiled once per `mapped` / `mappedPaths` pair (the sets are expected
 * to be long-lived constants of a mapper), which reproduces {@link collectUnmappedGeneric} on real
 * records several times faster (cloudtrail and route53 mapping benches).
 */
export function collectUnmapped(
  record: Record<string, unknown>,
  mapped: ReadonlySet<string>,
  mappedPaths?: ReadonlySet<string>,
): Record<string, string> | undefined {
  let byPaths = flatteners.get(mapped);
  if (byPaths === undefined) flatteners.set(mapped, (byPaths = new Map()));
  let f = byPaths.get(mappedPaths);
  if (f === undefined) byPaths.set(mappedPaths, (f = new UnmappedFlattener(mapped, mappedPaths ?? [])));
  return f.collect(record);
}

const flatteners = new WeakMap<ReadonlySet<string>, Map<ReadonlySet<string> | undefined, UnmappedFlattener>>();

/**
 * The plain recursive form of {@link collectUnmapped} (the §1.5 reference the compiled flattener is
 * tested against; test/core/unmapped.test.ts and test/sources/cloudtrail-tables.test.ts).
 */
export function collectUnmappedGeneric(
  record: Record<string, unknown>,
  mapped: ReadonlySet<string>,
  mappedPaths?: ReadonlySet<string>,
): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const k in record) {
    if (mapped.has(k)) continue;
    const v = record[k];
    if (v === null || v === undefined) continue;
    out ??= {};
    if (mappedPaths !== undefined && typeof v === 'object' && !Array.isArray(v)) flattenExcept(out, k, v, mappedPaths);
    else flattenInto(out, k, v);
  }
  return out !== undefined && hasKeys(out) ? out : undefined;
}

function flattenExcept(out: Record<string, string>, prefix: string, value: unknown, skip: ReadonlySet<string>): void {
  if (skip.has(prefix)) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const k in value as Record<string, unknown>) {
      flattenExcept(out, prefix + '.' + k, (value as Record<string, unknown>)[k], skip);
    }
    return;
  }
  flattenInto(out, prefix, value);
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * The `unmapped` map of a record (mapping-spec §1.5), built by a flattener compiled once per set of
 * consumed paths (CloudTrail: once per class; it came from src/sources/cloudtrail/unmapped.ts): a trie
 * of raw paths whose nodes carry their full dotted key (`requestParameters.bucketName`, `resources[].ARN`)
 * and whether the mapping consumes them. Walking a record through the trie never concatenates or
 * re-hashes a key string that was seen before — the cost that dominates the generic
 * {@link collectUnmappedGeneric}, whose output this reproduces exactly (arrays add `[]` and
 * comma-join their leaves, every value is stringified, nulls and empty objects are dropped, empty
 * strings are kept; test/sources/cloudtrail-tables.test.ts compares both on the real data, the
 * cloudtrail mapping bench measures it). Differences only for raw keys that contain `[]` (their leaves
 * are not comma-joined here) or are empty, which real records do not have.
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
