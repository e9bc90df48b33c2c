/**
 * GuardDuty evidence (mapping-spec §6.5, Detection Finding): the `ProductFields` keys listed in the
 * 1.1.0 table's `evidence.rows` are collected into slots while `ProductFields` is walked once, then
 * assembled into one merged `evidences[]` element. A part that cannot form a valid OCSF object (a
 * process without pid/uid, an endpoint without ip, coordinates without both lon and lat, a file
 * without a path) is left out and its raw keys go back to unmapped.
 */
import { isIp } from '../../../core/ip.js';
import { toIsoUtc } from '../../../core/time.js';
import { flattenInto } from '../../../core/unmapped.js';
import { ACTOR_PROCESS_SLOT, EVIDENCE_SLOTS, TARGET_PROCESS_SLOT } from '../tables.js';
import type { EvidenceKey } from '../tables.js';
import { basename, float, int, ms, str } from '../values.js';
import type { Obj } from '../values.js';

const N = EVIDENCE_SLOTS.length;
const S = Object.fromEntries(EVIDENCE_SLOTS.map((s, i) => [s, i])) as Record<(typeof EVIDENCE_SLOTS)[number], number>;

/** Evidence values of one finding, filled while walking ProductFields. */
export class EvidenceSlots {
  readonly values: unknown[] = new Array(N);
  readonly keys: (string | undefined)[] = new Array(N);
  readonly raws: unknown[] = new Array(N);

  /** Stores one ProductFields value; a value that does not convert goes straight to unmapped. */
  put(un: Record<string, string>, key: string, raw: unknown, k: EvidenceKey): void {
    const v = convert(raw, k.transform);
    if (v === undefined || this.keys[k.slot] !== undefined) {
      flattenInto(un, 'ProductFields.' + key, raw);
      return;
    }
    this.values[k.slot] = v;
    this.keys[k.slot] = key;
    this.raws[k.slot] = raw;
  }

  /** Returns slot values `from..to-1` to unmapped (the part they belong to is not emitted). */
  spill(un: Record<string, string>, from: number, to = from + 1): void {
    for (let i = from; i < to; i++) {
      const key = this.keys[i];
      if (key !== undefined) flattenInto(un, 'ProductFields.' + key, this.raws[i]);
    }
  }
}

function convert(raw: unknown, t: EvidenceKey['transform']): unknown {
  switch (t) {
    case 'string':
      return str(raw);
    case 'int':
      return int(raw);
    case 'float':
      return float(raw);
    case 'dt': {
      const m = ms(raw);
      return m === undefined ? undefined : toIsoUtc(m);
    }
  }
}

export interface EvidenceConstants {
  fileType: readonly [number, string];
  hash: readonly [number, string];
  direction: readonly [number, string];
}

/** Assembles the merged evidence element, or undefined when no part is valid. */
export function buildEvidence(s: EvidenceSlots, un: Record<string, string>, c: EvidenceConstants): Obj | undefined {
  const v = s.values;
  const ev: Obj = {};
  let any = false;
  const actorProcess = buildProcess(s, un, ACTOR_PROCESS_SLOT, c);
  if (actorProcess) {
    ev.actor = { process: actorProcess };
    any = true;
  }
  if (v[S['api.operation']] !== undefined) {
    const api: Obj = { operation: v[S['api.operation']] };
    if (v[S['api.response.error']] !== undefined) api.response = { error: v[S['api.response.error']] };
    if (v[S['api.service.name']] !== undefined) api.service = { name: v[S['api.service.name']] };
    ev.api = api;
    any = true;
  } else s.spill(un, S['api.response.error'], S['api.service.name'] + 1);
  if (v[S['connection_info.protocol_name']] !== undefined) {
    ev.connection_info = { protocol_name: v[S['connection_info.protocol_name']], direction_id: c.direction[0], direction: c.direction[1] };
    any = true;
  }
  if (v[S.data] !== undefined) {
    ev.data = v[S.data];
    any = true;
  }
  const targetProcess = buildProcess(s, un, TARGET_PROCESS_SLOT, c);
  if (targetProcess) {
    ev.process = targetProcess;
    any = true;
  }
  if (v[S['query.hostname']] !== undefined) {
    ev.query = { hostname: v[S['query.hostname']] };
    any = true;
  }
  const ip = v[S['src_endpoint.ip']];
  // An address that does not parse is not an endpoint: it and its location go back to unmapped.
  if (typeof ip === 'string' && isIp(ip)) {
    const ep: Obj = { ip };
    const loc: Obj = {};
    let hasLoc = false;
    if (v[S['src_endpoint.location.city']] !== undefined) {
      loc.city = v[S['src_endpoint.location.city']];
      hasLoc = true;
    }
    const lon = v[S['src_endpoint.location.coordinates[0]']];
    const lat = v[S['src_endpoint.location.coordinates[1]']];
    if (lon !== undefined && lat !== undefined) {
      loc.coordinates = [lon, lat];
      hasLoc = true;
    } else s.spill(un, S['src_endpoint.location.coordinates[0]'], S['src_endpoint.location.coordinates[1]'] + 1);
    if (v[S['src_endpoint.location.country']] !== undefined) {
      loc.country = v[S['src_endpoint.location.country']];
      hasLoc = true;
    }
    if (hasLoc) ep.location = loc;
    ev.src_endpoint = ep;
    any = true;
  } else s.spill(un, S['src_endpoint.ip'], S['src_endpoint.location.coordinates[1]'] + 1);
  return any ? ev : undefined;
}

/** Offsets inside a process block (see EVIDENCE_SLOTS). */
const P_NAME = 0, P_PATH = 1, P_PID = 2, P_UID = 3, P_CREATED = 4, P_USER = 5, P_USER_UID = 6, P_PARENT = 7, P_SHA = 8, P_EUID = 9, P_END = 10;

function buildProcess(s: EvidenceSlots, un: Record<string, string>, base: number, c: EvidenceConstants): Obj | undefined {
  const v = s.values;
  let present = false;
  for (let i = base; i < base + P_END; i++) if (s.keys[i] !== undefined) present = true;
  if (!present) return undefined;
  const pid = v[base + P_PID];
  const uid = v[base + P_UID];
  if (pid === undefined && uid === undefined) {
    s.spill(un, base, base + P_END);
    return undefined;
  }
  const p: Obj = {};
  if (v[base + P_NAME] !== undefined) p.name = v[base + P_NAME];
  if (pid !== undefined) p.pid = pid;
  if (uid !== undefined) p.uid = uid;
  const path = v[base + P_PATH] as string | undefined;
  if (path !== undefined) {
    const file: Obj = { name: basename(path), path, type_id: c.fileType[0], type: c.fileType[1] };
    const sha = v[base + P_SHA];
    if (sha !== undefined) file.hashes = [{ algorithm_id: c.hash[0], algorithm: c.hash[1], value: sha }];
    p.file = file;
  } else s.spill(un, base + P_SHA);
  if (v[base + P_CREATED] !== undefined) p.created_time_dt = v[base + P_CREATED];
  if (v[base + P_USER] !== undefined || v[base + P_USER_UID] !== undefined) {
    const user: Obj = {};
    if (v[base + P_USER] !== undefined) user.name = v[base + P_USER];
    if (v[base + P_USER_UID] !== undefined) user.uid = v[base + P_USER_UID];
    p.user = user;
  }
  if (v[base + P_PARENT] !== undefined) p.parent_process = { uid: v[base + P_PARENT] };
  if (v[base + P_EUID] !== undefined) p.euid = v[base + P_EUID];
  return p;
}
