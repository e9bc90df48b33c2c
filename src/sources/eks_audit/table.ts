/**
 * The EKS audit mapping table (`mappings/eks_audit/1.1.0.json`): its TypeScript shape and the loader.
 * The JSON is the reviewable form of mapping-spec §7 / §11.5; the mapper compiles it once.
 */
import { loadPackageJson } from '../../core/package-data.js';
import type { OcsfVersion, SourceVersion } from '../../core/types.js';

export interface EksMappingFile {
  source: string;
  sourceVersion: SourceVersion;
  ocsfVersion: OcsfVersion;
  class: { class_uid: number; class_name: string; category_uid: number; category_name: string };
  constants: {
    severity_id: number;
    severity: string;
    'metadata.version': string;
    'metadata.profiles': string[];
    'metadata.product.name': string;
    'metadata.product.vendor_name': string;
    'metadata.product.feature.name': string;
    'cloud.provider': string;
    'actor.user.type_id': number;
  };
  activities: { captions: Record<string, string>; verbs: Record<string, number>; default: number };
  fields: { ocsf: string; raw: string | null; convert: string; required?: boolean; fallback?: string; spec: string }[];
  imageUid: { separator: string; joiner: string };
  mountPathJoiner: string;
  resourceTypeSeparator: string;
  unmapped: { alsoKept: string[]; unmappedByDesign: string[] };
  observables: { name: string; type_id: number; type: string; spec: string }[];
  attributes: string[];
  deviations: { what: string; spec: string; decision: string; reason: string }[];
}

/** The table for OCSF 1.1.0 (source version 2.0, the only EKS version). */
export function loadEksTable(): EksMappingFile {
  return loadPackageJson<EksMappingFile>('mappings/eks_audit/1.1.0.json');
}
