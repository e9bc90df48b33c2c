/**
 * Loads `mappings/vpc_flow/<ocsf-version>.json` and compiles it once into the plain lookups the mapper
 * reads per record (enum tables by field id, unmapped flags, observables). The mapper builds its output
 * literal in code (fixed key order, monomorphic); `compileTables` checks that the JSON tables and the
 * code agree, so the reviewable table and the behaviour cannot drift apart silently.
 */
import { loadPackageJson } from '../../core/package-data.js';
import { SourceError } from '../../core/source.js';
import type { OcsfVersion } from '../../core/types.js';
import { FIELD_COUNT, FIELD_NAMES, fieldId } from './fields.js';

type EnumPair = [number, string | null];

interface EnumTable {
  from: string;
  target: [string, string];
  values: Record<string, EnumPair>;
  dash: EnumPair;
  absent: EnumPair | null;
  null?: EnumPair;
  other: EnumPair;
  spec: string;
}

export interface MappingFile {
  source: string;
  sourceVersion: string;
  ocsfVersion: OcsfVersion;
  class: { class_uid: number; class_name: string; category_uid: number; category_name: string };
  constants: Record<string, string | number>;
  profiles: string[];
  direct: { raw: string; to: string[]; type: string; spec: string }[];
  addresses: { addr: string; pkt: string; endpoint: string }[];
  placement: { by: string; fields: Record<string, string>; values: Record<string, string>; default: string };
  enums: Record<string, EnumTable>;
  unmapped: string[];
  observables: { name: string; type_id: number; type: string }[];
  attributes: string[];
  deviations: { id: string; tag: string; spec: string; what: string; decision: string; reason: string }[];
}

/** One enum compiled for the mapper. `caption === RAW` means "the raw string". */
export interface CompiledEnum {
  readonly fid: number;
  readonly keys: readonly string[];
  /** `hits[i]` is the result for `keys[i]`. */
  readonly hits: readonly Readonly<EnumHit>[];
  readonly dash: Readonly<EnumHit>;
  /** `undefined`: leave the attribute unset. */
  readonly absent: Readonly<EnumHit> | undefined;
  readonly nul: Readonly<EnumHit> | undefined;
  readonly other: Readonly<EnumHit>;
}

export interface EnumHit {
  id: number;
  /** Caption; `undefined` for no caption, {@link RAW} for the raw value. */
  caption: string | undefined;
}

export const RAW = '$raw';

export interface Observable {
  readonly name: string;
  readonly typeId: number;
  readonly type: string;
  readonly endpoint: 'src' | 'dst';
  readonly attr: 'ip' | 'instance_uid' | 'intermediate_ips';
}

export interface CompiledTables {
  readonly ocsfVersion: OcsfVersion;
  readonly v2: boolean;
  readonly classUid: number;
  readonly className: string;
  readonly categoryUid: number;
  readonly categoryName: string;
  readonly productName: string;
  readonly featureName: string;
  readonly vendorName: string;
  readonly metadataVersion: string;
  readonly provider: string;
  readonly severityId: number;
  readonly severity: string;
  readonly profiles: readonly string[];
  readonly activity: CompiledEnum;
  readonly disposition: CompiledEnum;
  /** v2 only (security_control `action_id`). */
  readonly action: CompiledEnum | undefined;
  readonly direction: CompiledEnum;
  readonly boundary: CompiledEnum;
  /** Placement: flow_direction values that put interface/vpc/instance/subnet on dst_endpoint. */
  readonly placementDst: readonly string[];
  /** 1 for each field id that goes to `unmapped`. */
  readonly unmapped: Uint8Array;
  readonly observables: readonly Observable[];
  /** `type_name` per activity id. */
  readonly typeNames: ReadonlyMap<number, string>;
  readonly attributes: readonly string[];
  readonly file: MappingFile;
}

const FILES: Record<string, string> = { '1.0.0-rc.2': 'mappings/vpc_flow/1.0.0-rc.2.json', '1.1.0': 'mappings/vpc_flow/1.1.0.json' };
const compiled = new Map<string, CompiledTables>();

/** Raw JSON of one version's table (for `versions[v].attributes` and the docs). */
export function loadMappingFile(ocsfVersion: OcsfVersion): MappingFile {
  const path = FILES[ocsfVersion];
  if (!path) throw new SourceError(`VPC_FLOW has no mapping table for OCSF ${ocsfVersion}`);
  return loadPackageJson<MappingFile>(path);
}

/** Direct mappings the mapper implements, per version (checked against the table's `direct` rows). */
function implementedDirect(v2: boolean): Record<string, string[]> {
  return {
    version: ['metadata.product.version'],
    account_id: [v2 ? 'cloud.account.uid' : 'cloud.account_uid'],
    region: ['cloud.region'],
    az_id: ['cloud.zone'],
    srcport: ['src_endpoint.port'],
    dstport: ['dst_endpoint.port'],
    protocol: ['connection_info.protocol_num'],
    packets: ['traffic.packets'],
    bytes: ['traffic.bytes'],
    start: v2 ? ['time', 'time_dt', 'start_time_dt'] : ['time', 'start_time'],
    end: v2 ? ['end_time_dt'] : ['end_time'],
    tcp_flags: ['connection_info.tcp_flags'],
    type: ['connection_info.protocol_ver'],
    pkt_src_aws_service: ['src_endpoint.svc_name'],
    pkt_dst_aws_service: ['dst_endpoint.svc_name'],
    log_status: ['status_code'],
  };
}

const ENUM_TARGETS: Record<string, [string, string, string]> = {
  activity: ['action', 'activity_id', 'activity_name'],
  disposition: ['action', 'disposition_id', 'disposition'],
  action: ['action', 'action_id', 'action'],
  direction: ['flow_direction', 'connection_info.direction_id', 'connection_info.direction'],
  boundary: ['traffic_path', 'connection_info.boundary_id', 'connection_info.boundary'],
};

/** Compiles (once per OCSF version) and cross-checks a mapping table. Throws {@link SourceError} on drift. */
export function compileTables(ocsfVersion: OcsfVersion): CompiledTables {
  const hit = compiled.get(ocsfVersion);
  if (hit) return hit;
  const file = loadMappingFile(ocsfVersion);
  const v2 = ocsfVersion !== '1.0.0-rc.2';
  const problems: string[] = [];
  const owner = new Map<string, string>();
  const claim = (raw: string, by: string) => {
    if (fieldId(raw) < 0 || fieldId(raw) !== FIELD_NAMES.indexOf(raw as never)) problems.push(`${by}: "${raw}" is not a VPC field name`);
    else if (owner.has(raw) && !(owner.get(raw)!.startsWith('enum') && by.startsWith('enum'))) problems.push(`"${raw}" is claimed by ${owner.get(raw)} and ${by}`);
    owner.set(raw, by);
  };

  const want = implementedDirect(v2);
  for (const row of file.direct) {
    claim(row.raw, 'direct');
    const impl = want[row.raw];
    if (!impl) problems.push(`direct row ${row.raw} → ${row.to.join(', ')} is not implemented by the mapper`);
    else if (impl.join(',') !== row.to.join(',')) problems.push(`direct row ${row.raw}: table says ${row.to.join(', ')}, mapper does ${impl.join(', ')}`);
  }
  for (const raw of Object.keys(want)) if (!file.direct.some((r) => r.raw === raw)) problems.push(`direct row for ${raw} is missing`);

  const addrWant = [
    ['srcaddr', 'pkt_srcaddr', 'src_endpoint'],
    ['dstaddr', 'pkt_dstaddr', 'dst_endpoint'],
  ];
  if (JSON.stringify(file.addresses.map((a) => [a.addr, a.pkt, a.endpoint])) !== JSON.stringify(addrWant)) problems.push('addresses rows differ from the mapper');
  for (const a of file.addresses) {
    claim(a.addr, 'addresses');
    claim(a.pkt, 'addresses');
  }

  const p = file.placement;
  const placeWant = { interface_id: 'interface_uid', vpc_id: 'vpc_uid', instance_id: 'instance_uid', subnet_id: 'subnet_uid' };
  if (p.by !== 'flow_direction' || JSON.stringify(p.fields) !== JSON.stringify(placeWant)) problems.push('placement fields differ from the mapper');
  if (p.default !== 'src_endpoint' && p.default !== 'dst_endpoint') problems.push(`placement default ${p.default}`);
  for (const raw of Object.keys(p.fields)) claim(raw, 'placement');
  const placementDst = Object.entries(p.values).filter(([, ep]) => ep === 'dst_endpoint').map(([k]) => k);
  if (p.default === 'dst_endpoint') problems.push('placement default dst_endpoint is not implemented');

  const enums: Record<string, CompiledEnum> = {};
  for (const [name, t] of Object.entries(file.enums)) {
    const exp = ENUM_TARGETS[name];
    if (!exp) {
      problems.push(`enum ${name} is not implemented by the mapper`);
      continue;
    }
    if (t.from !== exp[0] || t.target[0] !== exp[1] || t.target[1] !== exp[2]) problems.push(`enum ${name} maps ${t.from} → ${t.target.join('/')}, mapper expects ${exp.join(' → ')}`);
    claim(t.from, 'enum ' + name);
    const hitOf = (e: EnumPair): EnumHit => ({ id: e[0], caption: e[1] === null ? undefined : e[1] });
    const keys = Object.keys(t.values);
    enums[name] = {
      fid: fieldId(t.from),
      keys,
      hits: keys.map((k) => hitOf(t.values[k]!)),
      dash: hitOf(t.dash),
      absent: t.absent === null ? undefined : hitOf(t.absent),
      nul: t.null ? hitOf(t.null) : undefined,
      other: hitOf(t.other),
    };
  }
  for (const need of v2 ? ['activity', 'disposition', 'action', 'direction', 'boundary'] : ['activity', 'disposition', 'direction', 'boundary']) {
    if (!enums[need]) problems.push(`enum ${need} is missing`);
  }
  if (!v2 && enums.action) problems.push('enum action exists only at 1.1.0 (security_control action_id)');

  const unmapped = new Uint8Array(FIELD_COUNT);
  for (const raw of file.unmapped) {
    claim(raw, 'unmapped');
    unmapped[fieldId(raw)] = 1;
  }
  for (const n of FIELD_NAMES) if (!owner.has(n)) problems.push(`raw field ${n} has no rule (direct, addresses, placement, enum or unmapped)`);

  const observables: Observable[] = [];
  for (const o of file.observables) {
    const m = /^(src|dst)_endpoint\.(ip|instance_uid|intermediate_ips\[\])$/.exec(o.name);
    if (!m) problems.push(`observable ${o.name} is not implemented`);
    else observables.push({ name: o.name, typeId: o.type_id, type: o.type, endpoint: m[1] as 'src' | 'dst', attr: m[2]!.replace('[]', '') as Observable['attr'] });
  }
  if (!v2 && observables.length > 0) problems.push('observables exist only at 1.1.0 (§1.7)');

  const c = file.constants;
  if (file.ocsfVersion !== ocsfVersion || c['metadata.version'] !== ocsfVersion) problems.push(`table is for ${file.ocsfVersion}, asked for ${ocsfVersion}`);
  if (problems.length > 0) throw new SourceError(`mappings/vpc_flow/${ocsfVersion}.json disagrees with the VPC_FLOW mapper:\n  ${problems.join('\n  ')}`);

  const activity = enums.activity!;
  const typeNames = new Map<number, string>();
  const activityCaptions: [number, string | undefined][] = [
    ...activity.hits.map((h) => [h.id, h.caption] as [number, string | undefined]),
    [activity.dash.id, activity.dash.caption],
    [activity.other.id, activity.other.caption],
    ...(activity.absent ? [[activity.absent.id, activity.absent.caption] as [number, string | undefined]] : []),
  ];
  for (const [id, cap] of activityCaptions) if (cap !== undefined && cap !== RAW) typeNames.set(id, `${file.class.class_name}: ${cap}`);

  const out: CompiledTables = {
    ocsfVersion,
    v2,
    classUid: file.class.class_uid,
    className: file.class.class_name,
    categoryUid: file.class.category_uid,
    categoryName: file.class.category_name,
    productName: String(c['metadata.product.name']),
    featureName: String(c['metadata.product.feature.name']),
    vendorName: String(c['metadata.product.vendor_name']),
    metadataVersion: String(c['metadata.version']),
    provider: String(c['cloud.provider']),
    severityId: Number(c.severity_id),
    severity: String(c.severity),
    profiles: file.profiles,
    activity,
    disposition: enums.disposition!,
    action: enums.action,
    direction: enums.direction!,
    boundary: enums.boundary!,
    placementDst,
    unmapped,
    observables,
    typeNames,
    attributes: file.attributes,
    file,
  };
  compiled.set(ocsfVersion, out);
  return out;
}
