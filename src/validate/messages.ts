/**
 * ajv errors → `{path, message, keyword}` with human messages: the pointer names the attribute concerned
 * (for `required` / `additionalProperties` the missing or unknown attribute itself), enum messages list
 * the OCSF captions, type messages show the offending value, and the branch errors of an `anyOf` / `oneOf`
 * constraint collapse into one "at least one of" / "exactly one of" message.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';

export type SchemaNode = { [k: string]: unknown };

export interface FormattedError {
  path: string;
  message: string;
  keyword: string;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function captionsOf(e: ErrorObject): Record<string, string> | undefined {
  return (e.parentSchema as SchemaNode | undefined)?.['x-enum-captions'] as Record<string, string> | undefined;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function enumList(values: unknown[], captions: Record<string, string> | undefined): string {
  const items = values.map((v) => (captions?.[String(v)] !== undefined && captions[String(v)] !== String(v) ? `${v} ${captions[String(v)]}` : show(v)));
  return items.length > 30 ? `${items.slice(0, 30).join(', ')}, ... (${items.length} values)` : items.join(', ');
}

function requiredNames(branches: unknown): string[] {
  if (!Array.isArray(branches)) return [];
  return branches.flatMap((b) => ((b as SchemaNode).required as string[] | undefined) ?? []);
}

/** Needs errors from an ajv instance created with `verbose: true` (for `schema`, `parentSchema`, `data`). */
export function formatAjvErrors(errors: readonly ErrorObject[]): FormattedError[] {
  // Constraint keywords (anyOf/oneOf) at a given instance path: their branch errors are noise.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const out: FormattedError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (combinators.some((c) => c !== e && e.instancePath === c.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`))) continue;
    let path = e.instancePath;
    let message: string;
    let keyword = e.keyword;
    const value = () => e.data;
    switch (e.keyword) {
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        path = `${e.instancePath}/${escapePointer(missing)}`;
        message = `missing required attribute "${missing}"`;
        break;
      }
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        path = `${e.instancePath}/${escapePointer(extra)}`;
        message = `unknown attribute "${extra}"`;
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        message = `${show(value())} is not a valid value; must be one of ${enumList(allowed, captionsOf(e))}`;
        break;
      }
      case 'const': {
        const allowed = (e.params as { allowedValue: unknown }).allowedValue;
        message = `${show(value())} is not a valid value; must be ${enumList([allowed], captionsOf(e))}`;
        break;
      }
      case 'type': {
        const v = value();
        message = `must be ${(e.params as { type: string }).type}, got ${kind(v)} ${show(v)}`;
        break;
      }
      case 'format': {
        const format = (e.params as { format: string }).format;
        message = `must be ${format === 'date-time' ? 'an RFC 3339 date-time' : `a ${format}`} string, got ${show(value())}`;
        break;
      }
      case 'anyOf':
      case 'oneOf': {
        const names = requiredNames(e.schema);
        keyword = e.keyword === 'anyOf' ? 'at_least_one' : 'just_one';
        message =
          names.length > 0
            ? `${e.keyword === 'anyOf' ? 'at least one' : 'exactly one'} of ${names.join(', ')} must be present`
            : (e.message ?? e.keyword);
        break;
      }
      default:
        message = e.message ?? e.keyword;
    }
    const k = `${path}\u0000${message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ path, message, keyword });
  }
  return out;
}
