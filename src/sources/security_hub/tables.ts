/**
 * The Security Hub mapping tables (`mappings/security_hub/<ocsf-version>.json`) and their compiled
 * form. The JSON holds the reviewable data — class routing, enum lookups with captions, constants,
 * field tables (OCSF ← raw, with spec references) and the deviations list; {@link compileTable} turns
 * it once per mapper into plain lookups: per class, the set of consumed raw paths that the unmapped
 * walk skips, the consumed `ProductFields` keys and the GuardDuty evidence slots.
 */
import { loadPackageJson } from '../../core/package-data.js';
import { SourceError } from '../../core/source.js';
import type { OcsfVersion } from '../../core/types.js';

/** One row of a field table: `ocsf ← raw` with its transform and where the spec says so. */
export interface FieldRow {
  ocsf: string;
  raw: string;
  transform: string;
  spec?: string;
  tag?: string;
  /** The raw field is consumed but also kept in unmapped (as the native output does). */
  alsoUnmapped?: boolean;
  /** The record fails when the raw field is missing or unusable. */
  required?: boolean;
  /** Class uids the row applies to (default: every class of the version). */
  classes?: number[];
  /** Where the value comes from when `raw` is absent (documentation; implemented in the mapper). */
  fallback?: string[];
}

export interface ClassSpec {
  name: string;
  profiles: string[];
  extensions?: { name: string; uid: string; version: string }[];
  /** `first`: singular `resource` from `Resources[0]`; `all`: `resources[]`. */
  resources: 'first' | 'all';
  spec?: string;
}

type IdCaption = [number, string];

export interface EnumWithCaptions {
  map: Record<string, IdCaption>;
  missing?: IdCaption | null;
  other?: number;
  archived?: IdCaption;
  normalized?: { bands: [number, number, string][] };
}

export interface MappingTable {
  source: string;
  sourceVersion: string;
  ocsfVersion: OcsfVersion;
  constants: Record<string, string | number>;
  classes: Record<string, ClassSpec>;
  routing: {
    byProduct: Record<string, number>;
    requires?: Record<string, string>;
    byContent: { field: string; test: 'non-empty-array' | 'object'; class: number }[];
    default: number;
  };
  activity: { same: number; different: number; names: Record<string, string> };
  enums: {
    severity: EnumWithCaptions;
    workflow: EnumWithCaptions;
    malwareType?: EnumWithCaptions;
    fixAvailable?: { map: Record<string, boolean> };
    exploitAvailable?: { map: Record<string, boolean> };
    fileType: { value: IdCaption };
    hashAlgorithm?: { value: IdCaption };
    connectionDirection?: { value: IdCaption };
    observables?: { types: Record<string, IdCaption> };
  };
  fields: FieldRow[];
  evidence: { classes: number[]; rows: FieldRow[] } | null;
  attributes: string[];
  deviations: { what: string; spec: string; decision: string; reason: string }[];
}

/** Loads the table of one OCSF version from the package's `mappings/` folder. */
export function loadTable(ocsfVersion: OcsfVersion): MappingTable {
  return loadPackageJson<MappingTable>(`mappings/security_hub/${ocsfVersion}.json`);
}

/**
 * The GuardDuty evidence slots the mapper knows how to assemble (paths relative to one
 * `evidences[]` element). The table maps `ProductFields` keys onto these; an unknown target is a
 * table error caught at compile time.
 */
export const EVIDENCE_SLOTS = [
  'data',
  'actor.process.name',
  'actor.process.file.path',
  'actor.process.pid',
  'actor.process.uid',
  'actor.process.created_time_dt',
  'actor.process.user.name',
  'actor.process.user.uid',
  'actor.process.parent_process.uid',
  'actor.process.file.hashes[].value',
  'actor.process.euid',
  'process.name',
  'process.file.path',
  'process.pid',
  'process.uid',
  'process.created_time_dt',
  'process.user.name',
  'process.user.uid',
  'process.parent_process.uid',
  'process.file.hashes[].value',
  'process.euid',
  'api.operation',
  'api.response.error',
  'api.service.name',
  'src_endpoint.ip',
  'src_endpoint.location.country',
  'src_endpoint.location.city',
  'src_endpoint.location.coordinates[0]',
  'src_endpoint.location.coordinates[1]',
  'query.hostname',
  'connection_info.protocol_name',
] as const;

/** Index of the first slot of each process block (the order above is relied on by the builder). */
export const ACTOR_PROCESS_SLOT = 1;
export const TARGET_PROCESS_SLOT = 11;

export type ValueTransform = 'string' | 'int' | 'float' | 'dt';

export interface EvidenceKey {
  slot: number;
  transform: ValueTransform;
}

/** What one class consumes, precomputed for the unmapped walk. */
export interface ClassPlan {
  uid: number;
  name: string;
  profiles: readonly string[];
  extensions?: readonly { name: string; uid: string; version: string }[];
  resources: 'first' | 'all';
  /** Consumed raw paths (dotted, `[]` for arrays) outside `ProductFields`. */
  skip: ReadonlySet<string>;
  /** Every proper ancestor of a path in `skip`: the walk descends only into these. */
  partial: ReadonlySet<string>;
  /** `ProductFields` keys consumed by plain field rows. */
  productFields: ReadonlySet<string>;
  /** `ProductFields` keys feeding the GuardDuty evidence (2004 only). */
  evidence?: ReadonlyMap<string, EvidenceKey>;
  /** `"<class>: <activity>"` by activity id. */
  typeNames: Readonly<Record<number, string>>;
}

const PF = 'ProductFields.';

/** Compiles the plan of one class: consumed paths, their ancestors, ProductFields keys, evidence. */
export function compileClass(table: MappingTable, classUid: number): ClassPlan {
  const spec = table.classes[String(classUid)];
  if (!spec) throw new SourceError(`security_hub table ${table.ocsfVersion} has no class ${classUid}`);
  const skip = new Set<string>();
  const productFields = new Set<string>();
  for (const row of table.fields) {
    if (row.classes && !row.classes.includes(classUid)) continue;
    if (row.alsoUnmapped) continue;
    if (row.raw.startsWith(PF)) productFields.add(row.raw.slice(PF.length));
    else skip.add(row.raw);
  }
  let evidence: Map<string, EvidenceKey> | undefined;
  if (table.evidence && table.evidence.classes.includes(classUid)) {
    evidence = new Map();
    for (const row of table.evidence.rows) {
      const rel = row.ocsf.replace(/^evidences\[\]\./, '');
      const slot = (EVIDENCE_SLOTS as readonly string[]).indexOf(rel);
      if (slot < 0 || !row.raw.startsWith(PF)) throw new SourceError(`security_hub evidence row ${row.ocsf} ← ${row.raw} is not supported`);
      if (!isValueTransform(row.transform)) throw new SourceError(`security_hub evidence row ${row.ocsf}: unknown transform ${row.transform}`);
      evidence.set(row.raw.slice(PF.length), { slot, transform: row.transform });
    }
  }
  const typeNames: Record<number, string> = {};
  for (const [id, name] of Object.entries(table.activity.names)) typeNames[Number(id)] = `${spec.name}: ${name}`;
  return {
    uid: classUid,
    name: spec.name,
    profiles: Object.freeze([...spec.profiles]),
    extensions: spec.extensions ? Object.freeze(spec.extensions.map((e) => Object.freeze({ ...e }))) : undefined,
    resources: spec.resources,
    skip,
    partial: ancestors(skip),
    productFields,
    evidence,
    typeNames,
  };
}

function isValueTransform(t: string): t is ValueTransform {
  return t === 'string' || t === 'int' || t === 'float' || t === 'dt';
}

/** `a.b[].c` → `a`, `a.b`, `a.b[]`, `a.b[].c` minus the path itself. */
export function ancestors(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c === 0x2e /* . */) out.add(p.slice(0, i));
      else if (c === 0x5b /* [ */) {
        out.add(p.slice(0, i));
        if (i + 2 < p.length) out.add(p.slice(0, i + 2));
      }
    }
  }
  return out;
}

/** Enum lookup compiled to a Map, with the missing / other / archived values. */
export interface CompiledEnum {
  map: ReadonlyMap<string, IdCaption>;
  missing: IdCaption | null;
  other: number;
  archived?: IdCaption;
  bands?: readonly [number, number, string][];
}

export function compileEnum(e: EnumWithCaptions): CompiledEnum {
  return {
    map: new Map(Object.entries(e.map)),
    missing: e.missing ?? null,
    other: e.other ?? 99,
    archived: e.archived,
    bands: e.normalized?.bands,
  };
}
