/**
 * Sources users register: checked against the OCSF schemas when registered, and given a derive step so a mapper
 * sets only what the record means.
 *
 * - Registration (`registerSource` of the public API) fails with a {@link SourceError} that lists every problem:
 *   an OCSF version or class without a generated schema, a declared attribute in none of the classes, a required
 *   attribute neither declared nor filled by the derive step (e.g. `metadata.product.vendor_name`), an OCSF
 *   "at least one of" rule none of whose attributes is declared (e.g. an endpoint or service for Authentication).
 * - The derive step fills, when the mapper left them out: `class_name`, `category_uid`, `category_name` (from
 *   `class_uid`), `activity_name` and the caption of every other top-level enum `*_id` with a declared caption
 *   attribute (not for 99 `Other`, whose caption is the raw value the mapper keeps), `type_uid` and `type_name`
 *   (from `class_uid` and `activity_id`), `severity_id` 0 `Unknown` with `severity`, and `metadata.version`.
 *   Enum captions come from the generated JSON Schemas, per class, compiled once per mapper.
 *
 * Built-in sources register through the core registry directly: their mappers set every attribute themselves
 * (the goldens pin them), so they pay nothing for this step.
 */
import { classJsonSchema, deriveSchema, SchemaDerivationError } from '../writer/arrow-schema.js';
import type { JsonSchema } from '../writer/arrow-schema.js';
import { loadPackageJson } from './package-data.js';
import { isRejection } from './outcome.js';
import { registerSource as registerInRegistry, SourceError } from './source.js';
import type { Mapper, SourceDefinition, SourceVersionSpec } from './source.js';
import type { OcsfEvent, OcsfVersion, SourceOptions, SourceVersion } from './types.js';

/** Attributes the derive step fills, so a source need not declare or set them. */
const DERIVED = new Set(['class_name', 'category_uid', 'category_name', 'activity_name', 'type_uid', 'type_name', 'severity_id', 'severity', 'metadata.version']);

interface ClassFacts {
  class_caption: string;
  category_uid: number;
  category_name: string;
}

let index: Record<string, Record<string, ClassFacts>> | undefined;

function classFacts(ocsfVersion: string, classUid: number): ClassFacts | undefined {
  index ??= loadPackageJson<{ versions: Record<string, Record<string, ClassFacts>> }>('schemas/index.json').versions;
  return index[ocsfVersion]?.[String(classUid)];
}

/**
 * Registers a user source: checks it against the OCSF schemas (throwing a {@link SourceError} that lists what
 * is wrong) and wraps its mappers with the derive step. `replace` overrides a registered source of that name.
 */
export function registerSource(def: SourceDefinition, opts: { replace?: boolean } = {}): void {
  const problems: string[] = [];
  const versions: Record<string, SourceVersionSpec> = {};
  for (const [version, spec] of Object.entries(def.versions)) {
    const withCaptions = { ...spec, attributes: withCaptionAttributes(spec) };
    versions[version] = withCaptions;
    for (const p of checkVersion(def, version, withCaptions)) problems.push(`${def.name} ${version}: ${p}`);
  }
  if (problems.length > 0) throw new SourceError(`cannot register ${def.name}:\n  ${problems.join('\n  ')}`);
  registerInRegistry(
    Object.freeze({
      ...def,
      versions,
      createMapper: (version: SourceVersion, options: SourceOptions) => deriving(def.createMapper(version, options), versions[version]!),
    }),
    opts,
  );
}

/** The declared attributes plus the caption sibling of each declared top-level enum id the derive step fills. */
function withCaptionAttributes(spec: SourceVersionSpec): string[] {
  const out = new Set(spec.attributes);
  for (const classUid of spec.classes) {
    const props = safeClassSchema(spec, classUid)?.properties ?? {};
    for (const a of spec.attributes) {
      const sibling = props[a]?.['x-sibling'];
      if (typeof sibling === 'string') out.add(sibling);
    }
  }
  return [...out];
}

function safeClassSchema(spec: SourceVersionSpec, classUid: number): JsonSchema | undefined {
  try {
    return classJsonSchema(spec.ocsfVersion, classUid, spec.profiles);
  } catch (err) {
    if (err instanceof SchemaDerivationError) return undefined;
    throw err;
  }
}

function checkVersion(def: SourceDefinition, version: string, spec: SourceVersionSpec): string[] {
  const problems: string[] = [];
  if (spec.classes.length === 0) return ['declares no classes'];
  for (const classUid of spec.classes) {
    if (classFacts(spec.ocsfVersion, classUid) === undefined) problems.push(`class ${classUid} has no OCSF ${spec.ocsfVersion} schema in this package`);
  }
  if (problems.length > 0) return problems;
  try {
    deriveSchema({ ...def, versions: { ...def.versions, [version]: spec } }, version, { strict: true });
  } catch (err) {
    if (!(err instanceof SchemaDerivationError)) throw err;
    problems.push(err.message.replace(/^\S+ \S+: /, ''));
  }
  const declared = new Set([...spec.attributes, ...DERIVED, 'class_uid', 'activity_id', 'time']);
  const has = (path: string) => declared.has(path) || spec.attributes.some((a) => a.startsWith(`${path}.`) || a.startsWith(`${path}[]`));
  for (const classUid of spec.classes) {
    const schema = classJsonSchema(spec.ocsfVersion, classUid, spec.profiles);
    const missing = requiredLeaves(schema, schema, '').filter((p) => !has(p));
    if (missing.length > 0) problems.push(`class ${classUid} requires ${missing.join(', ')}: declare ${missing.length === 1 ? 'it' : 'them'} in attributes and set ${missing.length === 1 ? 'it' : 'them'} in the mapper`);
    for (const rule of atLeastOne(schema)) {
      if (!rule.some(has)) problems.push(`class ${classUid} requires at least one of ${rule.join(', ')}: declare one in attributes`);
    }
  }
  return problems;
}

function resolveRef(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return node;
  return root.$defs?.[ref.slice('#/$defs/'.length)] ?? node;
}

/** Required attribute paths down to the first attribute that is not an object (`metadata.product.vendor_name`). */
function requiredLeaves(root: JsonSchema, node: JsonSchema, prefix: string, depth = 0): string[] {
  const out: string[] = [];
  for (const name of node.required ?? []) {
    const child = node.properties?.[name];
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const resolved = child ? resolveRef(root, child) : undefined;
    if (resolved?.properties && depth < 4) {
      const inner = requiredLeaves(root, resolved, path, depth + 1);
      out.push(...(inner.length > 0 ? inner : [path]));
    } else out.push(path);
  }
  return out;
}

/** OCSF "at least one of" rules at the top of a class schema (`anyOf` of single-attribute `required`). */
function atLeastOne(schema: JsonSchema): string[][] {
  const anyOf = schema.anyOf;
  if (!Array.isArray(anyOf)) return [];
  const names = (anyOf as JsonSchema[]).map((b) => (Array.isArray(b.required) && b.required.length === 1 ? b.required[0]! : undefined));
  return names.every((n) => n !== undefined) ? [names as string[]] : [];
}

interface EnumCaption {
  id: string;
  sibling: string;
  captions: Record<string, string>;
}

interface ClassPlan {
  facts: ClassFacts;
  enums: EnumCaption[];
}

/** A mapper whose events pass through the derive step. */
function deriving(mapper: Mapper, spec: SourceVersionSpec): Mapper {
  const ocsfVersion: OcsfVersion = mapper.ocsfVersion;
  const declared = new Set(spec.attributes);
  const plans = new Map<number, ClassPlan | null>();
  const planOf = (classUid: number): ClassPlan | null => {
    let plan = plans.get(classUid);
    if (plan !== undefined) return plan;
    const facts = classFacts(ocsfVersion, classUid);
    const schema = facts && spec.classes.includes(classUid) ? classJsonSchema(ocsfVersion, classUid, spec.profiles) : undefined;
    const enums: EnumCaption[] = [];
    for (const [id, prop] of Object.entries(schema?.properties ?? {})) {
      const sibling = prop['x-sibling'];
      const captions = prop['x-enum-captions'];
      if (typeof sibling === 'string' && captions && typeof captions === 'object' && (declared.has(sibling) || DERIVED.has(sibling))) {
        enums.push({ id, sibling, captions: captions as Record<string, string> });
      }
    }
    plan = facts ? { facts, enums } : null;
    plans.set(classUid, plan);
    return plan;
  };
  return {
    source: mapper.source,
    version: mapper.version,
    ocsfVersion,
    map(raw, context) {
      const out = mapper.map(raw, context);
      if (isRejection(out)) return out;
      const plan = typeof out.class_uid === 'number' ? planOf(out.class_uid) : null;
      if (plan !== null) deriveEvent(out, plan, ocsfVersion);
      return out;
    },
  };
}

function deriveEvent(ev: OcsfEvent, plan: ClassPlan, ocsfVersion: OcsfVersion): void {
  const e = ev as Record<string, unknown>;
  const { facts } = plan;
  e.class_name ??= facts.class_caption;
  e.category_uid ??= facts.category_uid;
  e.category_name ??= facts.category_name;
  e.severity_id ??= 0;
  for (const en of plan.enums) {
    const id = e[en.id];
    if (typeof id !== 'number' || id === 99 || e[en.sibling] !== undefined) continue;
    const caption = en.captions[id];
    if (caption !== undefined) e[en.sibling] = caption;
  }
  if (typeof e.activity_id === 'number') {
    e.type_uid ??= (e.class_uid as number) * 100 + e.activity_id;
    if (e.type_name === undefined && typeof e.activity_name === 'string') e.type_name = `${facts.class_caption}: ${e.activity_name}`;
  }
  const metadata = (e.metadata ??= {}) as Record<string, unknown>;
  metadata.version ??= ocsfVersion;
}
