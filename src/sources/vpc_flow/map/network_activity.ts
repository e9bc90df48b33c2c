/**
 * VPC flow record → OCSF Network Activity (4001), mapping-spec §4 (+ §1, §8, §11.2), for OCSF
 * 1.0.0-rc.2 (source version 1.0) and 1.1.0 (2.0). The enum tables, constants and observables come
 * from `mappings/vpc_flow/<ocsf-version>.json` (compiled once in {@link compileTables}); the output is
 * built in a fixed key order with attributes that have no value left out.
 *
 * Text lines are read in place (see `record.ts`): the only allocations per line are the output object
 * and the strings that become output values.
 */
import { MapFailure } from '../../../core/outcome.js';
import type { Rejection } from '../../../core/outcome.js';
import { isIp } from '../../../core/ip.js';
import { isObject } from '../../../core/json-input.js';
import { toIsoUtc } from '../../../core/time.js';
import type { Mapper } from '../../../core/source.js';
import type { OcsfEvent, RecordContext, SourceVersion } from '../../../core/types.js';
import { F, FIELD_COUNT, FIELD_NAMES, INT_FIELDS } from '../fields.js';
import type { VpcFormat } from '../format.js';
import { ABSENT, DASH, NUL, ObjectReader, TextReader, VALUE, VpcLine } from '../record.js';
import type { Reader } from '../record.js';
import { RAW } from '../tables.js';
import type { CompiledEnum, CompiledTables, EnumHit } from '../tables.js';

export const SOURCE = 'VPC_FLOW';

export interface VpcMapperOptions {
  /** Keep fields AWS does not define in `unmapped` instead of failing. */
  allowUnknownFields: boolean;
  /** Format of bare string records given to `map()` directly (decoders attach their own). */
  lineFormat: VpcFormat;
}

const NO_VALUE = -1;
const BAD = -2;

/** Reads an unsigned integer field: its value, NO_VALUE (absent, null, "-") or BAD (not a number / out of range). */
function intField(r: Reader, fid: number, max: number): number {
  const st = r.state(fid);
  if (st !== VALUE) return NO_VALUE;
  const v = r.uint(fid);
  return v < 0 || v > max ? BAD : v;
}

function resolve(r: Reader, e: CompiledEnum): Readonly<EnumHit> | undefined {
  const st = r.state(e.fid);
  if (st === VALUE) {
    const k = r.match(e.fid, e.keys);
    return k >= 0 ? e.hits[k] : e.other;
  }
  if (st === DASH) return e.dash;
  if (st === NUL) return e.nul ?? e.absent;
  return e.absent;
}

function captionOf(r: Reader, e: CompiledEnum, hit: Readonly<EnumHit>): string | undefined {
  if (hit.caption !== RAW) return hit.caption;
  return r.state(e.fid) >= DASH ? r.str(e.fid) : undefined;
}

const MAX_PORT = INT_FIELDS.get(F.srcport)!;
const MAX_PROTOCOL = INT_FIELDS.get(F.protocol)!;
const MAX_FLAGS = INT_FIELDS.get(F.tcp_flags)!;
const MAX_LONG = Number.MAX_SAFE_INTEGER;
/** Largest `start`/`end` accepted (year 9999 in epoch seconds): keeps `*_dt` valid. */
const MAX_EPOCH_S = 253402300799;

/** Builds the mapper for one source version. */
export function createNetworkActivityMapper(version: SourceVersion, tables: CompiledTables, opts: VpcMapperOptions): Mapper {
  const T = tables;
  const v2 = T.v2;
  const allowUnknown = opts.allowUnknownFields;
  const text = new TextReader();
  const obj = new ObjectReader();
  const unmappedFids: number[] = [];
  for (let f = 0; f < FIELD_COUNT; f++) if (T.unmapped[f] === 1) unmappedFids.push(f);

  function fail(reason: string, message: string, r: Reader | undefined, raw: unknown, ctx: RecordContext): MapFailure {
    return new MapFailure(reason, message, SOURCE, r ? r.raw() : raw, ctx);
  }

  function badNumber(r: Reader, fid: number, ctx: RecordContext): MapFailure {
    return fail('invalid-number', `${FIELD_NAMES[fid]} ${JSON.stringify(r.str(fid))} is not a valid number`, r, undefined, ctx);
  }

  /** Endpoint ip / intermediate_ips per §4.3: pkt-* wins when it differs from the interface address. Returns the keys set. */
  function address(r: Reader, ep: Record<string, unknown>, addr: number, pkt: number): number {
    let a = r.state(addr);
    let p = r.state(pkt);
    // Each value is sliced once: checked as an address, then written.
    let aIp: string | undefined;
    let pIp: string | undefined;
    if (a === VALUE && !isIp((aIp = r.str(addr)))) return badAddress(addr);
    if (p === VALUE && !isIp((pIp = r.str(pkt)))) return badAddress(pkt);
    if (p === VALUE) {
      ep.ip = pIp;
      if (a === VALUE && aIp !== pIp) {
        ep.intermediate_ips = [aIp];
        return 2;
      }
      return 1;
    }
    if (a === VALUE) ep.ip = aIp;
    else if (a === DASH || p === DASH) ep.ip = '-';
    else return 0;
    return 1;
  }

  /** {@link resolve}, with a value outside the enum's table (e.g. action `MAYBE`) kept in unmapped. */
  function pick(r: Reader, e: CompiledEnum): Readonly<EnumHit> | undefined {
    const hit = resolve(r, e);
    if (hit === e.other && r.state(e.fid) === VALUE && !rejected.includes(e.fid)) rejected.push(e.fid);
    return hit;
  }

  /** Fields of the current record that no attribute can hold (an enum value outside its table): they go to unmapped. */
  const rejected: number[] = [];
  /** The first address field of the current record that is not an IP address (-1: none). */
  let badAddressFid = -1;
  function badAddress(fid: number): number {
    if (badAddressFid < 0) badAddressFid = fid;
    return 0;
  }

  /** interface/vpc/instance/subnet onto the endpoint chosen by flow_direction (§4.3). Returns the keys set. */
  function place(r: Reader, ep: Record<string, unknown>): number {
    let n = 0;
    if (r.state(F.interface_id) >= DASH) {
      ep.interface_uid = r.str(F.interface_id);
      n++;
    }
    if (r.state(F.vpc_id) >= DASH) {
      ep.vpc_uid = r.str(F.vpc_id);
      n++;
    }
    if (r.state(F.instance_id) >= DASH) {
      ep.instance_uid = r.str(F.instance_id);
      n++;
    }
    if (r.state(F.subnet_id) >= DASH) {
      ep.subnet_uid = r.str(F.subnet_id);
      n++;
    }
    return n;
  }

  function contextual(r: Reader, fid: number, fallback: string | undefined): string | undefined {
    const st = r.state(fid);
    if (st === VALUE) return r.str(fid);
    if (fallback !== undefined) return fallback;
    return st === DASH ? '-' : undefined;
  }

  function mapWith(r: Reader, ctx: RecordContext): OcsfEvent | Rejection {
    rejected.length = 0;
    badAddressFid = -1;
    // --- times (§1.4, §4.2)
    const st = r.state(F.start);
    if (st !== VALUE) {
      return fail('missing-field', st === ABSENT ? 'the flow log format has no start field, so time cannot be set' : 'start has no value', r, undefined, ctx);
    }
    const startS = r.uint(F.start);
    if (startS < 0 || startS > MAX_EPOCH_S) return fail('invalid-time', `start ${JSON.stringify(r.str(F.start))} is not epoch seconds`, r, undefined, ctx);
    const time = startS * 1000;
    let endMs = NO_VALUE;
    if (r.state(F.end) === VALUE) {
      const e = r.uint(F.end);
      if (e < 0 || e > MAX_EPOCH_S) return fail('invalid-time', `end ${JSON.stringify(r.str(F.end))} is not epoch seconds`, r, undefined, ctx);
      endMs = e * 1000;
    }
    // --- numbers (§4.2): "-" → omitted, garbage → failure
    const srcport = intField(r, F.srcport, MAX_PORT);
    if (srcport === BAD) return badNumber(r, F.srcport, ctx);
    const dstport = intField(r, F.dstport, MAX_PORT);
    if (dstport === BAD) return badNumber(r, F.dstport, ctx);
    const protocol = intField(r, F.protocol, MAX_PROTOCOL);
    if (protocol === BAD) return badNumber(r, F.protocol, ctx);
    const packets = intField(r, F.packets, MAX_LONG);
    if (packets === BAD) return badNumber(r, F.packets, ctx);
    const bytes = intField(r, F.bytes, MAX_LONG);
    if (bytes === BAD) return badNumber(r, F.bytes, ctx);
    const tcpFlags = intField(r, F.tcp_flags, MAX_FLAGS);
    if (tcpFlags === BAD) return badNumber(r, F.tcp_flags, ctx);

    // --- enums (§4.3)
    const act = pick(r, T.activity)!;
    const disp = pick(r, T.disposition)!;
    const dir = pick(r, T.direction);
    const bnd = pick(r, T.boundary);
    const onDst = r.state(F.flow_direction) === VALUE && r.match(F.flow_direction, T.placementDst) >= 0;

    // --- endpoints (§4.2, §4.3)
    const src: Record<string, unknown> = {};
    let nSrc = 0;
    if (srcport >= 0) {
      src.port = srcport;
      nSrc++;
    }
    if (r.state(F.pkt_src_aws_service) >= DASH) {
      src.svc_name = r.str(F.pkt_src_aws_service);
      nSrc++;
    }
    nSrc += address(r, src, F.srcaddr, F.pkt_srcaddr);
    if (!onDst) nSrc += place(r, src);
    const dst: Record<string, unknown> = {};
    let nDst = 0;
    if (dstport >= 0) {
      dst.port = dstport;
      nDst++;
    }
    if (r.state(F.pkt_dst_aws_service) >= DASH) {
      dst.svc_name = r.str(F.pkt_dst_aws_service);
      nDst++;
    }
    nDst += address(r, dst, F.dstaddr, F.pkt_dstaddr);
    if (onDst) nDst += place(r, dst);
    if (badAddressFid >= 0) {
      return fail('invalid-ip', `${FIELD_NAMES[badAddressFid]} ${JSON.stringify(r.str(badAddressFid))} is not an IP address`, r, undefined, ctx);
    }

    const ci: Record<string, unknown> = {};
    if (protocol >= 0) ci.protocol_num = protocol;
    if (tcpFlags >= 0) ci.tcp_flags = tcpFlags;
    if (r.state(F.type) >= DASH) ci.protocol_ver = r.str(F.type);
    if (bnd !== undefined) {
      ci.boundary_id = bnd.id;
      const c = captionOf(r, T.boundary, bnd);
      if (c !== undefined) ci.boundary = c;
    }
    if (dir !== undefined) {
      ci.direction_id = dir.id;
      const c = captionOf(r, T.direction, dir);
      if (c !== undefined) ci.direction = c;
    }

    // --- metadata and cloud (§1.6, §2, §4.2)
    const product: Record<string, unknown> = {};
    if (r.state(F.version) >= DASH) product.version = r.str(F.version);
    product.name = T.productName;
    product.feature = { name: T.featureName };
    product.vendor_name = T.vendorName;
    const account = contextual(r, F.account_id, ctx.accountId);
    const region = contextual(r, F.region, ctx.region);
    const cloud: Record<string, unknown> = {};
    if (account !== undefined) {
      if (v2) cloud.account = { uid: account };
      else cloud.account_uid = account;
    }
    if (region !== undefined) cloud.region = region;
    if (r.state(F.az_id) >= DASH) cloud.zone = r.str(F.az_id);
    cloud.provider = T.provider;

    const ev: Record<string, unknown> = {
      metadata: { product, profiles: T.profiles.slice(), version: T.metadataVersion },
      cloud,
    };
    if (nSrc > 0) ev.src_endpoint = src;
    if (nDst > 0) ev.dst_endpoint = dst;
    ev.connection_info = ci;
    if (packets >= 0 || bytes >= 0) {
      const traffic: Record<string, number> = {};
      if (packets >= 0) traffic.packets = packets;
      if (bytes >= 0) traffic.bytes = bytes;
      ev.traffic = traffic;
    }
    ev.time = time;
    if (v2) {
      const dt = toIsoUtc(time);
      ev.time_dt = dt;
      ev.start_time_dt = dt;
      if (endMs >= 0) ev.end_time_dt = toIsoUtc(endMs);
    } else {
      ev.start_time = time;
      if (endMs >= 0) ev.end_time = endMs;
    }
    if (r.state(F.log_status) >= DASH) ev.status_code = r.str(F.log_status);
    ev.severity_id = T.severityId;
    ev.severity = T.severity;
    ev.class_name = T.className;
    ev.class_uid = T.classUid;
    ev.category_name = T.categoryName;
    ev.category_uid = T.categoryUid;
    ev.activity_name = act.caption;
    ev.activity_id = act.id;
    if (v2) {
      const a = pick(r, T.action!)!;
      const c = captionOf(r, T.action!, a);
      if (c !== undefined) ev.action = c;
      ev.action_id = a.id;
    }
    const dc = captionOf(r, T.disposition, disp);
    if (dc !== undefined) ev.disposition = dc;
    ev.disposition_id = disp.id;
    ev.type_uid = T.classUid * 100 + act.id;
    ev.type_name = T.typeNames.get(act.id);
    if (v2 && T.observables.length > 0) {
      const obs = observables(src, dst);
      if (obs !== undefined) ev.observables = obs;
    }
    // --- unmapped (§1.5, §4.2)
    let um: Record<string, string> | undefined;
    for (let i = 0; i < unmappedFids.length; i++) {
      const f = unmappedFids[i]!;
      if (r.state(f) >= DASH) (um ??= {})[FIELD_NAMES[f]!] = r.str(f);
    }
    for (let i = 0; i < rejected.length; i++) (um ??= {})[FIELD_NAMES[rejected[i]!]!] = r.str(rejected[i]!);
    if (allowUnknown) {
      const extra: Record<string, string> = {};
      r.unknownInto(extra);
      if (hasKeys(extra)) um = Object.assign(um ?? {}, extra);
    }
    if (um !== undefined) ev.unmapped = um;
    return ev as OcsfEvent;
  }

  function observables(src: Record<string, unknown>, dst: Record<string, unknown>): unknown[] | undefined {
    let out: unknown[] | undefined;
    for (const o of T.observables) {
      const v = (o.endpoint === 'src' ? src : dst)[o.attr];
      if (v === undefined) continue;
      if (Array.isArray(v)) {
        for (const x of v as string[]) if (x !== '-') (out ??= []).push({ name: o.name, type: o.type, type_id: o.typeId, value: x });
      } else if (v !== '-') (out ??= []).push({ name: o.name, type: o.type, type_id: o.typeId, value: v });
    }
    return out;
  }

  return {
    source: SOURCE,
    version,
    ocsfVersion: T.ocsfVersion,
    map(raw: unknown, context: RecordContext): OcsfEvent | Rejection {
      if (typeof raw === 'string') raw = new VpcLine(raw, opts.lineFormat);
      if (raw instanceof VpcLine) {
        const n = text.load(raw);
        if (n !== raw.format.n) {
          return fail('field-count-mismatch', `the line has ${n} fields, the format has ${raw.format.n} (${raw.format.text})`, undefined, raw, context);
        }
        return mapWith(text, context);
      }
      if (isObject(raw)) {
        const bad = obj.load(raw, allowUnknown);
        if (bad !== undefined) {
          return fail('unknown-field', `unknown VPC flow log field ${JSON.stringify(bad)}; pass --allow-unknown-fields to keep it in unmapped`, undefined, raw, context);
        }
        return mapWith(obj, context);
      }
      return fail('not-an-object', `a VPC flow record is a text line or an object, got ${raw === null ? 'null' : typeof raw}`, undefined, raw, context);
    },
  };
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
