/**
 * Turns one class of a compiled OCSF export (schema.ocsf.io `/export/schema`, legacy format as in
 * `../shared/ocsf-export/<version>.json`) into a draft 2020-12 JSON Schema for one profile set.
 * Rules (ocsf-schema.md §3b, §5, §6; decisions in `schemas/README.md`):
 *
 * - Profiles are filtered per attribute, in the class and in every object (`$defs`). An attribute is kept
 *   when it has no profile (`profile` absent or `null`), when its profile is selected, or when it is an
 *   extension profile `ext/name` and the extension name `ext` is selected (Security Hub 2004 declares
 *   `"linux"`, which selects `linux/linux_users`).
 * - Objects go to `$defs` (`/` in extension names becomes `_`) and are referenced with `$ref`, so recursive
 *   objects are fine. Only objects reachable after filtering are emitted.
 * - Every object has `additionalProperties: false`, except the property-less `object` type: the event's
 *   `unmapped` is a map of strings (Security Lake's `MAP<string,string>`); any other `object`-typed
 *   attribute (`xattributes`, ...) accepts any JSON object.
 * - Types by base type: string / integer (integer_t, long_t, timestamp_t) / number (float_t) / boolean;
 *   `json_t` has no type; rc.2 types without a base type (`file_hash_t`, `subnet_t`, ...) are strings.
 *   `datetime_t` gets `format: date-time`, `port_t` 0..65535. No `pattern`s and no `maxLength` (§5.7).
 * - Enums: integer keys become numbers (`const` when there is one value), string enums stay strings; every
 *   enum carries the annotation `x-enum-captions` ({value: caption}) and, when OCSF names one, `x-sibling`
 *   (the caption attribute, e.g. `activity_name`), which the validator uses for caption checks.
 *   `type_uid` keeps its enum (the server drops it for long_t).
 * - `required` = requirement `required`, minus constraint members; `at_least_one` → `anyOf` of
 *   `{required:[a]}`, `just_one` → `oneOf` of `{required:[a], not:{anyOf:[{required:[b]},...]}}`, over the
 *   members that survived filtering; dotted constraint paths are not expressible and are skipped.
 * - `@deprecated` → `deprecated: true` (annotation only). `$id` is versioned and carries the profiles.
 */

export interface ExportAttribute {
  type: string;
  requirement?: string;
  object_type?: string;
  is_array?: boolean;
  enum?: Record<string, { caption?: string }>;
  profile?: string | null;
  profiles?: string[] | null;
  sibling?: string;
  caption?: string;
  '@deprecated'?: unknown;
}

export interface ExportItem {
  name: string;
  caption?: string;
  uid?: number;
  category_uid?: number;
  category_name?: string;
  attributes: Record<string, ExportAttribute>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
  '@deprecated'?: unknown;
}

export interface OcsfExport {
  version: string;
  classes: Record<string, ExportItem>;
  objects: Record<string, ExportItem>;
  types: Record<string, { type?: string }>;
}

export type JsonSchema = { [k: string]: unknown };

/** The URL schema.ocsf.io serves this class schema at; unique per (version, class, profiles). */
export function schemaId(version: string, className: string, profiles: readonly string[]): string {
  return `https://schema.ocsf.io/${version}/schema/classes/${className}?profiles=${profiles.join(',')}`;
}

const BASE: Record<string, 'string' | 'integer' | 'number' | 'boolean' | 'any'> = {
  string_t: 'string',
  integer_t: 'integer',
  long_t: 'integer',
  float_t: 'number',
  boolean_t: 'boolean',
  json_t: 'any',
};

function defName(objectType: string): string {
  return objectType.replace(/\//g, '_');
}

function attributeProfiles(a: ExportAttribute): string[] {
  if (Array.isArray(a.profiles)) return a.profiles;
  return typeof a.profile === 'string' ? [a.profile] : [];
}

/** Is the attribute present under the selected profiles? */
export function keepAttribute(a: ExportAttribute, selected: ReadonlySet<string>): boolean {
  const ps = attributeProfiles(a);
  if (ps.length === 0) return true;
  return ps.some((p) => selected.has(p) || (p.includes('/') && selected.has(p.slice(0, p.indexOf('/')))));
}

export function buildClassSchema(exp: OcsfExport, className: string, profiles: readonly string[]): JsonSchema {
  const cls = exp.classes[className];
  if (!cls) throw new Error(`class ${className} is not in the OCSF ${exp.version} export`);
  const selected = new Set(profiles);
  const defs: Record<string, JsonSchema> = {};
  const pending: string[] = [];

  const resolveBase = (type: string): 'string' | 'integer' | 'number' | 'boolean' | 'any' => {
    let t = type;
    for (let i = 0; i < 5; i++) {
      const b = BASE[t];
      if (b) return b;
      const def = exp.types[t];
      if (!def) throw new Error(`OCSF ${exp.version}: unknown type ${type}`);
      if (!def.type) return 'string'; // rc.2 file_hash_t, subnet_t, resource_uid_t, uuid_t, bytestring_t
      t = def.type;
    }
    throw new Error(`OCSF ${exp.version}: type chain too long for ${type}`);
  };

  const attributeSchema = (name: string, a: ExportAttribute): JsonSchema => {
    let s: JsonSchema;
    if (a.type === 'object_t') {
      const ot = a.object_type;
      if (!ot) throw new Error(`OCSF ${exp.version}: ${name} is object_t without object_type`);
      if (ot === 'object') {
        s = name === 'unmapped' ? { type: 'object', additionalProperties: { type: 'string' } } : { type: 'object' };
      } else {
        if (!exp.objects[ot]) throw new Error(`OCSF ${exp.version}: unknown object ${ot}`);
        const dn = defName(ot);
        if (!(dn in defs)) {
          defs[dn] = {};
          pending.push(ot);
        }
        s = { $ref: `#/$defs/${dn}` };
      }
    } else {
      const base = resolveBase(a.type);
      s = base === 'any' ? {} : { type: base };
      if (a.type === 'datetime_t') s.format = 'date-time';
      if (a.type === 'port_t') Object.assign(s, { minimum: 0, maximum: 65535 });
      if (a.enum && (base === 'integer' || base === 'string')) {
        const keys = Object.keys(a.enum);
        const values = base === 'integer' ? keys.map(Number).sort((x, y) => x - y) : keys.sort();
        if (values.some((v) => typeof v === 'number' && !Number.isInteger(v))) {
          throw new Error(`OCSF ${exp.version}: non-integer enum key in ${name}`);
        }
        if (values.length === 1) s.const = values[0];
        else s.enum = values;
        const captions: Record<string, string> = {};
        for (const k of keys) captions[String(base === 'integer' ? Number(k) : k)] = a.enum[k]?.caption ?? k;
        s['x-enum-captions'] = captions;
        if (a.sibling) s['x-sibling'] = a.sibling;
      }
    }
    if (a.is_array) s = { type: 'array', items: s };
    if (a['@deprecated'] !== undefined) s.deprecated = true;
    return s;
  };

  const itemSchema = (item: ExportItem): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [name, a] of Object.entries(item.attributes)) {
      if (!keepAttribute(a, selected)) continue;
      properties[name] = attributeSchema(name, a);
      if (a.requirement === 'required') required.push(name);
    }
    const s: JsonSchema = { type: 'object', properties, additionalProperties: false };
    const members = new Set<string>();
    const present = (list: string[] | undefined) => (list ?? []).filter((n) => !n.includes('.') && n in properties);
    const atLeastOne = present(item.constraints?.at_least_one);
    if (atLeastOne.length > 0) {
      s.anyOf = atLeastOne.map((n) => ({ required: [n] }));
      atLeastOne.forEach((n) => members.add(n));
    }
    const justOne = present(item.constraints?.just_one);
    if (justOne.length > 0) {
      s.oneOf = justOne.map((n) => {
        const others = justOne.filter((o) => o !== n);
        return others.length === 0 ? { required: [n] } : { required: [n], not: { anyOf: others.map((o) => ({ required: [o] })) } };
      });
      justOne.forEach((n) => members.add(n));
    }
    const req = required.filter((n) => !members.has(n)).sort();
    if (req.length > 0) s.required = req;
    if (item.caption) s.title = item.caption;
    if (item['@deprecated'] !== undefined) s.deprecated = true;
    return s;
  };

  const root = itemSchema(cls);
  const classUid = cls.uid;
  const categoryUid = cls.category_uid;
  const out: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(exp.version, className, [...profiles].sort()),
    ...root,
    'x-ocsf': {
      version: exp.version,
      class_name: className,
      class_caption: cls.caption,
      class_uid: classUid,
      category_uid: categoryUid,
      category_name: cls.category_name,
      profiles: [...profiles].sort(),
    },
  };
  while (pending.length > 0) {
    const ot = pending.shift()!;
    defs[defName(ot)] = itemSchema(exp.objects[ot]!);
  }
  if (Object.keys(defs).length > 0) out.$defs = defs;
  return out;
}

/** JSON with object keys sorted recursively (arrays keep their order), 1-space indent, final newline. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) o[k] = sort((v as Record<string, unknown>)[k]);
      return o;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 1) + '\n';
}
