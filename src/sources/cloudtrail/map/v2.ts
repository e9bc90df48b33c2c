/**
 * CloudTrail → OCSF 1.1.0 (Security Lake source version 2.0): API Activity 6003, Account Change 3001,
 * Authentication 3002, profiles cloud + datetime. Implements the field rows of
 * `mappings/cloudtrail/1.1.0.json` (test/sources/cloudtrail-tables.test.ts probes every row); the
 * differences from v1 follow mapping-spec §8. Same construction rules as `v1.ts`.
 */
import type { MapFailure } from '../../../core/outcome.js';
import type { Mapper } from '../../../core/source.js';
import type { OcsfEvent, OcsfVersion, RecordContext, SourceVersion } from '../../../core/types.js';
import { toIsoUtc } from '../../../core/time.js';
import { flattenInto } from '../../../core/unmapped.js';
import type { CompiledTables } from '../tables.js';
import {
  activityFor,
  apiOf,
  boolString,
  checkRecord,
  classFor,
  cloudOf,
  eventHeader,
  idpOf,
  isDnsName,
  metadataOf,
  obj,
  parseEventTime,
  spillIdentity,
  sourceIpFailure,
  spillSourceIp,
  srcEndpointOf,
  statusFor,
  str,
  yesNo,
} from './shared.js';
import type { Raw } from './shared.js';

/** Observable sources known to the mapper; `mappings/cloudtrail/1.1.0.json` picks and orders them. */
const OBS_CODES: Record<string, number> = {
  'actor.user.name': 0,
  'user.name': 1,
  'src_endpoint.ip': 2,
  'src_endpoint.domain': 3,
  'resources[].uid': 4,
};

interface CompiledObservable {
  code: number;
  name: string;
  type: string;
  type_id: number;
}

/** userIdentity keys spilled to unmapped when actor.user cannot be emitted (deviation 'constraint-fallback-to-unmapped'). */
const SPILL_KEYS = ['type', 'principalId', 'accessKeyId', 'credentialId'];

export class CloudTrailMapperV2 implements Mapper {
  readonly ocsfVersion: OcsfVersion;
  private readonly observables: readonly CompiledObservable[];

  constructor(
    readonly source: string,
    readonly version: SourceVersion,
    private readonly t: CompiledTables,
    /** True for the data-event sources (S3_DATA, LAMBDA_EXECUTION): always API Activity (§3.1). */
    private readonly dataEvents: boolean,
  ) {
    this.ocsfVersion = t.ocsfVersion;
    this.observables = t.observables.map((o) => {
      const code = OBS_CODES[o.name];
      if (code === undefined) throw new Error(`mappings/cloudtrail: unknown observable ${o.name}`);
      return { code, name: o.name, type: o.type, type_id: o.type_id };
    });
  }

  map(raw: unknown, context: RecordContext): OcsfEvent | MapFailure {
    const time = checkRecord(raw, this.source, context);
    if (typeof time !== 'number') return time;
    const r = raw as Raw;
    const t = this.t;
    const eventName = r.eventName as string;
    const eventSource = r.eventSource as string;
    const cls = classFor(t, this.dataEvents, eventName);
    const activityId = activityFor(t, cls, eventName);
    const re = obj(r.responseElements);
    const rp = obj(r.requestParameters);
    let unmapped = cls.flattener.collect(r);

    const metadata = metadataOf(t, r);
    const eventType = str(r.eventType);
    if (eventType !== undefined) metadata.event_code = eventType; // §8.5

    // api.request.data / api.response.data: the raw objects as JSON text (§3.4, §8.5)
    const api = apiOf(r, eventName, eventSource);
    const reqParams = r.requestParameters;
    if (reqParams !== undefined && reqParams !== null) {
      if (api.request !== undefined) (api.request as Raw).data = JSON.stringify(reqParams);
      else unmapped = flattenRequest(reqParams, unmapped); // request.uid is required: deviation 'constraint-fallback-to-unmapped'
    }
    const respElems = r.responseElements;
    if (respElems !== undefined && respElems !== null) ((api.response ??= {}) as Raw).data = JSON.stringify(respElems);
    const ev = eventHeader(t, cls, activityId, statusFor(t, cls, r.errorCode, re), time, metadata, cloudOf(t, r), api);
    ev.time_dt = toIsoUtc(time);

    // actor (§3.4, §8.2, §8.4)
    const ui = obj(r.userIdentity);
    const sc = obj(ui?.sessionContext);
    const uName = str(ui?.userName) ?? str(obj(r.additionalEventData)?.UserName);
    const uArn = str(ui?.arn);
    const uUidAlt = str(ui?.principalId) ?? str(obj(ui?.onBehalfOf)?.userId);
    const uAccount = str(ui?.accountId);
    let actor: Raw | undefined;
    if (uName !== undefined || uArn !== undefined || uAccount !== undefined) {
      const user: Raw = {};
      const uType = str(ui?.type);
      if (uType !== undefined) user.type = uType;
      if (uName !== undefined) user.name = uName;
      if (uArn !== undefined) user.uid = uArn;
      if (uUidAlt !== undefined) user.uid_alt = uUidAlt;
      if (uAccount !== undefined) user.account = { uid: uAccount };
      const key = str(ui?.accessKeyId) ?? str(ui?.credentialId);
      if (key !== undefined) user.credential_uid = key;
      actor = { user };
    } else if (ui !== undefined) {
      unmapped = spillIdentity(ui, SPILL_KEYS, unmapped); // 1.1.0 user needs account, name or uid
      const obo = str(obj(ui.onBehalfOf)?.userId);
      if (obo !== undefined) (unmapped ??= {})['userIdentity.onBehalfOf.userId'] = obo;
    }
    if (sc !== undefined) {
      const attrs = obj(sc.attributes);
      const created = str(attrs?.creationDate);
      const mfa = boolString(attrs?.mfaAuthenticated);
      const issuer = str(obj(sc.sessionIssuer)?.arn);
      if (created !== undefined || mfa !== undefined || issuer !== undefined) {
        const session: Raw = {};
        if (created !== undefined) {
          const ms = parseEventTime(created);
          if (!Number.isNaN(ms)) session.created_time_dt = toIsoUtc(ms);
        }
        if (mfa !== undefined) session.is_mfa = mfa;
        if (issuer !== undefined) session.issuer = issuer;
        (actor ??= {}).session = session;
      }
    }
    const invokedBy = str(ui?.invokedBy);
    if (invokedBy !== undefined) (actor ??= {}).invoked_by = invokedBy;
    if (actor !== undefined) {
      const idp = idpOf(ui, sc);
      if (idp !== undefined) actor.idp = idp;
      ev.actor = actor;
    }

    const src = srcEndpointOf(r);
    const badIp = sourceIpFailure(r, src, this.source, context);
    if (badIp !== undefined) return badIp;
    if (src !== undefined) ev.src_endpoint = src;
    unmapped = spillSourceIp(r, unmapped);
    const userAgent = str(r.userAgent);
    if (userAgent !== undefined) ev.http_request = { user_agent: userAgent };

    let resources: Raw[] | undefined;
    let targetName: string | undefined;
    if (cls.key === 'api_activity') {
      resources = resourcesV2(r.resources);
      if (resources !== undefined) ev.resources = resources;
    } else if (cls.key === 'account_change') {
      const user = accountChangeUser(rp, re, uName, uArn, uUidAlt, uAccount);
      targetName = user.name as string | undefined;
      ev.user = user;
    } else {
      // §3.6 Authentication: who signs in (or which role is assumed), where to, with MFA or not.
      const roleArn = str(rp?.roleArn);
      const user: Raw = {};
      if (roleArn !== undefined) {
        const session = str(rp!.roleSessionName);
        if (session !== undefined) user.name = session;
        user.uid = roleArn;
      } else {
        if (uArn !== undefined) user.uid = uArn;
        if (uUidAlt !== undefined) user.uid_alt = uUidAlt;
      }
      if (user.name === undefined && user.uid === undefined) {
        // decision 'authentication-user-fallback'
        if (uName !== undefined) user.name = uName;
        else if (uAccount !== undefined) user.account = { uid: uAccount };
      }
      targetName = user.name as string | undefined;
      ev.user = user;
      const aed = obj(r.additionalEventData);
      ev.dst_endpoint = { svc_name: str(aed?.LoginTo) ?? eventSource }; // deviation 'authentication-dst-endpoint'
      const mfa = yesNo(aed?.MFAUsed);
      if (mfa !== undefined) ev.is_mfa = mfa;
    }

    // observables (§1.7), in the table's order
    let observables: Raw[] | undefined;
    const ip = src?.ip as string | undefined;
    const domain = src?.domain as string | undefined;
    const actorName = actor?.user === undefined ? undefined : ((actor.user as Raw).name as string | undefined);
    for (const o of this.observables) {
      switch (o.code) {
        case 0:
          if (actorName !== undefined && actorName !== '') (observables ??= []).push({ name: o.name, type: o.type, type_id: o.type_id, value: actorName });
          break;
        case 1:
          if (targetName !== undefined && targetName !== '') (observables ??= []).push({ name: o.name, type: o.type, type_id: o.type_id, value: targetName });
          break;
        case 2:
          if (ip !== undefined && ip !== '') (observables ??= []).push({ name: o.name, type: o.type, type_id: o.type_id, value: ip });
          break;
        case 3:
          if (domain !== undefined && isDnsName(domain)) (observables ??= []).push({ name: o.name, type: o.type, type_id: o.type_id, value: domain });
          break;
        case 4:
          if (resources !== undefined) {
            for (let i = 0; i < resources.length; i++) {
              const uid = resources[i]!.uid as string | undefined;
              if (uid !== undefined && uid !== '') (observables ??= []).push({ name: o.name, type: o.type, type_id: o.type_id, value: uid });
            }
          }
          break;
      }
    }
    if (observables !== undefined) ev.observables = observables;
    if (unmapped !== undefined) ev.unmapped = unmapped;
    return ev as unknown as OcsfEvent;
  }
}

/** requestParameters into unmapped (flattened as v1 does), for records without requestID. */
function flattenRequest(v: unknown, unmapped: Record<string, string> | undefined): Record<string, string> {
  const out = unmapped ?? {};
  flattenInto(out, 'requestParameters', v);
  return out;
}

/** §3.4 resources[] (API Activity only), §8.3: `owner.account.uid` instead of rc.2 `account_uid`. */
function resourcesV2(v: unknown): Raw[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: Raw[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = obj(v[i]);
    if (x === undefined) continue;
    const res: Raw = {};
    const uid = str(x.ARN) ?? str(x.ARNPrefix); // decision 'resource-arn-prefix'
    if (uid !== undefined) res.uid = uid;
    const account = str(x.accountId);
    if (account !== undefined) res.owner = { account: { uid: account } };
    const type = str(x.type);
    if (type !== undefined) res.type = type;
    out.push(res);
  }
  return out.length > 0 ? out : undefined;
}

/** §3.5 / §8.2 target user of an IAM change: ARN in uid, id in uid_alt; the caller when no target is named. */
function accountChangeUser(
  rp: Raw | undefined,
  re: Raw | undefined,
  uName: string | undefined,
  uArn: string | undefined,
  uUidAlt: string | undefined,
  uAccount: string | undefined,
): Raw {
  const reUser = obj(re?.user);
  const reRole = obj(re?.role);
  const name = str(rp?.userName) ?? str(rp?.roleName) ?? str(reUser?.userName) ?? str(reRole?.roleName) ?? str(reRole?.description);
  const uid = str(reUser?.arn) ?? str(reRole?.arn);
  const uidAlt = str(reUser?.userId) ?? str(reRole?.roleId);
  const user: Raw = {};
  if (name !== undefined || uid !== undefined || uidAlt !== undefined) {
    if (name !== undefined) user.name = name;
    if (uid !== undefined) user.uid = uid;
    if (uidAlt !== undefined) user.uid_alt = uidAlt;
    if (name === undefined && uid === undefined && uAccount !== undefined) user.account = { uid: uAccount };
    return user;
  }
  // decision 'account-change-self-target'
  if (uName !== undefined) user.name = uName;
  if (uArn !== undefined) user.uid = uArn;
  if (uUidAlt !== undefined) user.uid_alt = uUidAlt;
  if (uName === undefined && uArn === undefined && uAccount !== undefined) user.account = { uid: uAccount };
  return user;
}
