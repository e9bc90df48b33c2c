/**
 * JSON text of any value a decoder or mapper can produce, at any depth. `JSON.stringify` recurses on the
 * call stack and throws `RangeError` for a deeply nested record; failures (dead letters, `map` output)
 * must still be written whole, so such a value is serialized again by an explicit-stack walk that gives
 * the same text.
 */

type Replacer = (key: string, value: unknown) => unknown;

/** `JSON.stringify(value, replacer)`, also for values nested deeper than the call stack allows. */
export function stringifyAnyDepth(value: unknown, replacer?: Replacer): string {
  try {
    return JSON.stringify(value, replacer) as string;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return stringifyIteratively(value, replacer);
  }
}

interface Frame {
  /** The container, its keys (objects) and the next position. */
  value: object;
  keys: string[] | undefined;
  i: number;
  /** Whether something was written into this container yet. */
  wrote: boolean;
}

/** The explicit-stack form (no recursion; same output as `JSON.stringify` for JSON data, `toJSON` and replacer included). */
export function stringifyIteratively(root: unknown, replacer?: Replacer): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  /** Writes a primitive, or opens a container; false when the value is skipped (undefined, function, symbol). */
  const put = (holder: object, key: string, v: unknown, inArray: boolean): boolean => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(key);
    if (replacer) v = replacer.call(holder, key, v);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      if (inArray) out.push('null');
      return inArray;
    }
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v)); // throws for a bigint, as JSON.stringify does
      return true;
    }
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ value: v, keys: undefined, i: 0, wrote: false });
    } else {
      out.push('{');
      stack.push({ value: v, keys: Object.keys(v), i: 0, wrote: false });
    }
    return true;
  };
  if (!put({ '': root }, '', root, false)) return undefined as unknown as string;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.keys === undefined) {
      const a = f.value as unknown[];
      if (f.i >= a.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      const i = f.i++;
      if (f.wrote) out.push(',');
      f.wrote = true;
      put(a, String(i), a[i], true);
    } else {
      if (f.i >= f.keys.length) {
        out.push('}');
        stack.pop();
        continue;
      }
      const k = f.keys[f.i++]!;
      const mark = out.length;
      if (f.wrote) out.push(',');
      out.push(JSON.stringify(k), ':');
      if (put(f.value, k, (f.value as Record<string, unknown>)[k], false)) f.wrote = true;
      else out.length = mark;
    }
  }
  return out.join('');
}
