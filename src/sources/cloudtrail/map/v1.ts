/**
 * CloudTrail → OCSF 1.0.0-rc.2 (Security Lake source version 1.0): API Activity 3005, Account Change
 * 3001, Authentication 3002. Implements the field rows of `mappings/cloudtrail/1.0.0-rc.2.json`
 * (test/sources/cloudtrail-tables.test.ts probes every row). Events are plain objects built in one
 * fixed key order; an attribute without a value is never set (no `null`, no `undefined` keys).
 */
import type { MapFailure } from '../../../core/outcome.js';
import type { Mapper } from '../../../core/source.js';
import type { OcsfEvent, OcsfVersion, RecordContext, SourceVersion } from '../../../core/types.js';
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

/** userIdentity keys spilled to unmapped when actor.user cannot be emitted (deviation 'constraint-fallback-to-unmapped'). */
const SPILL_KEYS = ['type', 'arn', 'accountId', 'accessKeyId', 'credentialId'];

export class CloudTrailMapperV1 implements Mapper {
  readonly ocsfVersion: OcsfVersion;

  constructor(
    readonly source: string,
    readonly version: SourceVersion,
    private readonly t: CompiledTables,
    /** True for the data-event sources (S3_DATA, LAMBDA_EXECUTION): always API Activity (§3.1). */
    private readonly dataEvents: boolean,
  ) {
    this.ocsfVersion = t.ocsfVersion;
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

    const ev = eventHeader(t, cls, activityId, statusFor(t, cls, r.errorCode, re), time, metadataOf(t, r), cloudOf(t, r), apiOf(r, eventName, eventSource));

    // actor (§3.4, §8.2; Identity Center rows: deviation 'identity-center-rows-v1')
    const ui = obj(r.userIdentity);
    const sc = obj(ui?.sessionContext);
    const uName = str(ui?.userName) ?? str(obj(r.additionalEventData)?.UserName);
    const uUid = str(ui?.principalId) ?? str(obj(ui?.onBehalfOf)?.userId);
    const uArn = str(ui?.arn);
    let actor: Raw | undefined;
    if (uName !== undefined || uUid !== undefined) {
      const user: Raw = {};
      const uType = str(ui?.type);
      if (uType !== undefined) user.type = uType;
      if (uName !== undefined) user.name = uName;
      if (uUid !== undefined) user.uid = uUid;
      if (uArn !== undefined) user.uuid = uArn;
      const account = str(ui?.accountId);
      if (account !== undefined) user.account_uid = account;
      const key = str(ui?.accessKeyId) ?? str(ui?.credentialId);
      if (key !== undefined) user.credential_uid = key;
      actor = { user };
    } else if (ui !== undefined) {
      unmapped = spillIdentity(ui, SPILL_KEYS, unmapped); // rc.2 user needs name or uid
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
          if (!Number.isNaN(ms)) session.created_time = ms;
        }
        if (mfa !== undefined) session.mfa = mfa;
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

    if (cls.key === 'api_activity') {
      const resources = resourcesV1(r.resources);
      if (resources !== undefined) ev.resources = resources;
    } else if (cls.key === 'account_change') {
      ev.user = accountChangeUser(rp, re, uName, uUid, uArn);
    } else {
      // §3.6 Authentication: who signs in (or which role is assumed), where to, with MFA or not.
      const roleArn = str(rp?.roleArn);
      const user: Raw = {};
      if (roleArn !== undefined) {
        const session = str(rp!.roleSessionName);
        if (session !== undefined) user.name = session;
        user.uuid = roleArn;
      } else {
        if (uUid !== undefined) user.uid = uUid;
        if (uArn !== undefined) user.uuid = uArn;
      }
      if (user.name === undefined && user.uid === undefined && uName !== undefined) user.name = uName; // decision 'authentication-user-fallback'
      ev.user = user;
      const aed = obj(r.additionalEventData);
      ev.dst_endpoint = { svc_name: str(aed?.LoginTo) ?? eventSource }; // deviation 'authentication-dst-endpoint'
      const mfa = yesNo(aed?.MFAUsed);
      if (mfa !== undefined) ev.mfa = mfa;
    }
    if (unmapped !== undefined) ev.unmapped = unmapped;
    return ev as unknown as OcsfEvent;
  }
}

/** §3.4 resources[] (API Activity only): ARN (or ARNPrefix), account and type of each resource. */
function resourcesV1(v: unknown): Raw[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: Raw[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = obj(v[i]);
    if (x === undefined) continue;
    const res: Raw = {};
    const uid = str(x.ARN) ?? str(x.ARNPrefix); // decision 'resource-arn-prefix'
    if (uid !== undefined) res.uid = uid;
    const account = str(x.accountId);
    if (account !== undefined) res.account_uid = account;
    const type = str(x.type);
    if (type !== undefined) res.type = type;
    out.push(res);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * §3.5 the target user of an IAM change: first present name candidate and the user/role id
 * (decision 'account-change-target-name'); the caller itself when the record names no target
 * (decision 'account-change-self-target').
 */
function accountChangeUser(rp: Raw | undefined, re: Raw | undefined, uName: string | undefined, uUid: string | undefined, uArn: string | undefined): Raw {
  const reUser = obj(re?.user);
  const reRole = obj(re?.role);
  const name = str(rp?.userName) ?? str(rp?.roleName) ?? str(reUser?.userName) ?? str(reRole?.roleName) ?? str(reRole?.description);
  const uid = str(reUser?.userId) ?? str(reRole?.roleId);
  const user: Raw = {};
  if (name !== undefined || uid !== undefined) {
    if (name !== undefined) user.name = name;
    if (uid !== undefined) user.uid = uid;
    return user;
  }
  if (uName !== undefined) user.name = uName;
  if (uUid !== undefined) user.uid = uUid;
  if (uArn !== undefined) user.uuid = uArn;
  return user;
}
