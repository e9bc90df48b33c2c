/**
 * OCSF event validator over the generated JSON Schemas in `schemas/` (see `schemas/README.md`).
 *
 * The schema is picked from the event itself: `metadata.version`, `class_uid` and the sorted, de-duplicated
 * `metadata.profiles`; each (version, class_uid, profile set) is compiled once, on first use, and cached
 * per validator. Beyond JSON Schema it checks:
 * - `type_uid == class_uid * 100 + activity_id`;
 * - every enum `*_id` against its caption sibling (`class_name`, `category_name`, `activity_name`,
 *   `type_name`, `severity`, `status`, `state`, `disposition`, `rcode`, `direction`, ... at any depth),
 *   when both are present; id 99 "Other" accepts any caption;
 * - unknown attributes anywhere (`additionalProperties: false`), except inside `unmapped` (a map of strings).
 *
 * Errors are sorted by path (stable) and carry `path`, a JSON Pointer (RFC 6901) to the attribute concerned — for a missing or unknown
 * attribute, the pointer of that attribute (`/api`, `/actor/user/foo`); `""` is the event itself — and a
 * human `message`. Never throws for bad events: a non-object, an unsupported version, class or profile
 * set each gives one clear error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PACKAGE_ROOT } from '../core/package-data.js';
import { createNormalizer, type NormalizeOptions } from './normalize.js';
import { formatAjvErrors, type SchemaNode } from './messages.js';

export { normalizeEvent, createNormalizer, MAP_ATTRIBUTES, TABLE_COLUMNS } from './normalize.js';
export type { NormalizeOptions } from './normalize.js';

export interface ValidationError {
  /** JSON Pointer of the attribute concerned (`""` = the whole event). */
  path: string;
  message: string;
  /** What failed: a JSON Schema keyword (`required`, `additionalProperties`, `enum`, `type`, ...) or
   * one of `type_uid`, `caption`, `unsupported-version`, `unsupported-class`, `unsupported-profiles`,
   * `not-an-object`. */
  keyword: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: ValidationError[];
}

export interface ValidatorOptions extends NormalizeOptions {
  /** Folder holding `index.json` and `<version>/*.json` (default: the package's `schemas/`). */
  schemasDir?: string;
  /** Report every error (default) or stop at the first JSON Schema error (faster on invalid data). */
  allErrors?: boolean;
  /**
   * Check the OCSF object constraints (`at_least_one` → keyword `at_least_one`, `just_one` → `just_one`).
   * Default true. Security Lake's own output breaks some of them (e.g. rc.2 `src_endpoint` holding only
   * `domain`), so a mapper that reproduces it may turn them off.
   */
  constraints?: boolean;
}

export interface SchemaVariantInfo {
  version: string;
  classUid: number;
  className: string;
  classCaption: string;
  profiles: string[];
  file: string;
}

export interface Validator {
  validate(event: unknown): ValidationResult;
  /** Every (version, class, profile set) that has a generated schema. */
  supported(): SchemaVariantInfo[];
  /** The JSON Schema used for this combination (loaded and cached), or undefined when there is none. */
  schemaFor(version: string, classUid: number, profiles?: readonly string[]): Record<string, unknown> | undefined;
}

interface IndexFile {
  versions: Record<
    string,
    Record<string, { class_name: string; class_caption: string; category_uid: number; category_name: string; variants: Record<string, string> }>
  >;
}

interface Compiled {
  fn: ValidateFunction;
  schema: SchemaNode;
}

const ANNOTATIONS = ['x-ocsf', 'x-enum-captions', 'x-sibling'];
const CAPTION_CHECK = 'x-caption-check';
type CaptionRule = [idAttr: string, captionAttr: string, captions: Record<string, string>];

/**
 * Adds `x-caption-check` (list of [id, sibling, captions]) to every object schema that has enum ids with a
 * caption sibling, so that ajv runs the caption check on every instance of that object at any depth.
 */
function injectCaptionChecks(node: SchemaNode): void {
  const visit = (s: SchemaNode) => {
    const props = s.properties as Record<string, SchemaNode> | undefined;
    if (!props) return;
    const rules: CaptionRule[] = [];
    for (const [name, p] of Object.entries(props)) {
      const captions = p['x-enum-captions'] as Record<string, string> | undefined;
      const sibling = p['x-sibling'] as string | undefined;
      if (captions && sibling && sibling in props) rules.push([name, sibling, captions]);
    }
    if (rules.length > 0) s[CAPTION_CHECK] = rules;
  };
  visit(node);
  for (const d of Object.values((node.$defs ?? {}) as Record<string, SchemaNode>)) visit(d);
}

function dropConstraints(node: SchemaNode): void {
  for (const s of [node, ...Object.values((node.$defs ?? {}) as Record<string, SchemaNode>)]) {
    delete s.anyOf;
    delete s.oneOf;
  }
}

function captionCheck(
  this: unknown,
  rules: CaptionRule[],
  data: unknown,
  _parent?: unknown,
  cxt?: { instancePath: string },
): boolean {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return true;
  const o = data as Record<string, unknown>;
  let errors: Partial<ErrorObject>[] | null = null;
  for (const [idAttr, capAttr, captions] of rules) {
    const id = o[idAttr];
    const cap = o[capAttr];
    if (cap === undefined || (typeof id !== 'number' && typeof id !== 'string')) continue;
    if (id === 99) continue; // "Other": the caption holds the source-specific value
    const expected = captions[String(id)];
    if (expected === undefined || expected === cap) continue;
    (errors ??= []).push({
      keyword: 'caption',
      instancePath: `${cxt?.instancePath ?? ''}/${capAttr}`,
      params: { idAttr, id, expected, actual: cap },
      message: `${capAttr} ${JSON.stringify(cap)} does not match ${idAttr} ${JSON.stringify(id)} (expected ${JSON.stringify(expected)})`,
    });
  }
  (captionCheck as unknown as { errors: unknown }).errors = errors;
  return errors === null;
}

function profileList(event: Record<string, unknown>): string[] {
  const md = event.metadata;
  const p = md && typeof md === 'object' ? (md as Record<string, unknown>).profiles : undefined;
  if (!Array.isArray(p)) return [];
  return [...new Set(p.filter((x): x is string => typeof x === 'string'))].sort();
}

const fail = (path: string, keyword: string, message: string): ValidationResult => ({
  valid: false,
  errors: [{ path, keyword, message }],
});

export function createValidator(opts: ValidatorOptions = {}): Validator {
  const dir = opts.schemasDir ?? join(PACKAGE_ROOT, 'schemas');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as IndexFile;
  const normalize = createNormalizer(opts);
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: opts.allErrors !== false, allowUnionTypes: true, verbose: true });
  addFormats.default(ajv);
  ajv.addVocabulary(ANNOTATIONS);
  ajv.addKeyword({ keyword: CAPTION_CHECK, schemaType: 'array', errors: true, validate: captionCheck });
  const cache = new Map<string, Compiled>();

  const load = (file: string): Compiled => {
    let c = cache.get(file);
    if (!c) {
      const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as SchemaNode;
      injectCaptionChecks(schema);
      if (opts.constraints === false) dropConstraints(schema);
      c = { fn: ajv.compile(schema), schema };
      cache.set(file, c);
    }
    return c;
  };

  const supportedProfiles = (variants: Record<string, string>) =>
    Object.keys(variants)
      .sort()
      .map((k) => `[${k}]`)
      .join(', ');

  const validate = (input: unknown): ValidationResult => {
    const event = normalize(input);
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      return fail('', 'not-an-object', `an OCSF event must be a JSON object, got ${Array.isArray(event) ? 'an array' : typeof event}`);
    }
    const ev = event as Record<string, unknown>;
    const md = ev.metadata;
    const version = md && typeof md === 'object' ? (md as Record<string, unknown>).version : undefined;
    if (typeof version !== 'string') {
      return fail('/metadata/version', 'unsupported-version', 'metadata.version is missing or not a string: cannot choose an OCSF schema');
    }
    const classes = index.versions[version];
    if (!classes) {
      return fail('/metadata/version', 'unsupported-version', `unsupported OCSF version ${JSON.stringify(version)} (supported: ${Object.keys(index.versions).join(', ')})`);
    }
    const classUid = ev.class_uid;
    const entry = typeof classUid === 'number' ? classes[String(classUid)] : undefined;
    if (!entry) {
      const list = Object.entries(classes)
        .map(([uid, c]) => `${uid} ${c.class_caption}`)
        .join(', ');
      return fail('/class_uid', 'unsupported-class', `no schema for class_uid ${JSON.stringify(classUid)} in OCSF ${version} (supported: ${list})`);
    }
    const profiles = profileList(ev);
    const file = entry.variants[profiles.join(',')];
    if (!file) {
      return fail(
        '/metadata/profiles',
        'unsupported-profiles',
        `no schema for ${entry.class_name} (${String(classUid)}) with profiles [${profiles.join(',')}] in OCSF ${version} (generated: ${supportedProfiles(entry.variants)})`,
      );
    }
    const c = load(file);
    const uid = classUid as number;
    const errors: ValidationError[] = c.fn(ev) ? [] : formatAjvErrors(c.fn.errors ?? []);
    const { type_uid: typeUid, activity_id: activityId } = ev;
    if (typeof typeUid === 'number' && typeof activityId === 'number' && typeUid !== uid * 100 + activityId) {
      errors.push({
        path: '/type_uid',
        keyword: 'type_uid',
        message: `type_uid ${typeUid} must equal class_uid * 100 + activity_id = ${uid * 100 + activityId}`,
      });
    }
    if (errors.length > 1) errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)); // stable
    return { valid: errors.length === 0, errors };
  };

  return {
    validate,
    supported() {
      const out: SchemaVariantInfo[] = [];
      for (const [version, classes] of Object.entries(index.versions)) {
        for (const [uid, c] of Object.entries(classes)) {
          for (const [key, file] of Object.entries(c.variants)) {
            out.push({ version, classUid: Number(uid), className: c.class_name, classCaption: c.class_caption, profiles: key === '' ? [] : key.split(','), file });
          }
        }
      }
      return out;
    },
    schemaFor(version, classUid, profiles = []) {
      const file = index.versions[version]?.[String(classUid)]?.variants[[...new Set(profiles)].sort().join(',')];
      return file ? (load(file).schema as Record<string, unknown>) : undefined;
    },
  };
}

let shared: Validator | undefined;

/** Validates with a process-wide default validator (package schemas, default options). */
export function validateEvent(event: unknown): ValidationResult {
  return (shared ??= createValidator()).validate(event);
}
