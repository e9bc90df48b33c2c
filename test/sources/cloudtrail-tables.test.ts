/**
 * The CloudTrail mapping tables (`mappings/cloudtrail/*.json`) against the mapper code: every field row
 * is probed (a marker value at the raw path must come out at the OCSF path, transformed as the row says,
 * and never in `unmapped`), every conditional row has an explicit case, the activity rules give the
 * results mapping-spec §3.2 / §11.3 require, and every decision or deviation id cited anywhere exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getSource } from '../../src/index.js';
import type { Mapper, OcsfEvent } from '../../src/index.js';
import { ActivityRules, consumedRawPaths, loadRouting, loadVersionTables } from '../../src/sources/cloudtrail/tables.js';
import type { ClassKey, FieldRow } from '../../src/sources/cloudtrail/tables.js';

type Rec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const VERSIONS = ['1.0', '2.0'] as const;
const EVENT_NAME: Record<ClassKey, string> = { api_activity: 'DescribeInstances', account_change: 'CreateUser', authentication: 'ConsoleLogin' };

const mapper = (version: string, options = {}): Mapper => getSource('CLOUD_TRAIL_MGMT')!.createMapper(version, options);

function base(cls: ClassKey): Rec {
  return {
    eventTime: '2024-05-01T12:00:00Z',
    eventSource: 'probe.amazonaws.com',
    eventName: EVENT_NAME[cls],
    requestID: 'base-request',
    userIdentity: { type: 'IAMUser', userName: 'base-user' },
  };
}

function setPath(r: Rec, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = r;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    if (p.endsWith('[]')) {
      const k = p.slice(0, -2);
      o[k] = [{}];
      o = o[k][0];
    } else o = o[p] = typeof o[p] === 'object' && o[p] !== null ? o[p] : {};
  }
  o[parts.at(-1)!] = value;
}

function getPath(ev: Rec, path: string): unknown {
  let v: any = ev; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const p of path.split('.')) {
    if (v === undefined) return undefined;
    v = p.endsWith('[]') ? v[p.slice(0, -2)]?.[0] : v[p];
  }
  return v;
}

/** Marker value for a raw field and the value the row's transform must produce from it. */
function marker(row: FieldRow, n: number): { raw: unknown; out: unknown } {
  switch (row.transform) {
    case 'epoch_ms':
      return { raw: '2024-01-02T03:04:05Z', out: 1704164645000 };
    case 'epoch_ms_dt':
      return { raw: '2024-01-02T03:04:05Z', out: '2024-01-02T03:04:05.000Z' };
    case 'bool_string':
      return { raw: 'true', out: true };
    case 'yes_no':
      return { raw: 'Yes', out: true };
    case 'json_string':
      return { raw: { probe: n }, out: `{"probe":${n}}` };
    default:
      return { raw: `probe-${n}`, out: `probe-${n}` };
  }
}

/** unmapped keys that come from raw path `from` (for `resources[].ARN`: any `resources…` key). */
function unmappedKeysFor(ev: OcsfEvent, from: string): string[] {
  const arr = from.indexOf('[]');
  const prefix = arr === -1 ? from : from.slice(0, arr);
  return Object.keys(ev.unmapped ?? {}).filter((k) => k === prefix || k.startsWith(prefix + '.') || k.startsWith(prefix + '['));
}

for (const version of VERSIONS) {
  const t = loadVersionTables(version);
  const classesOf = (row: FieldRow): ClassKey[] => row.classes ?? ['api_activity', 'account_change', 'authentication'];
  const simple = t.fields.rows.filter((r) => !r.when && !['ip_or_service'].includes(r.transform ?? '') && !(Array.isArray(r.to) && r.to.length > 1 && r.transform !== 'epoch_ms') && !(Array.isArray(r.to) && r.to.includes('status')));

  describe(`mappings/cloudtrail/${t.ocsfVersion}.json field rows (source version ${version})`, () => {
    it('every row names its source, target and spec section', () => {
      for (const row of t.fields.rows) {
        expect(row.from, JSON.stringify(row)).toBeTruthy();
        expect(row.to, JSON.stringify(row)).toBeTruthy();
        expect(row.spec, JSON.stringify(row)).toMatch(/§|deviation|decision/);
      }
    });

    const cases = simple.flatMap((row, i) =>
      (Array.isArray(row.from) ? row.from : [row.from]).map((from) => ({ label: `${from} → ${[row.to].flat().join(', ')}`, row, from, i })),
    );
    it.each(cases)('$label', ({ row, from, i }) => {
      const m = mapper(version);
      for (const cls of classesOf(row)) {
        const r = base(cls);
        const { raw, out } = marker(row, i);
        // Alternatives: only this one is present.
        if (Array.isArray(row.from)) for (const other of row.from) if (other !== from && other.startsWith('userIdentity.') && r.userIdentity) delete r.userIdentity[other.split('.')[1]!];
        setPath(r, from, raw);
        const ev = m.map(r, {}) as OcsfEvent;
        expect(ev.class_uid, `${cls}`).toBeTypeOf('number');
        for (const to of [row.to].flat()) {
          if (to === 'time_dt') expect(getPath(ev, to)).toBe(new Date(out as number).toISOString());
          else expect(getPath(ev, to), `${cls}: ${to}`).toEqual(out);
        }
        expect(unmappedKeysFor(ev, from), `${cls}: ${from} must not be in unmapped`).toEqual([]);
      }
    });

    it('sourceIPAddress: an IP goes to src_endpoint.ip, a service name to domain + svc_name (ip_or_service)', () => {
      const m = mapper(version);
      const ip = m.map({ ...base('api_activity'), sourceIPAddress: '2001:db8::7' }, {}) as Rec;
      expect(ip.src_endpoint).toEqual({ ip: '2001:db8::7' });
      const svc = m.map({ ...base('api_activity'), sourceIPAddress: 'AWS Internal', vpcEndpointId: 'vpce-1' }, {}) as Rec;
      expect(svc.src_endpoint).toEqual({ uid: 'vpce-1', domain: 'AWS Internal', svc_name: 'AWS Internal' });
      expect(svc.unmapped).toBeUndefined();
    });

    it('status from responseElements.ConsoleLogin, then errorCode, then the unknown id (Authentication)', () => {
      const m = mapper(version);
      const auth = (over: Rec) => m.map({ ...base('authentication'), ...over }, {}) as Rec;
      expect(auth({ responseElements: { ConsoleLogin: 'Success' } })).toMatchObject({ status_id: 1, status: 'Success' });
      expect(auth({ responseElements: { ConsoleLogin: 'Failure' } })).toMatchObject({ status_id: 2, status: 'Failure' });
      expect(auth({ errorCode: 'AccessDenied' })).toMatchObject({ status_id: 2, status: 'Failure' });
      expect(auth({})).toMatchObject({ status_id: 0, status: 'Unknown' });
      const v1 = version === '1.0';
      expect(auth({ responseElements: { ConsoleLogin: 'Success' } }).unmapped?.['responseElements.ConsoleLogin']).toBeUndefined();
      if (!v1) expect(auth({ responseElements: { ConsoleLogin: 'Success' } }).api.response.data).toBe('{"ConsoleLogin":"Success"}');
    });

    it('conditional rows: Authentication user (role vs identity, fallback), dst_endpoint fallback', () => {
      const m = mapper(version);
      const v1 = version === '1.0';
      const ui = { type: 'IAMUser', principalId: 'PID', arn: 'arn:aws:iam::1:user/u', accountId: '1', userName: 'u' };
      const role = m.map({ ...base('authentication'), eventName: 'AssumeRole', userIdentity: ui, requestParameters: { roleArn: 'arn:aws:iam::2:role/R', roleSessionName: 'sess' } }, {}) as Rec;
      expect(role.user).toEqual(v1 ? { name: 'sess', uuid: 'arn:aws:iam::2:role/R' } : { name: 'sess', uid: 'arn:aws:iam::2:role/R' });
      expect(role.dst_endpoint).toEqual({ svc_name: 'probe.amazonaws.com' });
      if (v1) expect(Object.keys(role.unmapped ?? {}).filter((k) => k.startsWith('requestParameters.role'))).toEqual([]);
      const login = m.map({ ...base('authentication'), userIdentity: ui }, {}) as Rec;
      expect(login.user).toEqual(v1 ? { uid: 'PID', uuid: 'arn:aws:iam::1:user/u' } : { uid: 'arn:aws:iam::1:user/u', uid_alt: 'PID' });
      const bare = m.map({ ...base('authentication'), userIdentity: { type: 'IAMUser', accountId: '1', userName: 'u' } }, {}) as Rec;
      expect(bare.user).toEqual({ name: 'u' });
      if (!v1) expect((m.map({ ...base('authentication'), userIdentity: { type: 'Unknown', accountId: '1' } }, {}) as Rec).user).toEqual({ account: { uid: '1' } });
    });

    it('conditional rows: Account Change target (named, or the caller itself)', () => {
      const m = mapper(version);
      const v1 = version === '1.0';
      const ui = { type: 'IAMUser', principalId: 'PID', arn: 'arn:aws:iam::1:user/u', accountId: '1', userName: 'u' };
      const named = m.map({ ...base('account_change'), eventName: 'CreateRole', userIdentity: ui, requestParameters: { roleName: 'R' }, responseElements: { role: { roleName: 'R2', roleId: 'RID', arn: 'arn:aws:iam::1:role/R', description: 'd', path: '/' } } }, {}) as Rec;
      expect(named.user).toEqual(v1 ? { name: 'R', uid: 'RID' } : { name: 'R', uid: 'arn:aws:iam::1:role/R', uid_alt: 'RID' });
      if (v1) {
        // role.roleName, roleId and description are consumed, role.path and role.arn are not (native CreateServiceRole).
        expect(Object.keys(named.unmapped).filter((k) => k.startsWith('responseElements')).sort()).toEqual(['responseElements.role.arn', 'responseElements.role.path']);
      }
      const self = m.map({ ...base('account_change'), eventName: 'ChangePassword', userIdentity: ui }, {}) as Rec;
      expect(self.user).toEqual(v1 ? { name: 'u', uid: 'PID', uuid: 'arn:aws:iam::1:user/u' } : { name: 'u', uid: 'arn:aws:iam::1:user/u', uid_alt: 'PID' });
    });

    it('requestParameters without requestID: v1 unmapped as always; v2 unmapped instead of api.request (constraint fallback)', () => {
      const ev = mapper(version).map({ ...base('api_activity'), requestID: undefined, requestParameters: { a: { b: 1 } } }, {}) as Rec;
      expect(ev.api.request).toBeUndefined();
      expect(ev.unmapped).toEqual({ 'requestParameters.a.b': '1' });
    });

    it('an identity without name and uid is not emitted as actor.user; its fields go to unmapped', () => {
      const ev = mapper(version).map({ ...base('api_activity'), userIdentity: { type: 'AWSService', invokedBy: 'x.amazonaws.com' } }, {}) as Rec;
      expect(ev.actor).toEqual({ invoked_by: 'x.amazonaws.com' });
      expect(ev.unmapped).toEqual({ 'userIdentity.type': 'AWSService' });
    });

    it('declares every class, profile and attribute the source publishes', () => {
      const spec = getSource('CLOUD_TRAIL_MGMT')!.versions[version]!;
      expect(spec.attributes).toEqual(t.attributes);
      expect(new Set(t.attributes).size).toBe(t.attributes.length);
      for (const row of t.fields.rows) for (const to of [row.to].flat()) expect(t.attributes, to).toContain(to);
    });
  });
}

describe('consumed raw paths (unmapped, mapping-spec §1.5)', () => {
  it('derives top-level keys and dotted leaves from the rows', () => {
    const rows = loadVersionTables('1.0').fields.rows;
    const api = consumedRawPaths(rows, 'api_activity');
    expect([...api.top]).toEqual(expect.arrayContaining(['eventTime', 'eventName', 'eventSource', 'resources', 'requestID', 'eventCategory']));
    expect(api.top.has('requestParameters')).toBe(false);
    expect(api.top.has('eventType')).toBe(false);
    expect([...api.paths]).toEqual(expect.arrayContaining(['userIdentity.principalId', 'userIdentity.sessionContext.attributes.creationDate']));
    const auth = consumedRawPaths(rows, 'authentication');
    expect(auth.top.has('resources')).toBe(false);
    expect([...auth.paths]).toEqual(expect.arrayContaining(['requestParameters.roleArn', 'responseElements.ConsoleLogin', 'additionalEventData.LoginTo']));
    const v2 = consumedRawPaths(loadVersionTables('2.0').fields.rows, 'authentication');
    expect([...v2.top]).toEqual(expect.arrayContaining(['requestParameters', 'responseElements', 'eventType']));
    expect([...v2.paths].some((p) => p.startsWith('requestParameters.'))).toBe(false);
  });
});

describe('activity rules (routing.json, mapping-spec §3.2, §11.3)', () => {
  const rules = new ActivityRules(loadRouting());
  it.each([
    ['GetObject', 2], ['PutObject', 3], ['ListBuckets', 2], ['RunInstances', 1], ['TerminateInstances', 4], ['Invoke', 99],
    ['CreateLoadBalancer', 1], ['DeleteLoadBalancer', 4], ['DescribeDirectConnectGateways', 2], ['GetVpcLinks', 2],
    ['ListCloudFrontOriginAccessIdentities', 2], ['UnknownAPI', 99], ['UpdateTrail', 3], ['ForgetDevice', 99],
    ['GetBucketTagging', 2], ['BatchGetSecretValue', 2], ['StopLogging', 3], ['GenerateDataKey', 1], ['SendCommand', 99],
  ] as const)('API Activity %s → %i', (name, id) => expect(rules.api(name)).toBe(id));

  it.each([
    ['RemoveRoleFromInstanceProfile', 8], ['AttachRolePolicy', 7], ['AttachUserPolicy', 7], ['CreateRole', 1], ['CreateUser', 1],
    ['DeleteRole', 6], ['ChangePassword', 3], ['PasswordUpdated', 3], ['AddUserToGroup', 7], ['PutUserPolicy', 7],
    ['DetachUserPolicy', 8], ['DeleteServiceLinkedRole', 99], ['DeleteAccountAlias', 99], ['DeleteAccessKey', 6],
    ['UpdateUser', 99], ['EnableMFADevice', 1], ['ResyncMFADevice', 1], ['DeactivateMFADevice', 99], ['CreateAccessKey', 1],
  ] as const)('Account Change %s → %i', (name, id) => expect(rules.account(name)).toBe(id));

  it.each([
    ['ConsoleLogin', 1], ['AssumeRole', 1], ['AssumeRoleWithSAML', 1], ['AssumeRoleWithWebIdentity', 1], ['CheckMfa', 99], ['CredentialChallenge', 99],
  ] as const)('Authentication %s → %i', (name, id) => expect(rules.auth(name)).toBe(id));

  it('the class lists are disjoint, and cloudtrailClassRouting overrides them', () => {
    const r = loadRouting().class_by_event_name;
    expect(r.authentication.filter((n) => r.account_change.includes(n))).toEqual([]);
    expect(new Set(r.account_change).size).toBe(r.account_change.length);
    const custom = mapper('2.0', { cloudtrailClassRouting: { authentication: ['GetSessionToken'], account_change: [] } });
    const ev = (name: string) => custom.map({ ...base('api_activity'), eventName: name }, {}) as Rec;
    expect(ev('GetSessionToken').class_uid).toBe(3002);
    expect(ev('ConsoleLogin').class_uid).toBe(6003);
    expect(ev('CreateUser').class_uid).toBe(6003);
  });
});

describe('decision and deviation ids', () => {
  it('every id cited in the tables, the mapper code and the conformance deviations exists', () => {
    const ids = new Set(VERSIONS.flatMap((v) => [...loadVersionTables(v).decisions, ...loadVersionTables(v).deviations].map((d) => d.id)));
    const texts = [
      readFileSync(new URL('../../mappings/cloudtrail/1.0.0-rc.2.json', import.meta.url), 'utf8'),
      readFileSync(new URL('../../mappings/cloudtrail/1.1.0.json', import.meta.url), 'utf8'),
      readFileSync(new URL('../../src/sources/cloudtrail/map/v1.ts', import.meta.url), 'utf8'),
      readFileSync(new URL('../../src/sources/cloudtrail/map/v2.ts', import.meta.url), 'utf8'),
      readFileSync(new URL('../../src/sources/cloudtrail/map/shared.ts', import.meta.url), 'utf8'),
      readFileSync(new URL('../conformance/deviations.ts', import.meta.url), 'utf8'),
    ];
    const cited = texts.flatMap((s) => [...s.matchAll(/(?:deviation|decision)s? \\?['"]([a-z0-9-]+)\\?['"]/g)].map((m) => m[1]!));
    expect(cited.length).toBeGreaterThan(10);
    expect([...new Set(cited)].filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe('UnmappedFlattener (the compiled unmapped builder)', () => {
  it('gives exactly what the generic collectUnmappedGeneric gives, on every real record', async () => {
    const { existsSync, readdirSync, statSync } = await import('node:fs');
    const { join, resolve } = await import('node:path');
    const { collectUnmapped, collectUnmappedGeneric, UnmappedFlattener } = await import('../../src/core/unmapped.js');
    const root = resolve(process.cwd(), '../shared/raw/cloudtrail');
    if (!existsSync(root)) return;
    const records: Rec[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f.endsWith('.jsonl') || (p.includes('otrf') && f.endsWith('.json'))) for (const l of readFileSync(p, 'utf8').split('\n')) l.trim() && records.push(JSON.parse(l));
        else if (f.endsWith('.json')) {
          const v = JSON.parse(readFileSync(p, 'utf8'));
          records.push(...(Array.isArray(v) ? v : v.Records));
        }
      }
    };
    walk(root);
    expect(records.length).toBe(3337);
    for (const version of VERSIONS) {
      for (const cls of ['api_activity', 'account_change', 'authentication'] as const) {
        const { top, paths } = consumedRawPaths(loadVersionTables(version).fields.rows, cls);
        const f = new UnmappedFlattener(top, paths);
        for (const r of records) {
          const want = collectUnmappedGeneric(r, top, paths);
          expect(f.collect(r)).toEqual(want);
          expect(collectUnmapped(r, top, paths)).toEqual(want);
        }
      }
    }
  });
});
